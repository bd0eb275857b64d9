//! A scenario of `scenarios/` run against the example shop through the `shakedown` CLI, with
//! its reports: what the shop tests (`scenario_shop`, `contract_sweep`) read.

use shakedown::report::Journal;

use super::cli::{shakedown, text};

/// What one run left: its exit code, journal, output and HTML report.
pub struct ShopRun {
    pub code: Option<i32>,
    pub journal: Journal,
    /// Standard output and error.
    pub text: String,
    pub html: String,
}

/// Runs `scenarios/<scenario>.toml` on `backend` against the shop, resilient or fragile
/// (`RESILIENCE=off`), with its state and reports in a temporary folder.
pub fn run_shop(scenario: &str, backend: &str, resilient: bool) -> ShopRun {
    let dir = tempfile::tempdir().unwrap();
    let out = shakedown([
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
    let text = text(&out);
    let journal = shakedown::report::read_json(&dir.path().join("report/journal.json"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let html = std::fs::read_to_string(dir.path().join("report/report.html")).unwrap_or_default();
    ShopRun {
        code: out.status.code(),
        journal,
        text,
        html,
    }
}
