//! Behaviour of `shakedown mock`: serves contract files on loopback, explains mismatches,
//! selects provider states, and stops cleanly on Ctrl-C (SIGINT).
#![cfg(feature = "cli")]

mod common;

use reqwest::blocking::Client;

use common::cli::shakedown;
use common::process::{announcing, Server};
use serde_json::Value;

/// `shakedown mock ARGS`, and the URL it serves.
fn start_stub(args: &[&str]) -> Server {
    announcing(shakedown(["mock"]).args(args))
}

#[test]
fn should_stop_cleanly_on_ctrl_c_right_after_startup() {
    for _ in 0..5 {
        let stub = start_stub(&["examples/pacts/web-orders-v2.json"]);
        let (code, out) = stub.process.interrupt();
        assert_eq!(code, Some(0), "{out}");
    }
}

#[test]
fn should_serve_a_contract_and_stop_cleanly_on_ctrl_c() {
    let stub = start_stub(&["examples/pacts/web-orders-v2.json"]);
    assert!(stub.url.starts_with("http://127.0.0.1:"));
    let client = Client::new();
    let ok = client
        .get(format!("{}/orders/42?include=lines", stub.url))
        .header("Accept", "application/json")
        .send()
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().unwrap()["status"], "placed");
    let created = client
        .post(format!("{}/orders", stub.url))
        .json(&serde_json::json!({"sku": "SKU-000123", "qty": 2}))
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/orders/43");
    let bad = client
        .get(format!("{}/orders/42", stub.url))
        .send()
        .unwrap();
    assert_eq!(bad.status(), 500);
    let body: Value = bad.json().unwrap();
    assert_eq!(body["closestInteraction"], "a request for order 42");
    let (code, out) = stub.process.interrupt();
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("stopped (1 request(s) matched no interaction)"),
        "{out}"
    );
}

#[test]
fn should_select_provider_states_by_flag_and_by_header() {
    let stub = start_stub(&[
        "examples/pacts/web-orders-v2.json",
        "--state",
        "no such state",
    ]);
    let client = Client::new();
    let url = format!("{}/orders/42?include=lines", stub.url);
    assert_eq!(
        client
            .get(&url)
            .header("Accept", "application/json")
            .send()
            .unwrap()
            .status(),
        500
    );
    let with_header = client
        .get(&url)
        .header("Accept", "application/json")
        .header("X-Provider-State", "order 42 exists")
        .send()
        .unwrap();
    assert_eq!(with_header.status(), 200);
    let (code, _) = stub.process.interrupt();
    assert_eq!(code, Some(0));
}

#[test]
fn should_exit_2_for_unreadable_contracts() {
    let out = common::cli::run(&["mock", "tests/fixtures/check/malformed.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("malformed.json:5:54: malformed JSON"), "{err}");
}
