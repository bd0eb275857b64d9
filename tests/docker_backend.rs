//! The docker backend against a real daemon: containers from a tiny `FROM scratch` image with
//! a static busybox (built here once from the host's `busybox-static`), started, killed,
//! paused, partitioned and removed. Reported ignored when Docker or busybox-static is missing
//! (a failure under `SHAKEDOWN_REQUIRE_DOCKER=1`): `common::harness`.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::busybox::docker;
use common::harness::Tests;
use common::prerequisite::Need;
use common::runtime::block_on;

use shakedown::scenario::backend::{clean_docker, Address, BackendError, DockerBackend, Launch};
use shakedown::scenario::{Dur, Healthcheck};

const PORT: u16 = 8080;
/// How long a container may take to answer after it starts or resumes.
const READY: Duration = Duration::from_secs(10);
/// How long a probe waits for an answer that should not come.
const SILENCE: Duration = Duration::from_secs(1);

/// The docker CLI's standard output, trimmed.
fn docker_out(args: &[&str]) -> String {
    docker(args, Duration::from_secs(20))
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// A run id no other test (or test process) uses.
fn run_id() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "t{:x}x{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A web server answering `greeting` on port 8080 (environment and arguments both used).
fn web(name: &str, greeting: &str) -> Launch {
    let script = "echo \"starting $GREETING\" && echo \"$GREETING\" > /www/index.html && \
                  exec /bin/busybox httpd -f -v -p \"$PORT\" -h /www";
    Launch {
        name: name.into(),
        argv: vec!["sh".into(), "-c".into(), script.into()],
        image: Some(common::busybox::IMAGE.to_string()),
        env: BTreeMap::from([
            ("PORT".to_string(), PORT.to_string()),
            ("GREETING".to_string(), greeting.to_string()),
        ]),
        port: PORT,
        healthcheck: None,
    }
}

/// The body of `GET /` at `addr`, if it answers 200 within `limit`.
fn http_get(addr: &Address, limit: Duration) -> Option<String> {
    let socket: SocketAddr = addr.to_string().parse().ok()?;
    let mut stream = TcpStream::connect_timeout(&socket, limit).ok()?;
    stream.set_read_timeout(Some(limit)).ok()?;
    stream.set_write_timeout(Some(limit)).ok()?;
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    body_of_200(&answer)
}

fn body_of_200(answer: &str) -> Option<String> {
    let (head, body) = answer.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200")
        .then(|| body.trim().to_string())
}

/// Waits (bounded) until `addr` answers; its body.
fn wait_answer(addr: &Address) -> Option<String> {
    let deadline = Instant::now() + READY;
    while Instant::now() < deadline {
        if let Some(body) = http_get(addr, SILENCE) {
            return Some(body);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// `GET /` from inside `from`'s container to `to` (busybox nc, 2 s connect timeout).
fn get_from(backend: &DockerBackend, from: &str, to: &Address) -> Option<String> {
    let script = format!(
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 2 {} {}",
        to.host, to.port
    );
    let container = backend.container_name(from);
    let output = docker(
        &["exec", &container, "/bin/busybox", "sh", "-c", &script],
        Duration::from_secs(10),
    )?;
    body_of_200(&String::from_utf8_lossy(&output.stdout))
}

/// Names of the containers and networks labelled with the run.
fn leftovers(run_id: &str) -> (String, String) {
    let filter = format!("label=org.shakedown.run={run_id}");
    (
        docker_out(&["ps", "-aq", "--filter", &filter]),
        docker_out(&["network", "ls", "-q", "--filter", &filter]),
    )
}

/// A prepared backend whose logs go to a temporary directory (removed with it).
async fn prepared(run_id: &str) -> (DockerBackend, tempfile::TempDir) {
    let logs = tempfile::tempdir().expect("log directory");
    let mut backend = DockerBackend::new(run_id, logs.path().to_path_buf());
    backend.prepare().await.expect("prepare");
    (backend, logs)
}

async fn started(backend: &mut DockerBackend, name: &str) -> Address {
    let address = backend.start(&web(name, name)).await.expect("start");
    assert_eq!(
        wait_answer(&address).as_deref(),
        Some(name),
        "{name} answers"
    );
    address
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn should_name_the_missing_image_and_the_script_that_builds_it() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    let mut launch = web("orders", "x");
    launch.image = Some("shakedown-test/absent:latest".into());
    let error = backend.start(&launch).await.err().map(|e| e.to_string());
    let error = error.unwrap_or_default();
    assert!(
        error.contains("\"shakedown-test/absent:latest\""),
        "{error}"
    );
    assert!(error.contains("scripts/images.sh"), "{error}");

    launch.image = None;
    let missing = backend.start(&launch).await;
    assert!(matches!(
        missing,
        Err(BackendError::Missing { what: "image", .. })
    ));
    backend.shutdown().await;
}

async fn should_start_labelled_containers_on_the_run_network_reachable_from_the_host() {
    let run = run_id();
    let (mut backend, _logs) = prepared(&run).await;
    let a = started(&mut backend, "a").await;
    let b = started(&mut backend, "b").await;
    assert_ne!(a.host, b.host);
    assert_eq!((a.port, b.port), (PORT, PORT));

    let container = backend.container_name("a");
    let format = "{{index .Config.Labels \"org.shakedown.run\"}} \
                  {{index .Config.Labels \"org.shakedown.service\"}} {{.HostConfig.NetworkMode}}";
    let labels = docker_out(&["inspect", "-f", format, &container]);
    assert_eq!(labels, format!("{run} a shakedown-{run}"));
    assert_eq!(docker_out(&["port", &container]), "", "no published port");
    let network = docker_out(&[
        "network",
        "inspect",
        "-f",
        "{{index .Labels \"org.shakedown.run\"}}",
        &backend.network_name(),
    ]);
    assert_eq!(network, run);
    backend.shutdown().await;
}

async fn should_let_containers_reach_a_listener_on_the_proxy_host() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    started(&mut backend, "a").await;
    let listener = TcpListener::bind((backend.proxy_host().as_str(), 0)).expect("bind gateway");
    let listen = Address {
        host: backend.proxy_host(),
        port: listener.local_addr().expect("address").port(),
    };
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().ok()?;
        stream.set_read_timeout(Some(READY)).ok()?;
        let mut request = [0; 64];
        let _ = stream.read(&mut request).ok()?;
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nproxy")
            .ok()
    });
    assert_eq!(get_from(&backend, "a", &listen).as_deref(), Some("proxy"));
    let _ = server.join();
    backend.shutdown().await;
}

async fn should_let_containers_reach_each_other_by_service_name() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    started(&mut backend, "a").await;
    started(&mut backend, "b").await;
    let by_name = |name: &str| Address {
        host: name.into(),
        port: PORT,
    };
    assert_eq!(get_from(&backend, "a", &by_name("b")).as_deref(), Some("b"));
    assert_eq!(get_from(&backend, "b", &by_name("a")).as_deref(), Some("a"));
    backend.shutdown().await;
}

