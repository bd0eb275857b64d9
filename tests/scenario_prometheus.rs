//! Metrics probes against a real Prometheus: a `prometheus` server scrapes a run (its
//! targets file, `<state dir>/targets/<run id>.json`: the example shop's `/metrics` and the fault proxies' endpoint), and the
//! scenario's steady-state check, canary and hypothesis are PromQL queries. The hypothesis
//! (the orders service's own p99 latency under 1 s) holds for the resilient shop and fails,
//! with the value seen, for the fragile one (`RESILIENCE=off`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::cli::{shakedown, text};
use common::harness::Tests;
use common::prerequisite::{prometheus, Need};
use common::process::Guard;
use common::wait::{eventually, free_port};
use shakedown::report::{CheckKind, EventKind, Journal, RunOutcome};

const HYPOTHESIS: &str = "checkout p99 stays under 1s";
const CANARY: &str = "orders stays connected to the broker";
const STEADY: &str = "Prometheus scrapes orders (before)";

/// A `prometheus` on a free loopback port scraping every second whatever the runs under
/// `state` list in their targets files; killed when dropped (its data in a temp folder).
struct Prometheus {
    url: String,
    _process: Guard,
    _data: tempfile::TempDir,
}

impl Prometheus {
    fn start(state: &Path) -> Prometheus {
        let data = tempfile::tempdir().unwrap();
        let config = data.path().join("prometheus.yml");
        let targets = state.join("targets").join("*.json");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: shakedown\n    file_sd_configs:\n      - files: [{:?}]\n        refresh_interval: 1s\n",
                targets.display().to_string()
            ),
        )
        .unwrap();
        let port = free_port();
        let process = Guard(
            Command::new(prometheus().expect("Need::Prometheus"))
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    data.path().join("tsdb").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("prometheus starts"),
        );
        let url = format!("http://127.0.0.1:{port}");
        let ready = format!("{url}/-/ready");
        let up = eventually(Duration::from_secs(20), || {
            reqwest::blocking::get(&ready).is_ok_and(|r| r.status().is_success())
        });
        assert!(up, "prometheus ready at {url} within 20s");
        Prometheus {
            url,
            _process: process,
            _data: data,
        }
    }
}

/// scenarios/prometheus.toml with a guardrail on the orders service's own p99 (a
/// `prometheus` abort condition), written into `dir`.
fn with_abort(dir: &Path) -> PathBuf {
    let shop = std::fs::canonicalize("scenarios/systems/shop.toml").unwrap();
    let text = std::fs::read_to_string("scenarios/prometheus.toml")
        .unwrap()
        .replace(
            "system = \"systems/shop.toml\"",
            &format!("system = {:?}", shop.display().to_string()),
        );
    let file = dir.join("prometheus-abort.toml");
    std::fs::write(&file, text + ABORT).unwrap();
    file
}

const ABORT: &str = r#"
[[abort]]
name = "orders p99 over 1.5s"
prometheus = { url = '{{ env.PROMETHEUS_URL }}', query = 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{shakedown_run="{{ run_id }}", job="orders", method="POST", route="/orders"}[3s])))' }
value_above = 1.5
every = "500ms"
over = "1s"
"#;

