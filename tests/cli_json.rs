//! `--format json` on standard output: the shapes docs/json-output.md documents, for
//! `verify` (against the example orders provider), `can-i-deploy` (yes and no) and `run` (a
//! small process-backend scenario), as insta snapshots with what changes between runs
//! (times, durations, addresses, run ids) redacted.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::Output;

use common::cli::text;
use serde_json::Value;
use shakedown_shop::orders_service;

/// `shakedown ARGS` with its results store in `results`.
fn shakedown(args: &[&str], results: &Path) -> Output {
    common::cli::run_with_store(args, results)
}

/// Standard output as JSON: it must be one JSON document and nothing else.
fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "standard output is not one JSON document: {e}\n{}",
            text(out)
        )
    })
}

/// `verify` of the orders provider at `url` against the example shop's contracts.
fn verify(url: &str, results: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "--contracts",
        "contracts/web-orders.json",
        "contracts/shipping-orders.json",
    ];
    args.extend(extra);
    common::cli::verify_orders(url, results, &args)
}

/// The verification report without what changes between runs (durations) or with the
/// contract files (digests, checked to be SHA-256 in hex).
fn assert_report_snapshot(name: &str, report: &Value) {
    insta::assert_json_snapshot!(name, report, {
        ".contracts[].interactions[].millis" => "[millis]",
        ".contracts[].digest" => insta::dynamic_redaction(|value, _| {
            let digest = value.as_str().unwrap_or_default();
            assert!(digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()), "{digest:?}");
            "[sha-256]"
        }),
    });
}

#[test]
fn should_print_the_verification_report_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let provider = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let out = verify(&provider.url(), dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = stdout_json(&out);
    assert_eq!(report["success"], true, "{report:#}");
    assert_report_snapshot("verify-passed", &report);
}

#[test]
fn should_print_a_broken_contract_in_the_verification_report_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let broken = orders_service::Config {
        rename_status: true,
    };
    let provider = orders_service::start("127.0.0.1:0", broken).unwrap();
    let out = verify(&provider.url(), dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = stdout_json(&out);
    assert_eq!(report["success"], false, "{report:#}");
    assert_report_snapshot("verify-failed", &report);
}

/// The decision of `can-i-deploy web 1.0 [--to ENV] --format json`, and its exit code.
fn can_i_deploy(results: &Path, to: Option<&str>) -> (Option<i32>, Value) {
    let mut args = vec![
        "can-i-deploy",
        "--pacticipant",
        "web",
        "--version",
        "1.0",
        "--format",
        "json",
    ];
    args.extend(to.iter().flat_map(|env| ["--to", env]));
    let out = shakedown(&args, results);
    (out.status.code(), stdout_json(&out))
}

#[test]
fn should_print_can_i_deploy_decisions_yes_and_no_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let published = shakedown(
        &[
            "publish",
            "contracts/web-orders.json",
            "--version",
            "1.0",
            "--format",
            "json",
        ],
        &results,
    );
    assert_eq!(published.status.code(), Some(0), "{}", text(&published));
    let records = stdout_json(&published);
    assert_eq!(records[0]["kind"], "contract", "{records:#}");
    assert_eq!(records[0]["consumerVersion"], "1.0", "{records:#}");

    let provider = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let recorded = verify(
        &provider.url(),
        &results,
        &["--record", "--provider-version", "7"],
    );
    assert_eq!(recorded.status.code(), Some(0), "{}", text(&recorded));

    let (code, yes) = can_i_deploy(&results, None);
    assert_eq!((code, &yes["ok"]), (Some(0), &Value::Bool(true)), "{yes:#}");
    insta::assert_json_snapshot!("can-i-deploy-yes", yes);

    // orders 6, which never verified web 1.0's contract, runs in prod.
    let deployed = shakedown(
        &[
            "record-deployment",
            "--pacticipant",
            "orders",
            "--version",
            "6",
            "--environment",
            "prod",
            "--format",
            "json",
        ],
        &results,
    );
    assert_eq!(deployed.status.code(), Some(0), "{}", text(&deployed));
    let record = stdout_json(&deployed);
    assert_eq!(
        (&record["kind"], &record["version"]),
        (&Value::from("deployment"), &Value::from("6")),
        "{record:#}"
    );
    let (code, no) = can_i_deploy(&results, Some("prod"));
    assert_eq!((code, &no["ok"]), (Some(1), &Value::Bool(false)), "{no:#}");
    insta::assert_json_snapshot!("can-i-deploy-no", no);
}

