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

/// A payment request as the orders service sends it (contracts/orders-payments.json).
fn pay(client: &Client, stub: &str, amount: f64) -> reqwest::Result<reqwest::blocking::Response> {
    client
        .post(format!("{stub}/payments"))
        .json(&serde_json::json!({"orderId": 7, "amount": amount}))
        .send()
}

#[test]
fn should_answer_a_faulted_status_only_on_the_interactions_it_names() {
    let stub = start_stub(&[
        "contracts/orders-payments.json",
        "--fault",
        "status=503,interaction=approved,body={\"error\": \"down\", \"retry\": true}",
    ]);
    let client = Client::new();
    let hit = pay(&client, &stub.url, 12.5).unwrap();
    assert_eq!(hit.status(), 503);
    assert_eq!(hit.headers()["x-shakedown-fault"], "mock");
    assert_eq!(
        hit.text().unwrap(),
        "{\"error\": \"down\", \"retry\": true}"
    );
    let declined = pay(&client, &stub.url, 0.0).unwrap();
    assert_eq!(
        declined.status(),
        402,
        "the declined interaction is not hit"
    );
    let (code, _) = stub.process.interrupt();
    assert_eq!(code, Some(0));
}

#[test]
fn should_close_without_answering_on_abort_and_answer_late_on_delay() {
    let stub = start_stub(&[
        "contracts/orders-payments.json",
        "--fault",
        "abort,interaction=declined",
        "--fault",
        "delay=700ms",
    ]);
    let client = Client::new();
    let aborted = pay(&client, &stub.url, 0.0).unwrap_err();
    assert!(aborted.is_request() || aborted.is_connect(), "{aborted:?}");
    let began = std::time::Instant::now();
    let late = pay(&client, &stub.url, 12.5).unwrap();
    assert_eq!(late.status(), 200);
    assert_eq!(late.json::<Value>().unwrap()["status"], "approved");
    assert!(began.elapsed() >= std::time::Duration::from_millis(700));
    let (code, _) = stub.process.interrupt();
    assert_eq!(code, Some(0));
}

#[test]
fn should_hit_a_share_of_requests_by_toxicity() {
    let stub = start_stub(&[
        "contracts/orders-payments.json",
        "--fault",
        "status=500,toxicity=0.5",
    ]);
    let client = Client::new();
    let hit = (0..40)
        .filter(|_| pay(&client, &stub.url, 12.5).unwrap().status() == 500)
        .count();
    assert!((8..=32).contains(&hit), "{hit} of 40 hit at toxicity 0.5");
    let (code, _) = stub.process.interrupt();
    assert_eq!(code, Some(0));
}

#[test]
fn should_exit_2_naming_what_it_expected_for_a_bad_fault() {
    for (spec, said) in [
        (
            "status=5xx",
            "status=5xx: expected an HTTP status from 100 to 599",
        ),
        (
            "slow",
            "slow: expected one of status=CODE, abort or delay=DURATION",
        ),
        (
            "delay=2s,toxicity=3",
            "toxicity=3: expected a share between 0 and 1",
        ),
    ] {
        let out = common::cli::run(&["mock", "contracts/orders-payments.json", "--fault", spec]);
        assert_eq!(out.status.code(), Some(2), "{spec}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(said), "{spec}: {err}");
    }
}
