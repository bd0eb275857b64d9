//! The harness tells a resilient service from a fragile one: every scenario of `scenarios/`
//! passes against the example shop with its timeout, circuit breaker and outbox, and fails
//! without them (`RESILIENCE=off`) — on local processes, and on Docker containers.
//!
//! Docker tests need the images of `scripts/images.sh`; they are reported ignored when Docker
//! or the images are missing, unless `SHAKEDOWN_REQUIRE_DOCKER=1` (as in CI), where they fail
//! (`common::harness`).

mod common;

use common::harness::Tests;
use common::prerequisite::Need;
use common::shop_run::run_shop;
use shakedown::report::{CheckKind, Journal, RunOutcome};

fn run(scenario: &str, backend: &str, resilient: bool) -> (Option<i32>, Journal, String) {
    let r = run_shop(scenario, backend, resilient);
    (r.code, r.journal, r.text)
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

/// What the process backend needs: the shop's binaries and the broker.
const PROCESS: &[Need] = &[Need::ShopBuilt, Need::NatsServer];
/// What the docker backend needs: the shop's images.
const DOCKER: &[Need] = &[Need::ShopImages];

/// Lists every scenario twice, `process::NAME` and `docker::NAME`.
macro_rules! both_backends {
    ($($name:ident: $file:literal breaks $check:expr;)*) => {
        fn main() -> std::process::ExitCode {
            Tests::new()
                $(.needs(PROCESS, concat!("process::", stringify!($name)), || {
                    tells_apart($file, "process", $check)
                }))*
                $(.needs(DOCKER, concat!("docker::", stringify!($name)), || {
                    tells_apart($file, "docker", $check)
                }))*
                .run()
        }
    };
}

both_backends! {
    should_tell_apart_under_latency: "latency" breaks CHECKOUT;
    should_tell_apart_under_jitter: "jitter" breaks CHECKOUT;
    should_tell_apart_under_bandwidth: "bandwidth" breaks CHECKOUT;
    should_tell_apart_under_reset: "reset" breaks CHECKOUT;
    should_tell_apart_under_timeout: "timeout" breaks CHECKOUT;
    should_tell_apart_under_http_errors: "http-errors" breaks CHECKOUT;
    should_tell_apart_under_crash: "crash" breaks CHECKOUT;
    should_tell_apart_under_pause: "pause" breaks CHECKOUT;
    should_tell_apart_under_partition: "partition" breaks SHIPPED;
    should_tell_apart_on_game_day: "game-day" breaks CHECKOUT;
}
