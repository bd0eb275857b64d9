//! Safety: an interrupted, killed or dropped run leaves no process behind; `shakedown clean`
//! removes what a killed run recorded. Real processes, real signals.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::shakedown;
use common::harness::Tests;
use common::prerequisite::Need;
use common::runs::processes_of;
use common::wait::eventually;

const SCENARIO: &str = "tests/data/scenarios/long-faults.toml";

struct Run {
    child: Child,
    run_id: String,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `shakedown run` and waits until both faults are applied.
fn start_run(state_dir: &Path) -> Run {
    start_on(state_dir, "process")
}

/// `shakedown run` on the long-faults scenario, its stderr piped.
fn spawn(state_dir: &Path, backend: &str) -> Child {
    shakedown(["run", SCENARIO, "--no-live", "--backend", backend])
        .env("SHAKEDOWN_STATE_DIR", state_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads event lines until both faults are applied; returns the run id.
fn until_faults_applied(lines: impl Iterator<Item = String>) -> String {
    let mut run_id = String::new();
    let mut seen = Vec::new();
    for line in lines {
        if let Some(rest) = line.split("] run ").nth(1) {
            run_id = rest.split(':').next().unwrap().to_string();
        }
        let done = line.contains("fault pause-2: pause");
        seen.push(line);
        if done {
            return run_id;
        }
    }
    panic!("no fault applied; saw {seen:#?}");
}

fn start_on(state_dir: &Path, backend: &str) -> Run {
    let mut child = spawn(state_dir, backend);
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let run_id = until_faults_applied(std::iter::from_fn(|| {
        rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()
    }));
    Run {
        child,
        run_id,
        lines: rx,
    }
}

fn state_file(dir: &Path, run_id: &str) -> std::path::PathBuf {
    shakedown::scenario::state_file(dir, run_id)
}

/// Asserts that no container and no network of the run is left.
fn assert_no_docker_leftovers(run_id: &str) {
    let label = format!("label=org.shakedown.run={run_id}");
    assert!(
        docker_lines(&["ps", "-a", "--filter", &label, "--format", "{{.Names}}"]).is_empty(),
        "no container left"
    );
    assert!(
        docker_lines(&["network", "ls", "--filter", &label, "--format", "{{.Name}}"]).is_empty(),
        "no network left"
    );
}

fn interrupt(run: &mut Run) -> (Option<i32>, Duration) {
    let sent = Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(run.child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(s) = run.child.try_wait().unwrap() {
            return (s.code(), sent.elapsed());
        }
        assert!(
            Instant::now() < deadline,
            "shakedown run did not stop after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn docker_lines(args: &[&str]) -> Vec<String> {
    let out = Command::new("docker").args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

fn should_heal_and_remove_every_container_on_ctrl_c() {
    let state = tempfile::tempdir().unwrap();
    let mut run = start_on(state.path(), "docker");
    let label = format!("label=org.shakedown.run={}", run.run_id);
    assert_eq!(
        docker_lines(&[
            "ps",
            "--filter",
            &label,
            "--format",
            "{{.Names}} {{.State}}"
        ])
        .len(),
        2
    );
    let (code, took) = interrupt(&mut run);
    assert_eq!(code, Some(2));
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_no_docker_leftovers(&run.run_id);
}

fn should_let_clean_remove_the_containers_of_a_killed_docker_run() {
    let state = tempfile::tempdir().unwrap();
    let mut run = start_on(state.path(), "docker");
    let label = format!("label=org.shakedown.run={}", run.run_id);
    run.child.kill().unwrap(); // SIGKILL: no teardown, no Drop
    run.child.wait().unwrap();
    assert_eq!(
        docker_lines(&["ps", "-a", "--filter", &label, "--format", "{{.Names}}"]).len(),
        2,
        "a killed run leaves its containers"
    );
    let out = shakedown(["clean", "--run", &run.run_id])
        .env("SHAKEDOWN_STATE_DIR", state.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("shakedown-{}-payments", run.run_id)),
        "{text}"
    );
    assert_no_docker_leftovers(&run.run_id);
    assert!(
        !state_file(state.path(), &run.run_id).exists(),
        "the run is forgotten"
    );
}

fn should_heal_on_ctrl_c_even_when_nobody_reads_its_output() {
    let state = tempfile::tempdir().unwrap();
    let mut child = spawn(state.path(), "process");
    let reader = BufReader::new(child.stderr.take().unwrap());
    let run_id = until_faults_applied(reader.lines().map_while(Result::ok));
    // `until_faults_applied` consumed and dropped the reader: the reading end of its stderr
    // is closed, so its next writes fail (EPIPE).
    let mut run = Run {
        child,
        run_id,
        lines: std::sync::mpsc::channel().1,
    };
    let (code, took) = interrupt(&mut run);
    assert_eq!(code, Some(2));
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(processes_of(&run.run_id).is_empty());
}

fn should_heal_and_remove_everything_on_ctrl_c() {
    let state = tempfile::tempdir().unwrap();
    let mut run = start_run(state.path());
    assert_eq!(processes_of(&run.run_id).len(), 2, "both services run");
    assert!(
        state_file(state.path(), &run.run_id).exists(),
        "a state file while it runs"
    );
    let sent = Instant::now();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(run.child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = run.child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "shakedown run did not stop after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = sent.elapsed();
    assert_eq!(status.code(), Some(2), "an interrupted run exits 2");
    assert!(
        took < Duration::from_secs(3),
        "healed and removed in {took:?}"
    );
    let rest: Vec<String> = run.lines.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("fault pause-2 healed")),
        "{rest:#?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("fault latency-1 healed")),
        "{rest:#?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("removed payments")),
        "{rest:#?}"
    );
    assert!(
        processes_of(&run.run_id).is_empty(),
        "no service process left"
    );
    assert!(
        !state_file(state.path(), &run.run_id).exists(),
        "state file removed"
    );
}

fn should_leave_no_process_when_killed_and_let_clean_remove_the_record() {
    let state = tempfile::tempdir().unwrap();
    let mut run = start_run(state.path());
    let file = state_file(state.path(), &run.run_id);
    assert_eq!(processes_of(&run.run_id).len(), 2);
    run.child.kill().unwrap(); // SIGKILL: no chance to clean up
    run.child.wait().unwrap();
    assert!(
        eventually(Duration::from_secs(5), || processes_of(&run.run_id)
            .is_empty()),
        "the services die with their parent (even the paused one)"
    );
    assert!(file.exists(), "a killed run leaves its state file");
    let out = shakedown(["clean", "--no-docker"])
        .env("SHAKEDOWN_STATE_DIR", state.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&run.run_id), "{text}");
    assert!(!file.exists(), "clean forgets the run");
}

fn should_remove_every_process_when_a_run_is_dropped_midway_as_on_a_panic() {
    let state = tempfile::tempdir().unwrap();
    let scenario = shakedown::scenario::load(Path::new(SCENARIO)).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let listener: shakedown::scenario::Listener = {
        let seen = seen.clone();
        std::sync::Arc::new(move |e: &shakedown::report::Event| {
            if let shakedown::report::EventKind::RunStarted { run_id, .. } = &e.what {
                *seen.lock().unwrap() = run_id.clone();
            }
        })
    };
    let options = shakedown::scenario::RunOptions {
        state_dir: Some(state.path().into()),
        listener: Some(listener),
        ..Default::default()
    };
    let outcome = rt.block_on(async {
        let run =
            shakedown::scenario::run(&scenario, options, shakedown::scenario::Cancel::never());
        tokio::time::timeout(Duration::from_secs(3), run).await
    });
    assert!(outcome.is_err(), "the run was cut off");
    let run_id = seen.lock().unwrap().clone();
    assert!(!run_id.is_empty());
    assert!(
        eventually(Duration::from_secs(5), || processes_of(&run_id).is_empty()),
        "every service process is gone"
    );
}

/// A python web server paused for a minute: the run is cancelled once the pause is applied.
const PAUSED_A_MINUTE: &str = r#"
name = "paused a minute"
warmup = "100ms"

[services.web]
command = ["sh", "-c", 'exec python3 -m http.server "$PORT" --bind 127.0.0.1']
ready = { http = "/" }

[[faults]]
kind = "pause"
service = "web"
start = "0s"
duration = "60s"
"#;

fn should_label_a_heal_caused_by_cancelling_the_run() {
    let state = tempfile::tempdir().unwrap();
    let file = state.path().join("paused.toml");
    let scenario = shakedown::scenario::parse(PAUSED_A_MINUTE, &file).unwrap();
    let (canceller, cancel) = shakedown::scenario::cancel_pair();
    let listener: shakedown::scenario::Listener = std::sync::Arc::new(move |e| {
        if matches!(e.what, shakedown::report::EventKind::FaultApplied { .. }) {
            canceller.cancel();
        }
    });
    let options = shakedown::scenario::RunOptions {
        state_dir: Some(state.path().into()),
        listener: Some(listener),
        ..Default::default()
    };
    let journal =
        common::runtime::block_on_threads(shakedown::scenario::run(&scenario, options, cancel));
    let heals: Vec<String> = journal
        .events
        .iter()
        .filter(|e| e.what.name() == "fault_healed")
        .map(|e| e.what.to_string())
        .collect();
    assert_eq!(
        heals,
        ["fault pause-1 healed at teardown: interrupted (Ctrl-C or a signal)"]
    );
}

const PAYMENTS_IMAGE: &[Need] = &[Need::Images(&["shakedown-example/payments:latest"])];
const SHOP: &[Need] = &[Need::ShopBuilt];

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            PAYMENTS_IMAGE,
            "should_heal_and_remove_every_container_on_ctrl_c",
            should_heal_and_remove_every_container_on_ctrl_c,
        )
        .needs(
            PAYMENTS_IMAGE,
            "should_let_clean_remove_the_containers_of_a_killed_docker_run",
            should_let_clean_remove_the_containers_of_a_killed_docker_run,
        )
        .needs(
            SHOP,
            "should_heal_on_ctrl_c_even_when_nobody_reads_its_output",
            should_heal_on_ctrl_c_even_when_nobody_reads_its_output,
        )
        .needs(
            SHOP,
            "should_heal_and_remove_everything_on_ctrl_c",
            should_heal_and_remove_everything_on_ctrl_c,
        )
        .needs(
            SHOP,
            "should_leave_no_process_when_killed_and_let_clean_remove_the_record",
            should_leave_no_process_when_killed_and_let_clean_remove_the_record,
        )
        .test(
            "should_label_a_heal_caused_by_cancelling_the_run",
            should_label_a_heal_caused_by_cancelling_the_run,
        )
        .needs(
            SHOP,
            "should_remove_every_process_when_a_run_is_dropped_midway_as_on_a_panic",
            should_remove_every_process_when_a_run_is_dropped_midway_as_on_a_panic,
        )
        .run()
}