async fn should_report_the_health_docker_sees() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    let mut launch = web("a", "a");
    let test = ["CMD", "/bin/busybox", "test", "-f", "/www/ready"];
    launch.healthcheck = Some(Healthcheck {
        test: test.iter().map(|s| s.to_string()).collect(),
        interval: Dur::ms(100),
    });
    started(&mut backend, "b").await;
    backend.start(&launch).await.expect("start");
    assert_eq!(backend.health("b").await, None, "no healthcheck");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = backend.health("a").await;
    assert!(
        matches!(before.as_deref(), Some("starting" | "unhealthy")),
        "{before:?}"
    );
    let container = backend.container_name("a");
    docker_out(&["exec", &container, "/bin/busybox", "touch", "/www/ready"]);
    let deadline = Instant::now() + READY;
    let mut health = None;
    while Instant::now() < deadline && health.as_deref() != Some("healthy") {
        tokio::time::sleep(Duration::from_millis(100)).await;
        health = backend.health("a").await;
    }
    assert_eq!(health.as_deref(), Some("healthy"));
    backend.shutdown().await;
}

async fn should_answer_again_after_kill_and_restart() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    let a = started(&mut backend, "a").await;
    let b = started(&mut backend, "b").await;
    let id = docker_out(&["inspect", "-f", "{{.Id}}", &backend.container_name("a")]);

    backend.kill("a").await.expect("kill");
    assert_eq!(http_get(&a, SILENCE), None);
    assert_eq!(
        exited_soon(&mut backend, "a").await.as_deref(),
        Some("exited with code 137")
    );
    assert_eq!(backend.exited("b").await, None);
    assert_eq!(http_get(&b, SILENCE).as_deref(), Some("b"));

    let again = backend.restart("a").await.expect("restart");
    assert_eq!(again.port, PORT);
    assert_eq!(wait_answer(&again).as_deref(), Some("a"));
    assert_eq!(backend.exited("a").await, None);
    let same = docker_out(&["inspect", "-f", "{{.Id}}", &backend.container_name("a")]);
    assert_eq!(same, id, "the same container");
    assert_eq!(http_get(&b, SILENCE).as_deref(), Some("b"));
    backend.shutdown().await;
}

