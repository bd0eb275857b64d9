//! Scenario engine benchmarks: how close to schedule faults are applied and healed, how
//! fast Ctrl-C heals everything, and the time from `shakedown run` to the first canary
//! probe on the example shop, for each backend.
//!
//! Run with `cargo build -p shakedown-shop && cargo bench --bench scenario` (add
//! `scripts/images.sh` first to include the docker backend). Runs `scenarios/game-day.toml`
//! (4 faults) `RUNS` times per backend and interrupts `tests/data/scenarios/long-faults.toml`
//! with SIGINT `RUNS` times. All traffic stays on loopback and the run's own containers.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const RUNS: usize = 3;

fn shakedown() -> &'static str {
    env!("CARGO_BIN_EXE_shakedown")
}

fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1)) - 1;
    v.get(i).copied().unwrap_or(f64::NAN)
}

struct GameDay {
    applied: Vec<f64>,
    healed: Vec<f64>,
    first_probe_ms: Vec<f64>,
}

/// Runs the game day once; returns the lateness of each apply/heal and the time from spawn
/// to the first probe.
fn game_day(backend: &str, into: &mut GameDay) {
    let dir = tempfile::tempdir().unwrap();
    let spawned = Instant::now();
    let status = Command::new(shakedown())
        .args([
            "run",
            "scenarios/game-day.toml",
            "--no-live",
            "--backend",
            backend,
            "--report",
        ])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let wall_ms = spawned.elapsed().as_secs_f64() * 1000.0;
    let journal: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("journal.json")).unwrap()).unwrap();
    let events = journal["events"].as_array().unwrap();
    let duration_ms = events
        .iter()
        .find(|e| e["event"] == "run_finished")
        .map_or(0.0, |e| e["at_ms"].as_f64().unwrap());
    // Time before the engine's clock started (process start, scenario load) ≈ wall − duration,
    // an over-estimate by the time the summary and reports take.
    let before_clock = (wall_ms - duration_ms).max(0.0);
    if let Some(p) = events.iter().find(|e| e["event"] == "probe") {
        into.first_probe_ms
            .push(before_clock + p["at_ms"].as_f64().unwrap() - p["latency_ms"].as_f64().unwrap());
    }
    for e in events {
        match e["event"].as_str() {
            Some("fault_applied") => into.applied.push(e["late_ms"].as_f64().unwrap()),
            Some("fault_healed") => into.healed.push(e["late_ms"].as_f64().unwrap()),
            _ => {}
        }
    }
    eprintln!(
        "  {backend} game day: exit {:?}, {:.1} s",
        status.code(),
        wall_ms / 1000.0
    );
}

/// Starts the long-faults scenario, waits until its faults are on, sends SIGINT, and
/// returns how long until everything was healed and removed (the process exited).
fn ctrl_c(backend: &str) -> f64 {
    let mut child = Command::new(shakedown())
        .args([
            "run",
            "tests/data/scenarios/long-faults.toml",
            "--no-live",
            "--backend",
            backend,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines().map_while(Result::ok) {
        if line.contains("fault pause-2: pause") {
            break;
        }
    }
    let sent = Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let deadline = sent + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    sent.elapsed().as_secs_f64() * 1000.0
}

fn docker_images_present() -> bool {
    Command::new("docker")
        .args([
            "image",
            "inspect",
            "shakedown-example/orders:latest",
            "shakedown-example/payments:latest",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn main() {
    if !Path::new("target/debug/orders").exists() {
        eprintln!("build the example shop first: cargo build -p shakedown-shop");
        return;
    }
    let mut backends = vec!["process"];
    if docker_images_present() {
        backends.push("docker");
    } else {
        eprintln!("docker images missing (scripts/images.sh): docker backend skipped");
    }
    println!("| backend | fault applied late p50 / max | healed late p50 / max | Ctrl-C → all healed and removed (median / max) | `shakedown run` → first canary probe (median) |");
    println!("|---|---|---|---|---|");
    for backend in backends {
        let mut g = GameDay {
            applied: Vec::new(),
            healed: Vec::new(),
            first_probe_ms: Vec::new(),
        };
        for _ in 0..RUNS {
            game_day(backend, &mut g);
        }
        let stops: Vec<f64> = (0..RUNS).map(|_| ctrl_c(backend)).collect();
        println!(
            "| {backend} | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.0} / {:.0} ms | {:.0} ms |",
            quantile(g.applied.clone(), 0.5),
            quantile(g.applied, 1.0),
            quantile(g.healed.clone(), 0.5),
            quantile(g.healed, 1.0),
            quantile(stops.clone(), 0.5),
            quantile(stops, 1.0),
            quantile(g.first_probe_ms, 0.5),
        );
    }
}
