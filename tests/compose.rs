//! The example shop's `docker-compose.yml`: imported as a scenario's system (its links routed
//! through the fault proxy), brought up by plain `docker-compose`, and run as a scenario on
//! the docker backend with a latency fault on orders → payments. The Docker tests are
//! reported ignored without Docker, the shop's images or docker-compose (`common::harness`).

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::harness::Tests;
use common::prerequisite::Need;
use common::runtime::block_on_threads;

use shakedown::report::{summary, EventKind, RunOutcome};
use shakedown::scenario::{load, BackendKind, Cancel, Problem, RunOptions, Scenario};

const SCENARIO: &str = "scenarios/compose-latency.toml";
const COMPOSE: &str = "examples/shop/docker-compose.yml";
/// How long the shop may take to answer after `docker-compose up`.
const UP: Duration = Duration::from_secs(30);

fn main() -> std::process::ExitCode {
    Tests::new()
        .test(
            "should_import_the_shops_compose_file_and_route_its_links",
            should_import_the_shops_compose_file_and_route_its_links,
        )
        .needs(
            &[Need::ShopImages, Need::DockerCompose],
            "should_run_the_shops_compose_file_under_docker_compose",
            should_run_the_shops_compose_file_under_docker_compose,
        )
        .needs(
            &[Need::ShopImages],
            "should_route_a_latency_fault_between_compose_services_through_the_proxy",
            should_route_a_latency_fault_between_compose_services_through_the_proxy,
        )
        .needs(
            &[Need::Busybox],
            "should_wait_for_dockers_healthy_when_the_healthcheck_is_not_http",
            should_wait_for_dockers_healthy_when_the_healthcheck_is_not_http,
        )
        .run()
}

/// `scenarios/compose-latency.toml`, its Compose file imported by the loader, with the
/// loader's warnings.
fn compose_scenario() -> (Scenario, Vec<Problem>) {
    let scenario = load(Path::new(SCENARIO)).unwrap_or_else(|e| panic!("{e}"));
    let warnings = scenario.warnings.clone();
    (scenario, warnings)
}

fn should_import_the_shops_compose_file_and_route_its_links() {
    let (scenario, warnings) = compose_scenario();
    assert!(warnings.is_empty(), "{warnings:?}");
    let services: Vec<&str> = scenario.services.keys().map(String::as_str).collect();
    assert_eq!(services, ["nats", "orders", "payments", "shipping"]);
    let orders = &scenario.services["orders"];
    assert_eq!(
        orders.image.as_deref(),
        Some("shakedown-example/orders:latest")
    );
    assert_eq!(orders.port, Some(8080));
    assert_eq!(orders.depends_on, ["payments", "nats"]);
    assert_eq!(
        orders.env["PAYMENTS_URL"],
        "http://{{ link.orders-payments.addr }}"
    );
    assert_eq!(orders.env["NATS_URL"], "nats://{{ link.orders-nats.addr }}");
    assert_eq!(
        orders.env["RESILIENCE"],
        "{{ env.RESILIENCE | default: \"on\" }}"
    );
    let shipping = &scenario.services["shipping"];
    assert_eq!(
        shipping.env["NATS_URL"],
        "nats://{{ link.shipping-nats.addr }}"
    );
    assert_eq!(scenario.services["nats"].port, Some(4222));
    assert_eq!(scenario.services["payments"].port, Some(9090));
}

/// `docker-compose -p PROJECT -f COMPOSE ARGS…`, bounded.
fn compose(project: &str, args: &[&str]) -> Output {
    let mut child = Command::new("docker-compose")
        .args(["-p", project, "-f", COMPOSE])
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("docker-compose");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("docker-compose output")
}

/// `docker-compose down -v` on drop: the project is removed even when the test fails.
struct Down(String);

