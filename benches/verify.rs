//! Verification speed: `shakedown verify` and the reference `pact-verifier` (from `cargo
//! install pact_verifier_cli`) verify the same 1,000-interaction contract against the same
//! local provider (the example orders service, in this process), side by side, alternating.
//!
//! Run with `cargo bench --bench verify`. Set `PACT_VERIFIER` to the reference binary
//! (default: `pact-verifier` on PATH); without it only shakedown is measured. `BENCH_RUNS`
//! (default 5) runs of each; the median wall time of each whole process is reported.

#[path = "support/measure.rs"]
mod measure;

use measure::{env_count, median};

use shakedown_shop::orders_service;

use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::json;
use shakedown::contract::{
    category, Body, HttpRequest, HttpResponse, Interaction, InteractionKind, MatchingRule, Pact,
    Pattern, RulePath,
};

fn contract() -> Pact {
    let mut pact = Pact::new("bench-web", "orders");
    for n in 1..=1000u64 {
        let request = HttpRequest {
            path: format!("/catalog/{n}"),
            ..Default::default()
        };
        let mut response = HttpResponse {
            body: Body::json(
                &json!({"id": n, "sku": format!("SKU-{n:06}"), "name": "anything", "price": 1.0, "tags": ["x"]}),
            ),
            ..Default::default()
        };
        let rules = response.matching_rules.category_mut(category::BODY);
        let p = |s: &str| RulePath::parse(s).expect("static path");
        rules.add(p("$.id"), MatchingRule::Integer);
        rules.add(
            p("$.sku"),
            MatchingRule::Regex(Pattern::new("SKU-\\d{6}").expect("static regex")),
        );
        rules.add(
            p("$.name"),
            MatchingRule::Type {
                min: None,
                max: None,
            },
        );
        rules.add(p("$.price"), MatchingRule::Number);
        rules.add(
            p("$.tags"),
            MatchingRule::Type {
                min: Some(1),
                max: None,
            },
        );
        let kind = InteractionKind::Http { request, response };
        pact.interactions
            .push(Interaction::new(format!("catalogue item {n:04}"), kind));
    }
    pact
}

fn time(cmd: &mut Command) -> (f64, bool) {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the verifier runs");
    (start.elapsed().as_secs_f64(), status.success())
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let runs = env_count("BENCH_RUNS", 5);
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("bench-web-orders.json");
    std::fs::write(&file, contract().to_pretty_string()).expect("the contract is written");
    let provider = orders_service::start("127.0.0.1:0", orders_service::Config::default())
        .expect("the provider starts");
    let (url, port) = (provider.url(), provider.addr.port().to_string());
    let reference = std::env::var("PACT_VERIFIER").unwrap_or_else(|_| "pact-verifier".into());
    let has_reference = Command::new(&reference)
        .arg("--version")
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .is_ok_and(|o| o.status.success());
    println!("contract: 1,000 interactions (5 rules each); provider: example orders service on {url}; {runs} runs each, alternating");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (t, ok) = time(
            Command::new(env!("CARGO_BIN_EXE_shakedown"))
                .args([
                    "verify",
                    "--provider",
                    "orders",
                    "--base-url",
                    &url,
                    "--ignore-states",
                    "--contracts",
                ])
                .arg(&file),
        );
        assert!(ok, "shakedown verify passes");
        ours.push(t);
        if has_reference {
            let (t, ok) = time(
                Command::new(&reference)
                    .arg("-f")
                    .arg(&file)
                    .args(["-h", "127.0.0.1", "-p", &port, "-n", "orders"])
                    .env("PACT_DO_NOT_TRACK", "true"),
            );
            assert!(ok, "pact-verifier passes");
            theirs.push(t);
        }
    }
    println!(
        "shakedown verify: median {:.3} s  (runs: {:?})",
        median(&ours),
        ours.iter().map(|t| format!("{t:.3}")).collect::<Vec<_>>()
    );
    if has_reference {
        println!(
            "pact-verifier:    median {:.3} s  (runs: {:?})",
            median(&theirs),
            theirs.iter().map(|t| format!("{t:.3}")).collect::<Vec<_>>()
        );
        println!(
            "ratio pact-verifier / shakedown: {:.1}x faster",
            median(&theirs) / median(&ours)
        );
    } else {
        println!("reference pact-verifier not found ({reference}); measured shakedown only");
    }
}