async fn should_kill_a_paused_container_and_restart_it() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    started(&mut backend, "a").await;
    backend.pause("a").await.expect("pause");

    backend.kill("a").await.expect("kill");
    assert_eq!(
        exited_soon(&mut backend, "a").await.as_deref(),
        Some("exited with code 137")
    );
    backend.kill("a").await.expect("killing twice");
    let again = backend.restart("a").await.expect("restart");
    assert_eq!(wait_answer(&again).as_deref(), Some("a"));
    backend.shutdown().await;
}

async fn should_tell_how_a_container_exited() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    let mut launch = web("a", "a");
    launch.argv = names(&["sh", "-c", "exit 3"]);
    let how = match backend.start(&launch).await {
        Err(e) => Some(e.to_string()),
        Ok(_) => {
            let deadline = Instant::now() + READY;
            let mut how = None;
            while how.is_none() && Instant::now() < deadline {
                how = backend.exited("a").await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            how
        }
    };
    let how = how.unwrap_or_default();
    assert!(how.contains("exited with code 3"), "{how}");
    backend.shutdown().await;
}

async fn should_not_answer_while_paused_and_answer_after_resume() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    let a = started(&mut backend, "a").await;

    backend.pause("a").await.expect("pause");
    backend.pause("a").await.expect("pausing twice");
    assert_eq!(http_get(&a, SILENCE), None);
    assert_eq!(backend.exited("a").await, None, "paused is not exited");

    backend.resume("a").await.expect("resume");
    backend.resume("a").await.expect("resuming twice");
    assert_eq!(wait_answer(&a).as_deref(), Some("a"));
    backend.shutdown().await;
}

async fn should_cut_traffic_between_partitioned_groups_until_healed() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    let a = started(&mut backend, "a").await;
    let b = started(&mut backend, "b").await;
    let c = started(&mut backend, "c").await;
    assert_eq!(get_from(&backend, "a", &b).as_deref(), Some("b"));

    let (left, right) = (names(&["a"]), names(&["b"]));
    backend.partition(&left, &right, false).await.expect("cut");
    backend
        .partition(&left, &right, false)
        .await
        .expect("cut twice");
    assert_eq!(get_from(&backend, "a", &b), None);
    assert_eq!(get_from(&backend, "b", &a), None);
    assert_eq!(get_from(&backend, "a", &c).as_deref(), Some("c"));
    assert_eq!(
        http_get(&b, SILENCE).as_deref(),
        Some("b"),
        "the host is not cut"
    );

    backend
        .heal_partition(&left, &right, false)
        .await
        .expect("heal");
    backend
        .heal_partition(&left, &right, false)
        .await
        .expect("heal twice");
    assert_eq!(get_from(&backend, "a", &b).as_deref(), Some("b"));
    assert_eq!(get_from(&backend, "b", &a).as_deref(), Some("a"));
    backend.shutdown().await;
}