/// One python web server, probed by a canary while a pause fault holds it for 200 ms.
const SCENARIO: &str = r#"
name = "json journal"
description = "one web server, probed while it is paused"
seed = 7
warmup = "100ms"
settle = "300ms"

[services.web]
command = ["sh", "-c", 'exec python3 -m http.server "$PORT" --bind 127.0.0.1']
ready = { http = "/" }

[[steady_state]]
name = "web answers"
http = { url = "{{ services.web }}/" }

[[canaries]]
name = "web stays up"
http = { url = "{{ services.web }}/", timeout = "2s" }
every = "100ms"
expect = { status = "2xx", success_rate = 0.5 }

[[faults]]
kind = "pause"
service = "web"
start = "200ms"
duration = "200ms"
"#;

/// The journal without its probe events (how many there are depends on timing; one is
/// kept apart to show their shape).
fn split_probes(mut journal: Value) -> (Value, Option<Value>) {
    let events = journal["events"].as_array_mut().expect("events");
    let first_probe = events.iter().find(|e| e["event"] == "probe").cloned();
    events.retain(|e| e["event"] != "probe");
    (journal, first_probe)
}

#[test]
fn should_print_the_run_journal_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenario.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let out = common::cli::shakedown([
        "run",
        file.to_str().unwrap(),
        "--no-live",
        "--format",
        "json",
    ])
    .env("SHAKEDOWN_STATE_DIR", dir.path().join("state"))
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let (journal, probe) = split_probes(stdout_json(&out));
    let probe = probe.unwrap_or_else(|| panic!("no probe event: {journal:#}"));
    insta::assert_json_snapshot!("run-probe", probe, {
        ".at_ms" => "[ms]",
        ".latency_ms" => "[ms]",
        ".lag_ms" => "[ms]",
    });
    insta::assert_json_snapshot!("run-journal", journal, {
        ".run_id" => "[run id]",
        ".**.run_id" => "[run id]",
        ".**.address" => "[address]",
        ".**.logs" => "[logs]",
        ".**.detail" => "[detail]",
        ".**.at_ms" => "[ms]",
        ".**.waited_ms" => "[ms]",
        ".**.scheduled_ms" => "[ms]",
        ".**.late_ms" => "[ms]",
        ".**.recovered_ms" => "[ms]",
        ".**.duration_ms" => "[ms]",
        ".**.start_ms" => "[ms]",
        ".**.end_ms" => "[ms]",
        ".canaries[].probes" => "[count]",
        ".canaries[].successes" => "[count]",
        ".canaries[].success_rate" => "[rate]",
        ".canaries[].p50_ms" => "[ms]",
        ".canaries[].p95_ms" => "[ms]",
        ".canaries[].p99_ms" => "[ms]",
        ".canaries[].max_consecutive_failures" => "[count]",
        ".canaries[].windows[].probes" => "[count]",
        ".canaries[].windows[].successes" => "[count]",
        ".canaries[].windows[].success_rate" => "[rate]",
        ".canaries[].windows[].p50_ms" => "[ms]",
        ".canaries[].windows[].p95_ms" => "[ms]",
        ".canaries[].windows[].p99_ms" => "[ms]",
        ".canaries[].windows[].max_consecutive_failures" => "[count]",
    });
}

#[test]
fn should_print_located_problems_of_contracts_and_scenarios_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = shakedown(
        &[
            "contract",
            "check",
            "tests/fixtures/check/bad-regex.json",
            "examples/pacts/web-orders-v2.json",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let check = stdout_json(&out);
    let problem = &check["files"][0]["problems"][0];
    assert_eq!(
        (&problem["line"], &problem["column"], &problem["severity"]),
        (&Value::from(11), &Value::from(42), &Value::from("error")),
        "{check:#}"
    );
    assert_eq!(check["files"][1]["specVersion"], "2.0.0", "{check:#}");
    assert_eq!(
        (&check["errors"], &check["warnings"]),
        (&Value::from(1), &Value::from(0))
    );

    let out = shakedown(
        &[
            "validate",
            "tests/data/scenarios/bad-references.toml",
            "scenarios/latency.toml",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let files = stdout_json(&out);
    assert_eq!(files[0]["ok"], false, "{files:#}");
    assert_eq!(files[0]["problems"][0]["line"], 5, "{files:#}");
    assert_eq!(files[1]["ok"], true, "{files:#}");
    assert!(files[1]["name"].is_string(), "{files:#}");
}

#[test]
fn should_refuse_json_for_a_dry_run_rather_than_print_text() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "scenarios/latency.toml",
        "--dry-run",
        "--format",
        "json",
    ];
    let out = shakedown(&args, dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out));
}
