//! The contract core at its limit: whole `shakedown contract check FILE` processes on rich
//! contracts of 1,000 and 10,000 interactions and one of ~10 MB; wall time and peak RSS.
//!
//! Run with `cargo bench --bench limit`. `BENCH_RUNS` (default 7) runs of each file; the
//! medians of wall time and of the child's peak RSS (`wait4`) are reported, with the time per
//! interaction (linear growth keeps it flat). `BENCH_BIN` measures another `shakedown`
//! binary (an older build, for a before/after table).

#[path = "support/measure.rs"]
mod measure;

use measure::{env_count, median};

#[path = "support/rich_contract.rs"]
mod rich_contract;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// One contract to check: interactions and padding bytes per body.
struct Case {
    name: &'static str,
    interactions: usize,
    pad: usize,
}

const CASES: [Case; 4] = [
    Case {
        name: "1 interaction",
        interactions: 1,
        pad: 0,
    },
    Case {
        name: "1,000 interactions",
        interactions: 1_000,
        pad: 0,
    },
    Case {
        name: "10,000 interactions",
        interactions: 10_000,
        pad: 0,
    },
    Case {
        name: "~10 MB (2,000 padded)",
        interactions: 2_000,
        pad: 3_600,
    },
];

/// The binary measured: `BENCH_BIN`, or this build's.
fn binary() -> String {
    std::env::var("BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_shakedown").to_string())
}

/// One whole process: wall seconds and peak RSS in KiB.
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which also gives its peak RSS
fn run_once(file: &Path) -> (f64, i64) {
    let start = Instant::now();
    let child = Command::new(binary())
        .args(["contract", "check"])
        .arg(file)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("shakedown starts");
    let (status, usage) = wait4(child.id());
    let wall = start.elapsed().as_secs_f64();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the contract checks clean"
    );
    (wall, usage.ru_maxrss)
}

/// Waits for `pid`, returning its status and resource usage.
fn wait4(pid: u32) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet waited for; the pointers are to live locals.
    let got = unsafe { libc::wait4(pid as i32, &mut status, 0, &mut usage) };
    assert_eq!(got, pid as i32, "wait4 on the child");
    (status, usage)
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let runs = env_count("BENCH_RUNS", 7);
    let dir = tempfile::tempdir().expect("a temp dir");
    println!(
        "{} contract check FILE: whole processes, {runs} runs each, medians",
        binary()
    );
    println!(
        "{:<24} {:>10} {:>10} {:>14} {:>10}",
        "contract", "size", "wall", "per interaction", "peak RSS"
    );
    for case in &CASES {
        let file = dir.path().join(format!("rich-{}.json", case.interactions));
        let bytes = rich_contract::write(&file, case.interactions, case.pad);
        run_once(&file); // warm the page cache
        let (walls, rss): (Vec<f64>, Vec<i64>) = (0..runs).map(|_| run_once(&file)).unzip();
        let wall = median(&walls);
        println!(
            "{:<24} {:>8.2}MB {:>8.1}ms {:>12.1}us {:>8.1}MB",
            case.name,
            bytes as f64 / 1e6,
            wall * 1e3,
            wall * 1e6 / case.interactions as f64,
            median(&rss) as f64 / 1024.0
        );
    }
}
