//! Canary schedule accuracy: 10 canaries at `every = "10ms"` (1,000 probes/s) for about
//! 10 s against the example shop's `payments` `/health`, on each backend. Reports how late
//! probes start after their scheduled time (p50/p99/max), missed probes, and probes recorded
//! against the schedule's count.
//!
//! Run with `cargo build -p shakedown-shop && cargo bench --bench schedule` (with the images
//! of `scripts/images.sh` to include the docker backend). All traffic stays on loopback and
//! the run's own container.

use std::process::{Command, Stdio};

use serde_json::Value;

const CANARIES: usize = 10;
const EVERY_MS: f64 = 10.0;
/// The settle: how long the canaries run (without faults the warm-up is not waited).
const SECONDS: f64 = 10.0;

fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1)) - 1;
    v.get(i).copied().unwrap_or(f64::NAN)
}

/// The scenario: `payments` alone, `CANARIES` canaries on its `/health`.
fn scenario(payments: &str) -> String {
    let mut s = format!(
        "name = \"schedule accuracy\"\nwarmup = \"1s\"\nsettle = \"{}s\"\n\n\
         [services.payments]\ncommand = [{payments:?}]\n\
         image = \"shakedown-example/payments:latest\"\nport = 9090\n\
         ready = {{ http = \"/health\" }}\n",
        SECONDS
    );
    for i in 1..=CANARIES {
        s.push_str(&format!(
            "\n[[canaries]]\nname = \"health {i}\"\n\
             http = {{ url = \"{{{{ services.payments }}}}/health\", timeout = \"2s\" }}\n\
             every = \"{EVERY_MS}ms\"\nexpect = {{ success_rate = 0.0 }}\n"
        ));
    }
    s
}

struct Figures {
    lags: Vec<f64>,
    missed: usize,
    failed: usize,
    recorded: usize,
    expected: usize,
}

/// Runs the scenario once on `backend` and reads its probes from the journal.
fn run(backend: &str) -> Figures {
    let dir = tempfile::tempdir().unwrap();
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let payments = std::path::Path::new(&target).join("debug/payments");
    let payments = std::fs::canonicalize(&payments).unwrap_or(payments);
    let file = dir.path().join("schedule.toml");
    std::fs::write(&file, scenario(&payments.display().to_string())).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .args(["run", "--no-live", "--backend", backend, "--report"])
        .arg(dir.path().join("report"))
        .arg(&file)
        .env("SHAKEDOWN_STATE_DIR", dir.path().join("state"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let journal: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("report/journal.json")).expect("journal.json"),
    )
    .unwrap();
    eprintln!("  {backend}: exit {:?}", status.code());
    let probes: Vec<&Value> = journal["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "probe")
        .collect();
    // Each canary runs from its first scheduled probe to its last: count the ticks between.
    let mut expected = 0;
    for i in 1..=CANARIES {
        let due: Vec<f64> = probes
            .iter()
            .filter(|p| p["canary"] == format!("health {i}").as_str())
            .map(|p| p["at_ms"].as_f64().unwrap() - p["latency_ms"].as_f64().unwrap())
            .collect();
        let first = due.iter().copied().fold(f64::INFINITY, f64::min);
        let last = due.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if first.is_finite() {
            expected += ((last - first) / EVERY_MS).round() as usize + 1;
        }
    }
    Figures {
        lags: probes
            .iter()
            .map(|p| p["lag_ms"].as_f64().unwrap_or(f64::NAN))
            .collect(),
        missed: probes.iter().filter(|p| p["missed"] == true).count(),
        failed: probes.iter().filter(|p| p["ok"] == false).count(),
        recorded: probes.len(),
        expected,
    }
}

fn docker_image_present() -> bool {
    Command::new("docker")
        .args(["image", "inspect", "shakedown-example/payments:latest"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn main() {
    let mut backends = vec!["process"];
    if docker_image_present() {
        backends.push("docker");
    } else {
        eprintln!("shakedown-example/payments:latest missing (scripts/images.sh): docker skipped");
    }
    println!(
        "{CANARIES} canaries × every {EVERY_MS} ms for {SECONDS} s ({} probes/s planned)",
        CANARIES as f64 * 1000.0 / EVERY_MS
    );
    println!("| backend | start lag p50 / p99 / max | missed | failed | recorded / scheduled |");
    println!("|---|---|---|---|---|");
    for backend in backends {
        let mut f = run(backend);
        println!(
            "| {backend} | {:.2} / {:.2} / {:.2} ms | {} | {} | {} / {} ({:.2}%) |",
            quantile(&mut f.lags, 0.5),
            quantile(&mut f.lags, 0.99),
            quantile(&mut f.lags, 1.0),
            f.missed,
            f.failed,
            f.recorded,
            f.expected,
            f.recorded as f64 * 100.0 / f.expected.max(1) as f64
        );
    }
}
