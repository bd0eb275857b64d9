//! Interop: the reference Pact mock server (`pact-mock-server`, from `cargo install
//! pact_mock_server_cli`) loads the contracts our example consumers record, and serves them
//! well enough for the consumer to work against it.
//!
//! Ignored by a plain `cargo test` (CI does not build the reference tools); `scripts/interop.sh`
//! installs them and runs these with `--ignored`, where a missing tool fails the test.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::process::Guard;
use shakedown_shop::{orders_service, web_client};

fn reference_binary() -> Option<String> {
    reference("PACT_MOCK_SERVER", "pact-mock-server")
}

fn reference(var: &str, default: &str) -> Option<String> {
    let bin = std::env::var(var).unwrap_or_else(|_| default.into());
    Command::new(&bin)
        .arg("--version")
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| bin)
}

fn create(bin: &str, port: u16, file: &str) -> u16 {
    let out = Command::new(bin)
        .args([
            "create",
            "-p",
            &port.to_string(),
            "--no-term-log",
            "-f",
            file,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .unwrap();
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

#[test]
#[ignore = "needs the reference Pact tools: scripts/interop.sh installs them and runs these"]
fn should_be_loaded_and_served_by_the_reference_mock_server() {
    let bin = reference_binary()
        .expect("pact-mock-server not found (set PACT_MOCK_SERVER or run scripts/interop.sh)");
    let port = 19000 + (std::process::id() % 500) as u16;
    let _master = Guard(
        Command::new(&bin)
            .args([
                "start",
                "-p",
                &port.to_string(),
                "--no-file-log",
                "-l",
                "error",
            ])
            .env("PACT_DO_NOT_TRACK", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_millis(800));
    let web = create(&bin, port, "contracts/web-orders.json");
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
    create(&bin, port, "contracts/shipping-orders.json");
}

#[test]
#[ignore = "needs the reference Pact tools: scripts/interop.sh installs them and runs these"]
fn should_be_verified_by_the_reference_verifier_against_our_example_provider() {
    let bin = reference("PACT_VERIFIER", "pact-verifier")
        .expect("pact-verifier not found (set PACT_VERIFIER or run scripts/interop.sh)");
    let provider = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let state = format!("{}/_pact/state", provider.url());
    let out = Command::new(&bin)
        .args([
            "-f",
            "contracts/web-orders.json",
            "-h",
            "127.0.0.1",
            "-p",
            &provider.addr.port().to_string(),
            "-n",
            "orders",
        ])
        .args(["--state-change-url", &state, "--state-change-teardown"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the reference verifier failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