async fn should_cut_one_direction_only_when_one_way() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    let a = started(&mut backend, "a").await;
    let b = started(&mut backend, "b").await;

    let (left, right) = (names(&["a"]), names(&["b"]));
    backend.partition(&left, &right, true).await.expect("cut");
    assert_eq!(get_from(&backend, "a", &b), None);
    assert_eq!(get_from(&backend, "b", &a).as_deref(), Some("a"));

    backend
        .heal_partition(&left, &right, true)
        .await
        .expect("heal");
    assert_eq!(get_from(&backend, "a", &b).as_deref(), Some("b"));
    backend.shutdown().await;
}

async fn should_keep_a_partition_across_a_restart() {
    let (mut backend, _logs) = prepared(&run_id()).await;
    let a = started(&mut backend, "a").await;
    started(&mut backend, "b").await;
    let (left, right) = (names(&["a"]), names(&["b"]));
    backend.partition(&left, &right, false).await.expect("cut");

    backend.kill("b").await.expect("kill");
    let b = backend.restart("b").await.expect("restart");
    assert_eq!(wait_answer(&b).as_deref(), Some("b"));
    assert_eq!(get_from(&backend, "a", &b), None);
    assert_eq!(get_from(&backend, "b", &a), None);

    backend
        .heal_partition(&left, &right, false)
        .await
        .expect("heal");
    assert_eq!(get_from(&backend, "a", &b).as_deref(), Some("b"));
    backend.shutdown().await;
}

async fn should_save_logs_and_remove_everything_at_shutdown() {
    let run = run_id();
    let (mut backend, _logs) = prepared(&run).await;
    for name in ["a", "b", "c"] {
        started(&mut backend, name).await;
    }
    backend.pause("a").await.expect("pause");
    backend.kill("b").await.expect("kill");

    let stopped = backend.shutdown().await;
    assert_eq!(stopped, names(&["a", "b", "c"]));
    assert_eq!(leftovers(&run), (String::new(), String::new()));
    let log = std::fs::read_to_string(backend.log_file("c").unwrap()).unwrap_or_default();
    assert!(log.contains("starting c"), "standard output: {log:?}");
    assert!(log.contains("response:200"), "standard error: {log:?}");
    for name in ["a", "b"] {
        assert!(backend.log_file(name).unwrap().exists(), "{name}.log");
    }
    assert!(
        backend.shutdown().await.is_empty(),
        "a second shutdown has nothing to do"
    );
}

async fn should_remove_everything_when_dropped_inside_a_runtime() {
    let run = run_id();
    let (mut backend, _logs) = prepared(&run).await;
    started(&mut backend, "a").await;
    backend.pause("a").await.expect("pause");
    assert_ne!(leftovers(&run).0, "");

    drop(backend);
    assert_eq!(leftovers(&run), (String::new(), String::new()));
}

fn should_remove_everything_when_dropped_outside_any_runtime() {
    let run = run_id();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (backend, _logs) = runtime.block_on(async {
        let (mut backend, logs) = prepared(&run).await;
        started(&mut backend, "a").await;
        (backend, logs)
    });
    drop(runtime);

    drop(backend);
    assert_eq!(leftovers(&run), (String::new(), String::new()));
}

