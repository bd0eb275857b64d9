//! Hostile runs: services that ignore SIGTERM, fork children and daemonise, runs killed
//! midway. Nothing a run started outlives it, and `shakedown clean` touches only dead runs.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::cli::shakedown;
use common::harness::Tests;
use common::prerequisite::Need;
use common::runs::{processes_of, Leftovers};
use common::wait::eventually;

/// An HTTP server on `$PORT`, the leader of a service's process group.
const SERVER: &str = r#"exec python3 -m http.server "$PORT" --bind 127.0.0.1"#;

/// Three services that leave something behind: a group member that ignores SIGTERM (the
/// leader does not), children in the group, a daemon (double fork, setsid). `{warmup}` and
/// `{faults}` are filled in.
const SCENARIO: &str = r#"
name = "hostile services"
seed = 1
warmup = "{warmup}"

[services.stubborn]
command = ["sh", "-c", '(trap "" TERM; exec sleep 300) & {server}']

[services.forker]
command = ["sh", "-c", 'sleep 300 & sleep 301 & {server}']

[services.daemon]
command = ["sh", "-c", 'python3 -c "import os, time; os.fork() and os._exit(0); os.setsid(); os.fork() and os._exit(0); time.sleep(300)" & {server}']
{faults}
"#;

/// A fault that keeps a run going for a minute (the warmup) before it pauses anything.
const LONG: &str = r#"
[[faults]]
kind = "pause"
service = "forker"
start = "0s"
duration = "1s"
"#;

/// Writes the scenario into `dir`: a short run, or one that lasts (`long`).
fn scenario(dir: &Path, long: bool) -> std::path::PathBuf {
    let text = SCENARIO
        .replace("{server}", SERVER)
        .replace("{warmup}", if long { "60s" } else { "100ms" })
        .replace("{faults}", if long { LONG } else { "" });
    let path = dir.join("hostile.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `shakedown run FILE` on the process backend, state in `state`, stderr piped.
fn spawn_run(file: &Path, state: &Path) -> Child {
    spawn_on(file, state, "process")
}

/// `shakedown run FILE --backend BACKEND`, state in `state`, stderr piped.
fn spawn_on(file: &Path, state: &Path, backend: &str) -> Child {
    shakedown([
        "run",
        file.to_str().unwrap(),
        "--no-live",
        "--backend",
        backend,
    ])
    .env("SHAKEDOWN_STATE_DIR", state)
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

/// The run id from the first event lines of a run's stderr; the rest is drained.
fn run_id(child: &mut Child) -> String {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("] run ").nth(1) {
                let _ = tx.send(rest.split(':').next().unwrap_or_default().to_string());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the run announces its id")
}

/// Waits (bounded) until the run's state file records `n` process groups.
fn until_recorded(state: &Path, run_id: &str, n: usize) {
    let file = shakedown::scenario::state_file(state, run_id);
    let recorded = || {
        std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<shakedown::scenario::RunState>(&b).ok())
            .is_some_and(|s| s.pids.len() == n)
    };
    assert!(
        eventually(Duration::from_secs(30), recorded),
        "the services started"
    );
}

/// Waits (bounded) for a child to exit.
fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the run did not end");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn should_leave_no_process_after_a_run_whose_services_ignore_sigterm_fork_and_daemonise() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), false);
    let mut run = spawn_run(&file, dir.path());
    let id = run_id(&mut run);
    let _leftovers = Leftovers(id.clone());
    let status = wait_exit(&mut run, Duration::from_secs(60));
    assert!(status.success(), "the run passes: {status}");
    assert!(
        eventually(Duration::from_secs(3), || processes_of(&id).is_empty()),
        "left behind: {:?}",
        processes_of(&id)
    );
}

fn should_let_clean_kill_the_children_of_a_killed_runs_wrapper_services() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), true);
    let mut run = spawn_run(&file, dir.path());
    let id = run_id(&mut run);
    let _leftovers = Leftovers(id.clone());
    until_recorded(dir.path(), &id, 3);
    run.kill().unwrap(); // SIGKILL: no teardown
    run.wait().unwrap();
    let out = shakedown(["clean", "--no-docker"])
        .env("SHAKEDOWN_STATE_DIR", dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&id), "{text}");
    assert!(
        eventually(Duration::from_secs(3), || processes_of(&id).is_empty()),
        "left behind: {:?}\n{text}",
        processes_of(&id)
    );
}

fn should_refuse_service_and_link_names_that_are_not_plain_words() {
    let out = common::cli::run(&["validate", "tests/data/scenarios/bad-names.toml"]);
    let text = common::cli::text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    insta::assert_snapshot!("bad-names", text);
}

