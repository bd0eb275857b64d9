//! Interop: the reference Pact tools — `pact mock` and `pact verifier` (`pip install
//! pact-python-cli`), or the older `pact-mock-server` and `pact-verifier` (`cargo install
//! pact_mock_server_cli pact_verifier_cli`, or `$PACT_MOCK_SERVER`, `$PACT_VERIFIER`) — load
//! the contracts our example consumers record and serve them well enough for the consumer to
//! work against them, and verify them against our example provider.
//!
//! Part of `cargo test`: reported ignored when the tools are missing, a failure under
//! `CI=true` (`.ci/run` installs them with pip).

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::harness::Tests;
use common::prerequisite::{pact_mock_server, pact_verifier, Need};
use common::process::Guard;
use common::wait::{eventually, free_port};
use shakedown_shop::{orders_service, web_client};

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            &[Need::PactMockServer],
            "should_be_loaded_and_served_by_the_reference_mock_server",
            should_be_loaded_and_served_by_the_reference_mock_server,
        )
        .needs(
            &[Need::PactVerifier],
            "should_be_verified_by_the_reference_verifier_against_our_example_provider",
            should_be_verified_by_the_reference_verifier_against_our_example_provider,
        )
        .run()
}

/// `tool` (a command line: program, then arguments) with `args`, told not to send usage
/// metrics.
fn command(tool: &[String], args: &[&str]) -> Command {
    let mut command = Command::new(&tool[0]);
    command
        .args(&tool[1..])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PACT_DO_NOT_TRACK", "true");
    command
}

/// Asks the master mock server on `port` for a mock server of `file`; its port.
fn create(tool: &[String], port: u16, file: &str) -> u16 {
    let port = port.to_string();
    let args = ["create", "-p", &port, "--no-term-log", "-f", file];
    let out = command(tool, &args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the reference mock server rejected {file}: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.split_whitespace()
        .filter_map(|w| w.parse().ok())
        .next_back()
        .expect("a port is printed")
}

fn should_be_loaded_and_served_by_the_reference_mock_server() {
    let tool = pact_mock_server().expect("checked by Need::PactMockServer");
    let port = free_port();
    let start = [
        "start",
        "-p",
        &port.to_string(),
        "--no-file-log",
        "-l",
        "error",
    ];
    let _master = Guard(
        command(tool, &start)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let up = || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
    assert!(
        eventually(Duration::from_secs(10), up),
        "the master mock server listens"
    );
    let web = create(tool, port, "contracts/web-orders.json");
    let client = web_client::OrdersClient::new(&format!("http://127.0.0.1:{web}"));
    let order = client
        .order(1)
        .expect("the reference server serves our recorded interaction");
    assert_eq!(order.status, "placed");
    assert!(matches!(
        client.order(999),
        Err(web_client::ClientError::NotFound)
    ));
    assert_eq!(client.place("SKU-000123", 2).unwrap(), 43);
    create(tool, port, "contracts/shipping-orders.json");
}

fn should_be_verified_by_the_reference_verifier_against_our_example_provider() {
    let tool = pact_verifier().expect("checked by Need::PactVerifier");
    let provider = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let state = format!("{}/_pact/state", provider.url());
    let port = provider.addr.port().to_string();
    let out = command(
        tool,
        &["-f", "contracts/web-orders.json", "-h", "127.0.0.1"],
    )
    .args(["-p", &port, "-n", "orders"])
    .args(["--state-change-url", &state, "--state-change-teardown"])
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the reference verifier failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