async fn should_clean_the_leftovers_of_a_killed_run() {
    let run = run_id();
    let (mut backend, _logs) = prepared(&run).await;
    started(&mut backend, "a").await;
    started(&mut backend, "b").await;
    let expected = vec![
        backend.container_name("a"),
        backend.container_name("b"),
        backend.network_name(),
    ];
    std::mem::forget(backend);

    let other = clean_docker(Some(&run_id()), false)
        .await
        .expect("clean another run");
    assert!(other.is_empty(), "{other:?}");
    assert_ne!(
        leftovers(&run).0,
        "",
        "another run's cleaning left this one alone"
    );

    let cleaned = clean_docker(Some(&run), false).await.expect("clean");
    let mut removed: Vec<String> = cleaned.into_iter().flat_map(|r| r.removed).collect();
    removed.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(removed, expected);
    assert_eq!(leftovers(&run), (String::new(), String::new()));
}

/// How a killed container exited: `kill` sends the signal and returns, and Docker notices
/// the exit a moment later (at most 5 s here).
async fn exited_soon(backend: &mut DockerBackend, name: &str) -> Option<String> {
    for _ in 0..100 {
        if let Some(how) = backend.exited(name).await {
            return Some(how);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    None
}

const DOCKER: &[Need] = &[Need::Busybox];

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            DOCKER,
            "should_name_the_missing_image_and_the_script_that_builds_it",
            || block_on(should_name_the_missing_image_and_the_script_that_builds_it()),
        )
        .needs(
            DOCKER,
            "should_start_labelled_containers_on_the_run_network_reachable_from_the_host",
            || {
                block_on(
                    should_start_labelled_containers_on_the_run_network_reachable_from_the_host(),
                )
            },
        )
        .needs(
            DOCKER,
            "should_let_containers_reach_a_listener_on_the_proxy_host",
            || block_on(should_let_containers_reach_a_listener_on_the_proxy_host()),
        )
        .needs(
            DOCKER,
            "should_let_containers_reach_each_other_by_service_name",
            || block_on(should_let_containers_reach_each_other_by_service_name()),
        )
        .needs(DOCKER, "should_report_the_health_docker_sees", || {
            block_on(should_report_the_health_docker_sees())
        })
        .needs(DOCKER, "should_answer_again_after_kill_and_restart", || {
            block_on(should_answer_again_after_kill_and_restart())
        })
        .needs(
            DOCKER,
            "should_kill_a_paused_container_and_restart_it",
            || block_on(should_kill_a_paused_container_and_restart_it()),
        )
        .needs(DOCKER, "should_tell_how_a_container_exited", || {
            block_on(should_tell_how_a_container_exited())
        })
        .needs(
            DOCKER,
            "should_not_answer_while_paused_and_answer_after_resume",
            || block_on(should_not_answer_while_paused_and_answer_after_resume()),
        )
        .needs(
            DOCKER,
            "should_cut_traffic_between_partitioned_groups_until_healed",
            || block_on(should_cut_traffic_between_partitioned_groups_until_healed()),
        )
        .needs(DOCKER, "should_cut_one_direction_only_when_one_way", || {
            block_on(should_cut_one_direction_only_when_one_way())
        })
        .needs(DOCKER, "should_keep_a_partition_across_a_restart", || {
            block_on(should_keep_a_partition_across_a_restart())
        })
        .needs(
            DOCKER,
            "should_save_logs_and_remove_everything_at_shutdown",
            || block_on(should_save_logs_and_remove_everything_at_shutdown()),
        )
        .needs(
            DOCKER,
            "should_remove_everything_when_dropped_inside_a_runtime",
            || block_on(should_remove_everything_when_dropped_inside_a_runtime()),
        )
        .needs(DOCKER, "should_clean_the_leftovers_of_a_killed_run", || {
            block_on(should_clean_the_leftovers_of_a_killed_run())
        })
        .needs(
            DOCKER,
            "should_remove_everything_when_dropped_outside_any_runtime",
            should_remove_everything_when_dropped_outside_any_runtime,
        )
        .run()
}