/// Names of the containers labelled for `run_id`.
fn containers_of(run_id: &str) -> Vec<String> {
    let label = format!("label=org.shakedown.run={run_id}");
    let out = std::process::Command::new("docker")
        .args(["ps", "-a", "--filter", &label, "--format", "{{.Names}}"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// `shakedown clean ARGS` with the state folder `state`: its stdout.
fn clean(state: &Path, args: &[&str]) -> String {
    let out = shakedown(["clean"].iter().chain(args))
        .env("SHAKEDOWN_STATE_DIR", state)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text}");
    text
}

/// Kills a Docker run and removes its containers when dropped (a failing test).
struct DockerRun(Child, String);

impl Drop for DockerRun {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = shakedown(["clean", "--no-docker", "--run", &self.1]).output();
        let _ = std::process::Command::new("sh")
            .args([
                "-c",
                "docker ps -aq --filter label=org.shakedown.run=$0 | xargs -r docker rm -f",
                &self.1,
            ])
            .output();
    }
}

fn should_leave_the_containers_of_a_live_docker_run_to_it_when_cleaning() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new("tests/data/scenarios/long-faults.toml");
    let mut child = spawn_on(file, dir.path(), "docker");
    let id = run_id(&mut child);
    let mut run = DockerRun(child, id.clone());
    assert!(
        eventually(Duration::from_secs(60), || containers_of(&id).len() == 2),
        "the run's containers start"
    );
    // Another job's cleanup, with a state folder of its own.
    let elsewhere = tempfile::tempdir().unwrap();
    let text = clean(elsewhere.path(), &[]);
    assert_eq!(
        containers_of(&id).len(),
        2,
        "a live run keeps its containers: {text}"
    );
    assert!(text.contains(&id) && text.contains("live"), "{text}");
    run.0.kill().unwrap(); // SIGKILL: the run is dead, its containers are leftovers
    run.0.wait().unwrap();
    let text = clean(elsewhere.path(), &[]);
    assert!(
        containers_of(&id).is_empty(),
        "a dead run's containers go: {text}"
    );
}

fn should_refuse_a_log_file_for_a_name_that_is_a_path_whatever_the_caller() {
    use shakedown::scenario::backend::ProcessBackend;
    let dir = tempfile::tempdir().unwrap();
    let backend = ProcessBackend::new(dir.path().into(), dir.path().join("logs"));
    assert!(backend.log_file("orders").is_ok());
    for name in ["../../x", "a/b", "", ".."] {
        assert!(backend.log_file(name).is_err(), "{name:?}");
    }
}

/// A one-service scenario that passes in a moment.
const QUICK: &str = r#"
name = "quick"
warmup = "100ms"

[services.web]
command = ["sh", "-c", 'exec python3 -m http.server "$PORT" --bind 127.0.0.1']
"#;

/// `shakedown run` of the quick scenario with no state folder named: `$XDG_STATE_HOME` is
/// `home/state`, the temporary directory `home/tmp`.
fn run_quick(home: &Path) -> std::process::Output {
    let file = home.join("quick.toml");
    std::fs::write(&file, QUICK).unwrap();
    std::fs::create_dir_all(home.join("tmp")).unwrap();
    let file = file.to_str().unwrap();
    shakedown(["run", file, "--no-live", "--backend", "process"])
        .env_remove("SHAKEDOWN_STATE_DIR")
        .env("XDG_STATE_HOME", home.join("state"))
        .env("TMPDIR", home.join("tmp"))
        .output()
        .unwrap()
}

fn should_keep_run_state_in_a_private_folder_of_the_user_and_refuse_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let out = run_quick(home.path());
    let text = common::cli::text(&out);
    assert!(out.status.success(), "{text}");
    let dir = home.path().join("state").join("shakedown");
    let mode = std::fs::metadata(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}\n{text}", dir.display()))
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "{mode:o}");
    assert!(dir.join("runs").is_dir(), "logs and state under it");

    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), &dir).unwrap();
    let out = run_quick(home.path());
    let text = common::cli::text(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("symlink"), "{text}");
    let written: Vec<_> = std::fs::read_dir(elsewhere.path()).unwrap().collect();
    assert!(
        written.is_empty(),
        "nothing written through the symlink: {written:?}"
    );
}

fn should_refuse_to_clean_from_a_state_folder_of_another_user() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir_all(state.join("runs")).unwrap();
    // Another user's folder (we run as root in CI; elsewhere chown is refused: skipped).
    if std::os::unix::fs::chown(&state, Some(65534), Some(65534)).is_err() {
        assert!(std::env::var("CI").is_err(), "CI runs as root");
        eprintln!("skipped: changing a folder's owner needs root");
        return;
    }
    let out = shakedown(["clean", "--no-docker"])
        .env("SHAKEDOWN_STATE_DIR", &state)
        .output()
        .unwrap();
    let text = common::cli::text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("belongs to another user"), "{text}");
}

const PAYMENTS_IMAGE: &[Need] = &[Need::Images(&["shakedown-example/payments:latest"])];

fn main() -> std::process::ExitCode {
    Tests::new()
        .test(
            "should_leave_no_process_after_a_run_whose_services_ignore_sigterm_fork_and_daemonise",
            should_leave_no_process_after_a_run_whose_services_ignore_sigterm_fork_and_daemonise,
        )
        .test(
            "should_let_clean_kill_the_children_of_a_killed_runs_wrapper_services",
            should_let_clean_kill_the_children_of_a_killed_runs_wrapper_services,
        )
        .test(
            "should_refuse_service_and_link_names_that_are_not_plain_words",
            should_refuse_service_and_link_names_that_are_not_plain_words,
        )
        .needs(
            PAYMENTS_IMAGE,
            "should_leave_the_containers_of_a_live_docker_run_to_it_when_cleaning",
            should_leave_the_containers_of_a_live_docker_run_to_it_when_cleaning,
        )
        .test(
            "should_refuse_a_log_file_for_a_name_that_is_a_path_whatever_the_caller",
            should_refuse_a_log_file_for_a_name_that_is_a_path_whatever_the_caller,
        )
        .test(
            "should_keep_run_state_in_a_private_folder_of_the_user_and_refuse_a_symlink",
            should_keep_run_state_in_a_private_folder_of_the_user_and_refuse_a_symlink,
        )
        .test(
            "should_refuse_to_clean_from_a_state_folder_of_another_user",
            should_refuse_to_clean_from_a_state_folder_of_another_user,
        )
        .run()
}