/// Runs `scenario` against the shop (resilient or not) with `prom` judging.
fn run(
    prom: &Prometheus,
    state: &Path,
    scenario: &Path,
    resilient: bool,
) -> (Option<i32>, Journal, String) {
    let report = tempfile::tempdir().unwrap();
    let out = shakedown(["run", "--no-live", "--report"])
        .arg(report.path())
        .arg(scenario)
        .env("SHAKEDOWN_STATE_DIR", state)
        .env("PROMETHEUS_URL", &prom.url)
        .env("RESILIENCE", if resilient { "on" } else { "off" })
        .output()
        .unwrap();
    let text = text(&out);
    let journal = shakedown::report::read_json(&report.path().join("journal.json"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    (out.status.code(), journal, text)
}

/// A verdict's (ok, detail) by check name and kind.
fn verdict(j: &Journal, name: &str, kind: CheckKind) -> (bool, String) {
    j.verdicts()
        .find(|v| v.0 == name && v.1 == kind)
        .map(|v| (v.2, v.3.to_string()))
        .unwrap_or_else(|| panic!("no verdict for {name:?}"))
}

/// The value a hypothesis' detail names (`value 0.49` or `value 2.4 > max 1`).
fn value(detail: &str) -> f64 {
    let word = detail
        .split_whitespace()
        .skip_while(|w| *w != "value")
        .nth(1)
        .unwrap_or_else(|| panic!("no value in {detail:?}"));
    word.parse()
        .unwrap_or_else(|_| panic!("no number in {detail:?}"))
}

fn should_judge_the_shop_by_prometheus() {
    let state_dir = tempfile::tempdir().unwrap();
    let state: PathBuf = state_dir.path().join("state");
    let prom = Prometheus::start(&state);
    let guarded = with_abort(state_dir.path());
    let plain = Path::new("scenarios/prometheus.toml");

    // The guardrail never trips for the resilient shop.
    let (code, journal, out) = run(&prom, &state, &guarded, true);
    assert_eq!(
        (code, journal.outcome),
        (Some(0), RunOutcome::Passed),
        "resilient must pass:\n{out}"
    );
    let (ok, detail) = verdict(&journal, HYPOTHESIS, CheckKind::Hypothesis);
    println!("resilient: {HYPOTHESIS}: {detail}");
    assert!(ok && value(&detail) < 1.0, "{detail}");
    assert!(verdict(&journal, STEADY, CheckKind::SteadyState).0);
    assert!(verdict(&journal, CANARY, CheckKind::Canary).0);
    let targets = state
        .join("targets")
        .join(format!("{}.json", journal.run_id));
    assert!(!targets.exists(), "a finished run's targets are removed");

    let (code, journal, out) = run(&prom, &state, plain, false);
    assert_eq!(
        (code, journal.outcome),
        (Some(1), RunOutcome::Failed),
        "fragile must fail:\n{out}"
    );
    let (ok, detail) = verdict(&journal, HYPOTHESIS, CheckKind::Hypothesis);
    println!("fragile: {HYPOTHESIS}: {detail}");
    assert!(!ok, "the fragile shop's p99 is over 1s: {detail}");
    assert!(detail.contains("> max 1"), "the value seen: {detail}");
    assert!(value(&detail) > 1.0, "{detail}");
    assert!(out.contains(&detail), "the summary says it:\n{out}");

    // The guardrail trips for the fragile shop, during the fault, on the value Prometheus saw.
    let (code, journal, out) = run(&prom, &state, &guarded, false);
    assert_eq!(
        (code, journal.outcome),
        (Some(1), RunOutcome::Aborted),
        "the fragile shop trips the guardrail:\n{out}"
    );
    let aborted = journal.events.iter().find_map(|e| match &e.what {
        EventKind::Aborted { condition, detail } => Some((condition.clone(), detail.clone())),
        _ => None,
    });
    let (condition, detail) = aborted.unwrap_or_else(|| panic!("no aborted event:\n{out}"));
    println!("fragile, guarded: {condition}: {detail}");
    assert_eq!(condition, "orders p99 over 1.5s");
    assert!(detail.contains("> max 1.5"), "the value seen: {detail}");
    assert!(value(&detail) > 1.5, "{detail}");
    assert!(
        journal.faults.iter().all(|f| f.end_ms.is_some()),
        "every fault healed"
    );
}

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            &[Need::Prometheus, Need::ShopBuilt, Need::NatsServer],
            "should_judge_the_shop_by_prometheus",
            should_judge_the_shop_by_prometheus,
        )
        .run()
}
