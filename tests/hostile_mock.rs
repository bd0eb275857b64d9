//! A hostile client of the mock provider: a flood of unmatched requests with large bodies
//! keeps its log bounded, and credentials sent in requests never appear in what the mock
//! answers or logs.
#![cfg(feature = "cli")]

mod common;

use std::process::Stdio;

use reqwest::blocking::Client;
use serde_json::{json, Value};
use shakedown::consumer::matchers::like;
use shakedown::consumer::{Contract, FinishError, Stub, StubOptions};
use shakedown::contract::{Body, HttpRequest, Pact};

use common::cli::shakedown;
use common::process::announcing_keeping_stderr;

/// One interaction that expects credentials in five headers and a JSON body.
const CONTRACT: &str = r#"{
  "consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [{
    "description": "an authenticated order",
    "request": {"method": "POST", "path": "/orders",
      "headers": {"Authorization": "Bearer expected", "Proxy-Authorization": "Basic expected",
        "Cookie": "session=expected", "X-Api-Key": "expected", "X-Token": "expected",
        "Content-Type": "application/json"},
      "body": {"sku": "SKU-1"}},
    "response": {"status": 201}
  }],
  "metadata": {"pactSpecification": {"version": "2.0.0"}}
}"#;

/// Headers carrying secrets, each a value no answer or log may contain.
const SECRETS: [(&str, &str); 5] = [
    ("Authorization", "Bearer s3cret-authorization"),
    ("Proxy-Authorization", "Basic s3cret-proxy"),
    ("Cookie", "session=s3cret-cookie"),
    ("X-Api-Key", "s3cret-api-key"),
    ("X-Token", "s3cret-token"),
];

fn stub(redact: &[&str]) -> Stub {
    let pact = Pact::from_str(CONTRACT).unwrap();
    let options = StubOptions {
        redact_headers: redact.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    Stub::new(pact.interactions, options)
}

fn request(headers: &[(&str, &str)], body: &[u8]) -> HttpRequest {
    let mut r = HttpRequest {
        method: "POST".into(),
        path: "/orders".into(),
        body: Body::from_bytes(body.to_vec(), None),
        ..Default::default()
    };
    for (name, value) in headers {
        r.headers.insert(name.to_string(), vec![value.to_string()]);
    }
    r
}

fn assert_no_secret(what: &str, text: &str) {
    assert!(!text.contains("s3cret"), "a secret in {what}: {text}");
}

#[test]
fn unmatched_requests_with_large_bodies_keep_the_log_bounded() {
    let stub = stub(&[]);
    let big = format!("{{\"sku\": \"{}\"}}", "x".repeat(64 * 1024));
    for _ in 0..500 {
        let answer = stub.respond(&request(&[], big.as_bytes()));
        assert_eq!(answer.status, 500);
    }
    stub.with_log(|log| {
        assert_eq!(
            log.unexpected_count, 500,
            "every unmatched request is counted"
        );
        assert!(
            log.unexpected.len() <= 100,
            "{} unexpected requests kept",
            log.unexpected.len()
        );
        let kept = serde_json::to_string(&log.unexpected).unwrap().len();
        assert!(
            kept <= 100 * 16 * 1024,
            "the kept requests take {kept} bytes"
        );
    });
}

#[test]
fn the_mock_servers_failure_still_names_the_unexpected_requests() {
    let dir = tempfile::tempdir().unwrap();
    let mut contract = Contract::new("web", "orders").output_dir(dir.path());
    contract.interaction("an order", |i| {
        i.request(|r| {
            r.get("/orders/1");
        })
        .response(|r| {
            r.status(200).json(json!({"id": like(1)}));
        });
    });
    let server = contract.start_mock_server();
    let client = Client::new();
    for n in 0..300 {
        let answer = client
            .get(server.path(&format!("/other/{n}")))
            .send()
            .unwrap();
        assert_eq!(answer.status(), 500);
    }
    let Err(FinishError::Verification(failure)) = server.finish() else {
        panic!("the unexpected requests fail the test");
    };
    let report = failure.to_string();
    assert!(
        report.contains("unexpected request: GET /other/299"),
        "{report}"
    );
    assert!(
        report.contains("300 requests matched no interaction"),
        "{report}"
    );
}

#[test]
fn credentials_are_redacted_in_the_500_and_the_log_but_still_matched() {
    let stub = stub(&["x-token"]);
    let answer = stub.respond(&request(&SECRETS, br#"{"sku": "SKU-1"}"#));
    assert_eq!(answer.status, 500);
    let body = String::from_utf8_lossy(answer.body.bytes()).into_owned();
    assert_no_secret("the 500 body", &body);
    let body: Value = serde_json::from_str(&body).unwrap();
    let redacted = body["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["actual"] == "<redacted>")
        .count();
    assert_eq!(redacted, 5, "each secret header is still compared: {body}");
    stub.with_log(|log| {
        for u in &log.unexpected {
            assert_no_secret("the log", &u.to_string());
            assert_no_secret("the log", &serde_json::to_string(u).unwrap());
        }
    });
    let expected = [
        ("Authorization", "Bearer expected"),
        ("Proxy-Authorization", "Basic expected"),
        ("Cookie", "session=expected"),
        ("X-Api-Key", "expected"),
        ("X-Token", "expected"),
        ("Content-Type", "application/json"),
    ];
    let answer = stub.respond(&request(&expected, br#"{"sku": "SKU-1"}"#));
    assert_eq!(answer.status, 201, "matching sees the real values");
}

#[test]
fn shakedown_mock_redacts_credentials_in_its_answers_and_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.json");
    std::fs::write(&file, CONTRACT).unwrap();
    let log_path = dir.path().join("stderr.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut command = shakedown(["mock", file.to_str().unwrap(), "--redact-header", "X-Token"]);
    command.stderr(Stdio::from(log));
    let stub = announcing_keeping_stderr(&mut command);
    let mut call = Client::new().post(format!("{}/orders", stub.url));
    for (name, value) in SECRETS {
        call = call.header(name, value);
    }
    let answer = call.body(r#"{"sku": "SKU-2"}"#).send().unwrap();
    assert_eq!(answer.status(), 500);
    assert_no_secret("the 500 body", &answer.text().unwrap());
    let (code, out) = stub.process.interrupt();
    assert_eq!(code, Some(0), "{out}");
    let stderr = std::fs::read_to_string(&log_path).unwrap();
    assert!(stderr.contains("matched no interaction"), "{stderr}");
    assert_no_secret("the mock's log", &stderr);
}
