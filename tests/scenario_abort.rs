//! Guardrails: an `[[abort]]` condition, `max_duration` and the kill switch (a file or
//! SIGUSR1) stop a real run at once — every fault healed within 100 ms of the trip, the run
//! `aborted` in the journal, JUnit and HTML, exit 1, nothing left running.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::cli::{shakedown, text};
use common::harness::Tests;
use common::prerequisite::Need;
use common::runs::{processes_of, Leftovers};
use common::wait::eventually;
use shakedown::report::{EventKind, Journal, RunOutcome};

const CHECKOUT: &str = "checkout stays fast and available";

/// scenarios/latency.toml in `dir`, its paths made absolute, with a guardrail on checkout's
/// p99: the fragile shop waits the whole 2 s of latency, the resilient one times out fast.
fn latency_with_abort(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/latency.toml"))
        .unwrap()
        .replace(
            "system = \"systems/shop.toml\"",
            &format!(
                "system = {:?}",
                root.join("scenarios/systems/shop.toml")
                    .display()
                    .to_string()
            ),
        )
        .replace(
            "\"../contracts/web-orders.json\"",
            &format!(
                "{:?}",
                root.join("contracts/web-orders.json").display().to_string()
            ),
        );
    let text = format!(
        "{text}\n[[abort]]\nname = \"checkout too slow\"\ncanary = \"{CHECKOUT}\"\n\
         p99_above = \"1s\"\nover = \"5s\"\n"
    );
    let file = dir.join("latency-abort.toml");
    std::fs::write(&file, text).unwrap();
    file
}

/// A finished `shakedown run`: exit code, journal, output, how long it took.
struct Ran {
    code: Option<i32>,
    journal: Journal,
    text: String,
    took: Duration,
    report: tempfile::TempDir,
}

