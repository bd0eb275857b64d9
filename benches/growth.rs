//! Costs that grow with the work: `diff` against the number of interactions, the service
//! start order against the number of services, and `shakedown verify` against the number
//! of interactions (wall and CPU time per interaction at 1,000 and 10,000).
//!
//! Run with `cargo bench --bench growth`. `BENCH_RUNS` (default 3) runs of each (verify's
//! two sizes alternating); the median is reported. The verified provider is the example
//! orders service's stateless catalogue, started in this process on 127.0.0.1.

#[path = "support/measure.rs"]
mod measure;

use measure::{env_count, median};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::json;
use shakedown::contract::{
    Body, HttpRequest, HttpResponse, Interaction, InteractionKind, MatchingRule, Pact, Pattern,
    RulePath,
};
use shakedown::scenario::{start_order, Scenario};
use shakedown_shop::orders_service;

fn runs() -> usize {
    env_count("BENCH_RUNS", 3)
}

/// The median wall time of `f`, in seconds.
fn timed(mut f: impl FnMut()) -> f64 {
    let times: Vec<f64> = (0..runs())
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    median(&times)
}

fn interaction(description: String, path: String, response: HttpResponse) -> Interaction {
    let request = HttpRequest {
        path,
        ..Default::default()
    };
    Interaction::new(description, InteractionKind::Http { request, response })
}

/// `n` interactions; `changed` gives every 8th a new field, drops every 16th and adds n/16.
fn diff_contract(n: usize, changed: bool) -> Pact {
    let mut pact = Pact::new("web", "orders");
    for i in 0..n {
        if changed && i % 16 == 15 {
            continue;
        }
        let body = match changed && i % 8 == 0 {
            true => json!({"id": i, "name": "a", "added": true}),
            false => json!({"id": i, "name": "a"}),
        };
        let response = HttpResponse {
            body: Body::json(&body),
            ..Default::default()
        };
        pact.interactions.push(interaction(
            format!("item {i:06}"),
            format!("/items/{i}"),
            response,
        ));
    }
    if changed {
        for i in (0..n).step_by(16) {
            pact.interactions.push(interaction(
                format!("new item {i:06}"),
                format!("/new/{i}"),
                HttpResponse::default(),
            ));
        }
    }
    pact
}

fn bench_diff() {
    println!("\n### diff (old and new contract of n interactions; 1/8 changed, 1/16 removed, 1/16 added)\n");
    println!("| interactions | time | per interaction |");
    println!("|---:|---:|---:|");
    for n in [1_000, 4_000, 16_000, 32_000] {
        let (old, new) = (diff_contract(n, false), diff_contract(n, true));
        let t = timed(|| assert!(!shakedown::gate::diff(&old, &new).is_empty()));
        println!("| {n} | {:.1} ms | {:.2} µs |", t * 1e3, t * 1e6 / n as f64);
    }
}

/// `n` services: `chain` (each depends on the next by name: the last starts first) or
/// `wide` (each depends on the one that sorts last).
fn services(n: usize, chain: bool) -> Scenario {
    let name = |i: usize| format!("svc-{i:05}");
    let services: serde_json::Map<String, serde_json::Value> = (0..n)
        .map(|i| {
            let dep = match (chain, i + 1 < n) {
                (_, false) => vec![],
                (true, true) => vec![name(i + 1)],
                (false, true) => vec![name(n - 1)],
            };
            (name(i), json!({"command": ["true"], "depends_on": dep}))
        })
        .collect();
    serde_json::from_value(json!({"name": "growth", "services": services}))
        .expect("a valid scenario")
}

fn bench_start_order() {
    println!("\n### start order (services; chain: each depends on the next, wide: all on one)\n");
    println!("| services | chain | wide |");
    println!("|---:|---:|---:|");
    for n in [100, 500, 2_000] {
        let (chain, wide) = (services(n, true), services(n, false));
        let tc = timed(|| assert_eq!(start_order(&chain).len(), n));
        let tw = timed(|| assert_eq!(start_order(&wide).len(), n));
        println!("| {n} | {:.2} ms | {:.2} ms |", tc * 1e3, tw * 1e3);
    }
}

