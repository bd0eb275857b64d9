//! The harness tells a resilient service from a fragile one: every scenario of `scenarios/`
//! passes against the example shop with its timeout, circuit breaker and outbox, and fails
//! without them (`RESILIENCE=off`) — on local processes, and on Docker containers.
//!
//! Docker tests need the images of `scripts/images.sh`; they skip with a notice when Docker
//! or the images are missing, unless `SHAKEDOWN_REQUIRE_DOCKER=1` (as in CI), where they fail.

use std::path::Path;
use std::process::Command;

use shakedown::report::{CheckKind, Journal, RunOutcome};

fn run(scenario: &str, backend: &str, resilient: bool) -> (Option<i32>, Journal, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .args([
            "run",
            &format!("scenarios/{scenario}.toml"),
            "--no-live",
            "--backend",
            backend,
            "--report",
        ])
        .arg(dir.path().join("report"))
        .env("SHAKEDOWN_STATE_DIR", dir.path().join("state"))
        .env("RESILIENCE", if resilient { "on" } else { "off" })
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let journal = shakedown::report::read_json(&dir.path().join("report/journal.json"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    (out.status.code(), journal, text)
}

fn failed_checks(j: &Journal) -> Vec<(String, CheckKind)> {
    j.verdicts()
        .filter(|v| !v.2)
        .map(|v| (v.0.to_string(), v.1))
        .collect()
}

/// Runs `scenario` resilient (must pass) and fragile (must fail on `breaks`).
fn tells_apart(scenario: &str, backend: &str, breaks: &str) {
    let (code, journal, text) = run(scenario, backend, true);
    assert_eq!(
        (code, journal.outcome),
        (Some(0), RunOutcome::Passed),
        "resilient {scenario} on {backend} must pass:\n{text}"
    );
    assert!(
        !journal.faults.is_empty() && journal.faults.iter().all(|f| f.end_ms.is_some()),
        "every fault applied and healed"
    );
    let (code, journal, text) = run(scenario, backend, false);
    assert_eq!(
        (code, journal.outcome),
        (Some(1), RunOutcome::Failed),
        "fragile {scenario} on {backend} must fail:\n{text}"
    );
    let failed = failed_checks(&journal);
    assert!(
        failed.iter().any(|(name, _)| name == breaks),
        "fragile {scenario}: {breaks:?} must fail, failed: {failed:?}\n{text}"
    );
}

const CHECKOUT: &str = "checkout stays fast and available";
const SHIPPED: &str = "every placed order is shipped";

fn examples_built() -> bool {
    let ok = ["orders", "payments", "shipping"]
        .iter()
        .all(|b| Path::new("target/debug/examples").join(b).exists());
    let nats = Command::new("nats-server")
        .arg("--version")
        .output()
        .is_ok();
    if ok && nats {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI needs the examples built and nats-server installed"
    );
    eprintln!(
        "skipped: needs `cargo build --examples` and nats-server (apt-get install nats-server)"
    );
    false
}

fn docker_ready() -> bool {
    let images =
        ["orders", "payments", "shipping", "nats"].map(|i| format!("shakedown-example/{i}:latest"));
    let ok = Command::new("docker")
        .args(["image", "inspect"])
        .args(&images)
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    assert!(std::env::var("SHAKEDOWN_REQUIRE_DOCKER").as_deref() != Ok("1"), "SHAKEDOWN_REQUIRE_DOCKER=1 but Docker or the example images (scripts/images.sh) are missing");
    eprintln!("skipped: Docker or the example images are missing (run scripts/images.sh)");
    false
}

macro_rules! both_backends {
    ($($name:ident: $file:literal breaks $check:expr;)*) => {
        mod process {
            $(#[test]
            fn $name() {
                if super::examples_built() {
                    super::tells_apart($file, "process", $check);
                }
            })*
        }
        mod docker {
            $(#[test]
            fn $name() {
                if super::docker_ready() {
                    super::tells_apart($file, "docker", $check);
                }
            })*
        }
    };
}

both_backends! {
    should_tell_apart_under_latency: "latency" breaks super::CHECKOUT;
    should_tell_apart_under_jitter: "jitter" breaks super::CHECKOUT;
    should_tell_apart_under_bandwidth: "bandwidth" breaks super::CHECKOUT;
    should_tell_apart_under_reset: "reset" breaks super::CHECKOUT;
    should_tell_apart_under_timeout: "timeout" breaks super::CHECKOUT;
    should_tell_apart_under_http_errors: "http-errors" breaks super::CHECKOUT;
    should_tell_apart_under_crash: "crash" breaks super::CHECKOUT;
    should_tell_apart_under_pause: "pause" breaks super::CHECKOUT;
    should_tell_apart_under_partition: "partition" breaks super::SHIPPED;
    should_tell_apart_on_game_day: "game-day" breaks super::CHECKOUT;
}
