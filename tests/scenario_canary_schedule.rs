//! Canaries keep their schedule under faults (open model): a canary at `every = "100ms"`
//! whose probes go through a link made 2 s slow for 3 s records about 30 probes due inside
//! that window, and they fail (`timeout after 500ms`), on local processes and on Docker.
//!
//! The system is two of the example shop's `payments` services joined by a link; the canary
//! probes `{{ link.front-back }}/health`, i.e. the second one through the fault proxy. The
//! heal lets the answers held by the latency through at once, so the probes due in the last
//! 500 ms of the window answer in time: the rest (about 25) time out.

mod common;

use common::cli::{shakedown, text};
use common::harness::Tests;
use common::prerequisite::Need;
use shakedown::report::{Journal, RunOutcome};

/// The scenario: `payments` twice (`front` and `back`), the link between them 2 s slow from
/// 2 s to 5 s after the warm-up.
fn scenario(payments: &str) -> String {
    let service = |name: &str| {
        format!(
            "[services.{name}]\ncommand = [{payments:?}]\n\
             image = \"shakedown-example/payments:latest\"\nport = 9090\n\
             ready = {{ http = \"/health\" }}\n"
        )
    };
    format!(
        "name = \"canary schedule under latency\"\nwarmup = \"1s\"\nsettle = \"1s\"\n\n{}\n{}\n\
         [links.front-back]\nfrom = \"front\"\nto = \"back\"\n\n\
         [[canaries]]\nname = \"back through the link\"\n\
         http = {{ url = \"{{{{ link.front-back }}}}/health\", timeout = \"500ms\" }}\n\
         every = \"100ms\"\nexpect = {{ success_rate = 0.5 }}\n\n\
         [[faults]]\nkind = \"latency\"\nlink = \"front-back\"\nlatency = \"2s\"\n\
         start = \"2s\"\nduration = \"3s\"\n",
        service("front"),
        service("back")
    )
}

fn run(backend: &str) -> (Journal, String) {
    let dir = tempfile::tempdir().unwrap();
    let payments = common::shop::bin_dir().join("payments");
    let file = dir.path().join("schedule.toml");
    std::fs::write(&file, scenario(&payments.display().to_string())).unwrap();
    let out = shakedown(["run", "--no-live", "--backend", backend, "--report"])
        .arg(dir.path().join("report"))
        .arg(&file)
        .env("SHAKEDOWN_STATE_DIR", dir.path().join("state"))
        .output()
        .unwrap();
    let text = text(&out);
    let journal = shakedown::report::read_json(&dir.path().join("report/journal.json"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    (journal, text)
}

/// About 30 probes due inside the 3 s window, most of them failing by timeout; the steady
/// ones succeed; the whole run's success rate counts the failures.
fn keeps_its_schedule_under_latency(backend: &str) {
    let (journal, text) = run(backend);
    assert_ne!(journal.outcome, RunOutcome::Error, "{text}");
    let canary = &journal.canaries[0];
    let labels: Vec<&str> = canary.windows.iter().map(|w| w.label.as_str()).collect();
    assert_eq!(labels, ["latency-1", "steady"], "{text}");
    let (during, steady) = (&canary.windows[0], &canary.windows[1]);
    assert!(
        (25..=35).contains(&during.probes),
        "probes due in the 3 s window: {during:?}\n{text}"
    );
    assert_eq!(
        during.causes.first().map(|c| c.0.as_str()),
        Some("timeout after 500ms"),
        "{during:?}\n{text}"
    );
    assert!(during.causes[0].1 >= 20, "{during:?}\n{text}");
    assert!(
        steady.probes >= 30 && steady.success_rate > 0.9,
        "{steady:?}"
    );
    let expected = (steady.successes + during.successes) as f64 / canary.probes as f64;
    assert!(canary.success_rate < 0.8, "{canary:?}");
    assert!((canary.success_rate - expected).abs() < 1e-9, "{canary:?}");
}

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            &[Need::ShopBuilt],
            "process::should_keep_the_schedule_under_latency",
            || keeps_its_schedule_under_latency("process"),
        )
        .needs(
            &[Need::ShopImages],
            "docker::should_keep_the_schedule_under_latency",
            || keeps_its_schedule_under_latency("docker"),
        )
        .run()
}
