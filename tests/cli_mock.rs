//! Behaviour of `shakedown mock`: serves contract files on loopback, explains mismatches,
//! selects provider states, and stops cleanly on Ctrl-C (SIGINT).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use reqwest::blocking::Client;
use serde_json::Value;

struct Stub {
    child: Child,
    url: String,
}

impl Stub {
    fn start(args: &[&str]) -> Stub {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shakedown"))
            .arg("mock")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("the URL is printed")
            .to_string();
        Stub { child, url }
    }

    /// Sends SIGINT, as Ctrl-C does, and returns the exit code and the rest of stdout.
    fn interrupt(mut self) -> (Option<i32>, String) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let mut rest = String::new();
        if let Some(out) = self.child.stdout.as_mut() {
            let _ = out.read_to_string(&mut rest);
        }
        let code = self.child.wait().unwrap().code();
        (code, rest)
    }
}

impl Drop for Stub {
    /// A failing test must not leave the server running: stop the child we started.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn should_stop_cleanly_on_ctrl_c_right_after_startup() {
    for _ in 0..5 {
        let stub = Stub::start(&["examples/pacts/web-orders-v2.json"]);
        let (code, out) = stub.interrupt();
        assert_eq!(code, Some(0), "{out}");
    }
}

#[test]
fn should_serve_a_contract_and_stop_cleanly_on_ctrl_c() {
    let stub = Stub::start(&["examples/pacts/web-orders-v2.json"]);
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
    let (code, out) = stub.interrupt();
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("stopped (1 request(s) matched no interaction)"),
        "{out}"
    );
}

#[test]
fn should_select_provider_states_by_flag_and_by_header() {
    let stub = Stub::start(&[
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
    let (code, _) = stub.interrupt();
    assert_eq!(code, Some(0));
}

#[test]
fn should_exit_2_for_unreadable_contracts() {
    let out = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .args(["mock", "tests/fixtures/check/malformed.json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("malformed.json:5:54: malformed JSON"), "{err}");
}