/// `n` catalogue interactions with five rules each (as in benches/verify.rs).
fn catalogue(n: u64) -> Pact {
    let mut pact = Pact::new("bench-web", "orders");
    for i in 1..=n {
        let mut response = HttpResponse {
            body: Body::json(
                &json!({"id": i, "sku": format!("SKU-{i:06}"), "name": "anything", "price": 1.0, "tags": ["x"]}),
            ),
            ..Default::default()
        };
        let rules = response
            .matching_rules
            .category_mut(shakedown::contract::category::BODY);
        let p = |s: &str| RulePath::parse(s).expect("static path");
        let any = MatchingRule::Type {
            min: None,
            max: None,
        };
        let sku = Pattern::new("SKU-\\d{6}").expect("static regex");
        rules.add(p("$.id"), MatchingRule::Integer);
        rules.add(p("$.sku"), MatchingRule::Regex(sku));
        rules.add(p("$.name"), any);
        rules.add(p("$.price"), MatchingRule::Number);
        let tags = MatchingRule::Type {
            min: Some(1),
            max: None,
        };
        rules.add(p("$.tags"), tags);
        let (description, path) = (format!("catalogue item {i:05}"), format!("/catalog/{i}"));
        pact.interactions
            .push(interaction(description, path, response));
    }
    pact
}

/// CPU time (user + system) of this process's finished children, in seconds.
fn children_cpu() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// One `shakedown verify` (the whole process) of `file`: wall and CPU time, in seconds.
fn verify_once(file: &Path, url: &str) -> (f64, f64) {
    let (cpu, start) = (children_cpu(), Instant::now());
    let status = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .args(["verify", "--provider", "orders", "--base-url", url])
        .args(["--ignore-states", "--contracts"])
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("shakedown verify runs");
    assert!(status.success(), "shakedown verify passes");
    (start.elapsed().as_secs_f64(), children_cpu() - cpu)
}

fn bench_verify() {
    let provider = orders_service::start("127.0.0.1:0", orders_service::Config::default())
        .expect("the provider starts");
    let sizes = [1_000u64, 10_000];
    let dir = tempfile::tempdir().expect("a temp dir");
    let files: Vec<PathBuf> = sizes
        .iter()
        .map(|&n| {
            let file = dir.path().join(format!("web-orders-{n}.json"));
            std::fs::write(&file, catalogue(n).to_pretty_string()).expect("written");
            file
        })
        .collect();
    // Alternating sizes, so that a change in the machine's load falls on both.
    let mut times = vec![(Vec::new(), Vec::new()); sizes.len()];
    for _ in 0..runs() {
        for (file, (wall, cpu)) in files.iter().zip(&mut times) {
            let (w, c) = verify_once(file, &provider.url());
            wall.push(w);
            cpu.push(c);
        }
    }
    println!("\n### shakedown verify (whole process; example orders catalogue on loopback)\n");
    println!(
        "| interactions | wall | per interaction | vs 1,000 | CPU | per interaction | vs 1,000 |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let mut base = None;
    for (n, (wall, cpu)) in sizes.into_iter().zip(times) {
        let (wall, cpu) = (median(&wall) / n as f64, median(&cpu) / n as f64);
        let (w0, c0) = *base.get_or_insert((wall, cpu));
        println!(
            "| {n} | {:.2} s | {:.1} µs | {:.2}x | {:.2} s | {:.1} µs | {:.2}x |",
            wall * n as f64,
            wall * 1e6,
            wall / w0,
            cpu * n as f64,
            cpu * 1e6,
            cpu / c0
        );
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    println!("{} runs each, median", runs());
    bench_diff();
    bench_start_order();
    bench_verify();
}