fn run_cli(file: &Path, backend: &str, resilient: bool) -> Ran {
    let report = tempfile::tempdir().unwrap();
    let began = Instant::now();
    let out = shakedown(["run", "--no-live", "--backend", backend, "--report"])
        .arg(report.path())
        .arg(file)
        .env("SHAKEDOWN_STATE_DIR", report.path().join("state"))
        .env("RESILIENCE", if resilient { "on" } else { "off" })
        .output()
        .unwrap();
    let took = began.elapsed();
    let text = text(&out);
    let journal = shakedown::report::read_json(&report.path().join("journal.json"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let _left = Leftovers(journal.run_id.clone());
    Ran {
        code: out.status.code(),
        journal,
        text,
        took,
        report,
    }
}

/// When the run was aborted and by what: (at ms, condition, detail).
fn aborted(j: &Journal) -> Option<(f64, String, String)> {
    j.events.iter().find_map(|e| match &e.what {
        EventKind::Aborted { condition, detail } => {
            Some((e.at_ms, condition.clone(), detail.clone()))
        }
        _ => None,
    })
}

/// Asserts an aborted run: exit 1, outcome aborted by `condition`, every applied fault healed
/// within 100 ms of the trip with the cause said, the reports saying so, nothing left.
fn assert_aborted(ran: &Ran, condition: &str) -> f64 {
    let j = &ran.journal;
    let text = &ran.text;
    assert_eq!(
        (ran.code, j.outcome),
        (Some(1), RunOutcome::Aborted),
        "{text}"
    );
    let (tripped_ms, seen, detail) = aborted(j).unwrap_or_else(|| panic!("no abort\n{text}"));
    assert_eq!(seen, condition, "{text}");
    assert!(
        !j.faults.is_empty(),
        "a fault was applied before the trip\n{text}"
    );
    let cause = format!("aborted: {condition}");
    for e in &j.events {
        if let EventKind::FaultHealed {
            fault, cause: c, ..
        } = &e.what
        {
            let after = e.at_ms - tripped_ms;
            assert!(
                (0.0..100.0).contains(&after),
                "{fault} healed {after:.1} ms after the trip\n{text}"
            );
            assert_eq!(c.as_deref(), Some(cause.as_str()), "{text}");
        }
    }
    assert!(
        j.faults.iter().all(|f| f.end_ms.is_some()),
        "every fault healed\n{text}"
    );
    // The summary, the live lines, JUnit and HTML all say it.
    assert!(text.contains("aborted"), "{text}");
    assert!(
        text.contains(&format!("aborted: {condition} tripped — {detail}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("healed at teardown: {cause}")),
        "{text}"
    );
    let junit = std::fs::read_to_string(ran.report.path().join("junit.xml")).unwrap();
    assert!(
        junit.contains(&format!("name=\"aborted: {condition}\"")),
        "{junit}"
    );
    assert!(junit.contains("<failure"), "{junit}");
    let html = std::fs::read_to_string(ran.report.path().join("report.html")).unwrap();
    assert!(html.contains("badge aborted"), "the HTML's outcome badge");
    assert!(
        html.contains(&format!("at teardown: {cause}")),
        "the HTML's fault table"
    );
    assert!(
        eventually(Duration::from_secs(5), || processes_of(&j.run_id)
            .is_empty()),
        "no process of the run is left"
    );
    tripped_ms
}

fn addresses(j: &Journal) -> Vec<String> {
    j.events
        .iter()
        .filter_map(|e| match &e.what {
            EventKind::ServiceStarted { address, .. } => Some(address.clone()),
            _ => None,
        })
        .collect()
}

fn fragile_shop_is_aborted(backend: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = latency_with_abort(dir.path());
    let ran = run_cli(&file, backend, false);
    let tripped = assert_aborted(&ran, "checkout too slow");
    let j = &ran.journal;
    // Faults start 1 s (warm-up) + 2 s in, last 6 s, then 3 s of settle: ≥ 12 s of canaries.
    let (_, _, detail) = aborted(j).unwrap();
    assert!(
        detail.starts_with("p99 ") && detail.contains("> 1000ms"),
        "{detail}"
    );
    let fault_start = j.faults[0].start_ms;
    assert!(
        tripped - fault_start < 4000.0,
        "tripped {:.0} ms into the fault\n{}",
        tripped - fault_start,
        ran.text
    );
    let finished = shakedown_duration(j);
    assert!(
        finished < fault_start + 6000.0,
        "the run ended at {finished:.0} ms, before the fault's own end\n{}",
        ran.text
    );
    assert!(ran.took < Duration::from_secs(30), "took {:?}", ran.took);
    if backend == "process" {
        for address in addresses(j) {
            let address = address.trim_start_matches("http://");
            assert!(
                std::net::TcpStream::connect_timeout(
                    &address.parse().unwrap(),
                    Duration::from_millis(200)
                )
                .is_err(),
                "{address} is closed"
            );
        }
    } else {
        assert_no_containers(&j.run_id);
    }
}

fn shakedown_duration(j: &Journal) -> f64 {
    j.events
        .iter()
        .find_map(|e| match e.what {
            EventKind::RunFinished { .. } => Some(e.at_ms),
            _ => None,
        })
        .unwrap()
}

fn resilient_shop_is_not_aborted() {
    let dir = tempfile::tempdir().unwrap();
    let file = latency_with_abort(dir.path());
    let ran = run_cli(&file, "process", true);
    assert_eq!(aborted(&ran.journal), None, "{}", ran.text);
    assert_eq!(
        (ran.code, ran.journal.outcome),
        (Some(0), RunOutcome::Passed),
        "{}",
        ran.text
    );
}

fn assert_no_containers(run_id: &str) {
    let label = format!("label=org.shakedown.run={run_id}");
    let out = std::process::Command::new("docker")
        .args(["ps", "-a", "--filter", &label, "--format", "{{.Names}}"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).trim().is_empty(),
        "no container of the run is left"
    );
}

/// A python web server paused for a minute behind a canary: only a guardrail ends it early.
const PAUSED: &str = r#"
name = "paused a minute"
warmup = "200ms"
settle = "1s"
MAX

[services.web]
command = ["sh", "-c", 'exec python3 -m http.server "$PORT" --bind 127.0.0.1']
ready = { http = "/" }

[[canaries]]
name = "web answers"
http = { url = "{{ services.web }}/", timeout = "1s" }
every = "200ms"

[[faults]]
kind = "pause"
service = "web"
start = "0s"
duration = "60s"
"#;

fn paused(dir: &Path, max: &str) -> PathBuf {
    let file = dir.join("paused.toml");
    std::fs::write(&file, PAUSED.replace("MAX", max)).unwrap();
    file
}

/// `shakedown run` started, its stderr lines read on a thread.
struct Running {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
    report: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(file: &Path, extra: &[&str]) -> Running {
        let report = tempfile::tempdir().unwrap();
        let mut child = shakedown(["run", "--no-live", "--report"])
            .arg(report.path())
            .args(extra)
            .arg(file)
            .env("SHAKEDOWN_STATE_DIR", report.path().join("state"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
            report,
        }
    }

    /// The first line containing `text` (within 30 s).
    fn until(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(line.clone());
            if line.contains(text) {
                return line;
            }
        }
        panic!("no line with {text:?}; saw {:#?}", self.seen);
    }

    /// Waits for the end (within 20 s): the finished run.
    fn finish(mut self) -> Ran {
        let began = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                began.elapsed() < Duration::from_secs(20),
                "the run did not stop"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            let _ = std::io::Read::read_to_string(&mut out, &mut stdout);
        }
        let mut text = self.seen.join("\n");
        text.extend(self.lines.try_iter().map(|l| format!("\n{l}")));
        let text = format!("{stdout}\n{text}");
        let journal = shakedown::report::read_json(&self.report.path().join("journal.json"))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let report = tempfile::tempdir().unwrap();
        for name in ["journal.json", "junit.xml", "report.html"] {
            std::fs::copy(self.report.path().join(name), report.path().join(name)).unwrap();
        }
        Ran {
            code: status.code(),
            journal,
            text,
            took: began.elapsed(),
            report,
        }
    }
}

fn kill_switch_file_aborts() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Running::start(&paused(dir.path(), ""), &[]);
    // The default file, printed when the run starts: <state dir>/runs/<run id>/ABORT.
    let line = run.until("kill switch: touch ");
    let file = line["kill switch: touch ".len()..]
        .split(" or kill -USR1")
        .next()
        .unwrap()
        .to_string();
    assert!(
        file.starts_with(&run.report.path().join("state/runs").display().to_string())
            && file.ends_with("/ABORT"),
        "{line}"
    );
    run.until("fault pause-1: pause");
    std::fs::write(&file, "").unwrap();
    let ran = run.finish();
    assert_aborted(&ran, &format!("kill switch ({file})"));
}

fn sigusr1_aborts() {
    let dir = tempfile::tempdir().unwrap();
    let unused = dir.path().join("never-created");
    let mut run = Running::start(
        &paused(dir.path(), ""),
        &["--kill-switch", unused.to_str().unwrap()],
    );
    let line = run.until("kill switch: touch ");
    assert!(line.contains(unused.to_str().unwrap()), "{line}");
    run.until("fault pause-1: pause");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(run.child.id() as i32),
        nix::sys::signal::Signal::SIGUSR1,
    )
    .unwrap();
    let ran = run.finish();
    assert!(ran.took < Duration::from_secs(5), "took {:?}", ran.took);
    assert_aborted(&ran, "kill switch (SIGUSR1)");
}

fn max_duration_aborts() {
    let dir = tempfile::tempdir().unwrap();
    let began = Instant::now();
    let ran = run_cli(
        &paused(dir.path(), "max_duration = \"3s\""),
        "process",
        true,
    );
    assert_aborted(&ran, "max_duration 3s");
    let (at, _, _) = aborted(&ran.journal).unwrap();
    assert!((3000.0..3200.0).contains(&at), "tripped at {at:.0} ms");
    assert!(
        began.elapsed() < Duration::from_secs(15),
        "took {:?}",
        began.elapsed()
    );
}

fn failing_steady_state_aborts() {
    let dir = tempfile::tempdir().unwrap();
    let file = paused(dir.path(), "");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text += r#"
[[steady_state]]
name = "web is up"
http = { url = "{{ services.web }}/", timeout = "300ms" }

[[abort]]
steady_state = "web is up"
success_rate_below = 0.5
over = "2s"
every = "200ms"
"#;
    std::fs::write(&file, text).unwrap();
    let ran = run_cli(&file, "process", true);
    let tripped = assert_aborted(&ran, "abort-1");
    let (_, _, detail) = aborted(&ran.journal).unwrap();
    assert!(
        detail.starts_with("success rate ") && detail.ends_with("< 50% over the last 2s"),
        "{detail}"
    );
    let paused_at = ran.journal.faults[0].start_ms;
    assert!(
        tripped - paused_at < 3000.0,
        "tripped {:.0} ms after the pause",
        tripped - paused_at
    );
}

const PROCESS: &[Need] = &[Need::ShopBuilt, Need::NatsServer];
const DOCKER: &[Need] = &[Need::ShopImages];

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            PROCESS,
            "process::should_abort_the_fragile_shop_when_checkout_slows",
            || fragile_shop_is_aborted("process"),
        )
        .needs(
            PROCESS,
            "process::should_not_abort_the_resilient_shop",
            resilient_shop_is_not_aborted,
        )
        .needs(
            DOCKER,
            "docker::should_abort_the_fragile_shop_and_remove_its_containers",
            || fragile_shop_is_aborted("docker"),
        )
        .test(
            "should_abort_when_the_kill_switch_file_appears",
            kill_switch_file_aborts,
        )
        .test("should_abort_on_sigusr1", sigusr1_aborts)
        .test("should_abort_past_max_duration", max_duration_aborts)
        .test(
            "should_abort_when_a_steady_state_check_keeps_failing",
            failing_steady_state_aborts,
        )
        .run()
}