impl Drop for Down {
    fn drop(&mut self) {
        let out = compose(&self.0, &["down", "-v", "--remove-orphans"]);
        if !out.status.success() {
            eprintln!("down: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// The status of `GET url`, if it answers within a second.
fn status(url: &str) -> Option<u16> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()
        .ok()?;
    client.get(url).send().ok().map(|r| r.status().as_u16())
}

fn should_run_the_shops_compose_file_under_docker_compose() {
    let project = format!("shakedowntest{}", std::process::id());
    let down = Down(project.clone());
    let up = compose(&project, &["up", "-d"]);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let port = compose(&project, &["port", "orders", "8080"]);
    let published = String::from_utf8_lossy(&port.stdout).trim().to_string();
    let (_, host_port) = published.rsplit_once(':').expect("HOST:PORT");
    let health = format!("http://127.0.0.1:{host_port}/health");
    let deadline = Instant::now() + UP;
    let mut last = None;
    while Instant::now() < deadline && last != Some(200) {
        last = status(&health);
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(last, Some(200), "{health}");
    drop(down);
    let filter = format!("label=com.docker.compose.project={project}");
    assert_eq!(docker_out(&["ps", "-aq", "--filter", &filter]), "");
    assert_eq!(
        docker_out(&["network", "ls", "-q", "--filter", &filter]),
        ""
    );
}

fn docker_out(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("docker");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs the scenario on the docker backend and checks it left nothing behind.
async fn run(scenario: &Scenario) -> shakedown::report::Journal {
    let state = tempfile::tempdir().expect("state directory");
    let options = RunOptions {
        backend: BackendKind::Docker,
        state_dir: Some(state.path().to_path_buf()),
        ..Default::default()
    };
    let journal = shakedown::scenario::run(scenario, options, Cancel::never()).await;
    let filter = format!("label=org.shakedown.run={}", journal.run_id);
    assert_eq!(
        docker_out(&["ps", "-aq", "--filter", &filter]),
        "",
        "containers left"
    );
    assert_eq!(
        docker_out(&["network", "ls", "-q", "--filter", &filter]),
        "",
        "networks left"
    );
    journal
}

/// `shakedown run SCENARIO --backend docker` with `RESILIENCE` set as given: its output, and
/// the journal it reported, after checking that the run left nothing behind.
fn run_cli(resilience: &str) -> (Output, serde_json::Value) {
    let state = tempfile::tempdir().expect("state directory");
    let report = tempfile::tempdir().expect("report directory");
    let out = common::cli::shakedown([
        "run",
        SCENARIO,
        "--backend",
        "docker",
        "--no-live",
        "--state-dir",
        &state.path().display().to_string(),
        "--report",
        &report.path().display().to_string(),
    ])
    .env("RESILIENCE", resilience)
    .output()
    .expect("shakedown runs");
    let journal = std::fs::read_to_string(report.path().join("journal.json")).expect("journal");
    let journal: serde_json::Value = serde_json::from_str(&journal).expect("JSON");
    let run_id = journal["run_id"].as_str().expect("run_id");
    let filter = format!("label=org.shakedown.run={run_id}");
    assert_eq!(
        docker_out(&["ps", "-aq", "--filter", &filter]),
        "",
        "containers left"
    );
    let networks = docker_out(&["network", "ls", "-q", "--filter", &filter]);
    assert_eq!(networks, "", "networks left");
    (out, journal)
}

fn should_route_a_latency_fault_between_compose_services_through_the_proxy() {
    // `shakedown run` on the Compose file: the resilient shop holds.
    let (out, _) = run_cli("on");
    assert_eq!(out.status.code(), Some(0), "{}", common::cli::text(&out));
    // The same fault breaks the fragile shop: the payments calls cross the link's proxy.
    let (out, journal) = run_cli("off");
    assert_eq!(out.status.code(), Some(1), "{}", common::cli::text(&out));
    let canary = "checkout stays fast and available";
    let failed = journal["events"]
        .as_array()
        .expect("events")
        .iter()
        .any(|e| e["event"] == "verdict" && e["check"] == canary && e["ok"] == false);
    assert!(failed, "{}", common::cli::text(&out));
}

/// A busybox web server that listens at once and becomes healthy (`/www/ready` exists) 2 s
/// later: a TCP connect would call it ready at once.
const SLOW_TO_HEALTH: &str = r#"services:
  slow:
    image: shakedown-test/busybox:latest
    command:
      - sh
      - -c
      - /bin/busybox httpd -p 8080 -h /www; /bin/busybox sleep 2; /bin/busybox touch /www/ready; exec /bin/busybox sleep 600
    ports: ["8080"]
    healthcheck:
      test: ["CMD", "/bin/busybox", "test", "-f", "/www/ready"]
      interval: 200ms
"#;

fn should_wait_for_dockers_healthy_when_the_healthcheck_is_not_http() {
    let dir = tempfile::tempdir().expect("folder");
    let file = dir.path().join("docker-compose.yml");
    std::fs::write(&file, SLOW_TO_HEALTH).expect("compose file");
    let text = "name = \"health\"\nwarmup = \"0s\"\nsettle = \"0s\"\n\
                system = { compose = \"docker-compose.yml\" }\n";
    let scenario_file = dir.path().join("health.toml");
    std::fs::write(&scenario_file, text).expect("scenario file");
    let scenario = load(&scenario_file).unwrap_or_else(|e| panic!("{e}"));
    let warnings = &scenario.warnings;
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(scenario.services["slow"].ready.healthcheck.is_some());
    let journal = block_on_threads(run(&scenario));
    assert_eq!(
        journal.outcome,
        RunOutcome::Passed,
        "{}",
        summary(&journal, false)
    );
    let waited = journal.events.iter().find_map(|e| match &e.what {
        EventKind::ServiceReady { waited_ms, .. } => Some(*waited_ms),
        _ => None,
    });
    let waited = waited.expect("a ServiceReady event");
    assert!((1500..10_000).contains(&waited), "ready after {waited} ms");
}
