//! Hostile contracts and providers against `verify`: a contract's path can never send a
//! request to another host, a provider's endless answer cannot exhaust memory, and a
//! provider-state endpoint that never answers (or never stops) fails the run in time.
#![cfg(feature = "verifier")]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use shakedown::contract::Pact;
use shakedown::verifier::Verifier;

/// A loopback HTTP server that records each request's head and answers with `answer`
/// (at most `connections` connections, so its thread ends by itself).
fn recording_server(
    connections: usize,
    answer: fn(&str, &mut TcpStream),
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { continue };
            let mut head = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                head.push_str(&line);
                line.clear();
            }
            log.lock().unwrap().push(head.clone());
            answer(&head, &mut stream);
        }
    });
    (addr, seen)
}

fn ok_json(_head: &str, stream: &mut TcpStream) {
    let body = r#"{"id":1}"#;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// 80 MiB of JSON-looking bytes, chunked, then the end (bounded: it stops by itself, or
/// when the client hangs up). The verifier's `HEAD /` reachability check gets a short
/// closing answer: a chunked answer to a HEAD has no body, so the client could keep that
/// connection for the GET while this thread is still writing megabytes into it.
fn endless(head: &str, stream: &mut TcpStream) {
    if head.starts_with("HEAD ") {
        return ok_json(head, stream);
    }
    let _ = stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..80 {
        if stream.write_all(b"100000\r\n").is_err()
            || stream.write_all(&chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            return;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
}

/// Reads the request and then says nothing for 20 s (bounded: the thread ends by itself).
fn silent(_head: &str, _stream: &mut TcpStream) {
    std::thread::sleep(Duration::from_secs(20));
}

fn contract(path: &str) -> Pact {
    contract_json(path, None)
}

/// The contract of [`contract`], its interaction needing the provider state `state`.
fn contract_with_state(path: &str, state: &str) -> Pact {
    contract_json(path, Some(state))
}

fn contract_json(path: &str, state: Option<&str>) -> Pact {
    let mut pact = json!({
        "consumer": {"name": "web"}, "provider": {"name": "orders"},
        "interactions": [{
            "description": "an order",
            "request": {"method": "GET", "path": path},
            "response": {"status": 200, "body": {"id": 1}}
        }],
        "metadata": {"pactSpecification": {"version": "2.0.0"}}
    });
    if let Some(state) = state {
        pact["interactions"][0]["providerState"] = json!(state);
    }
    Pact::from_json(&pact).unwrap()
}

#[test]
fn should_send_a_path_naming_another_host_to_the_base_url_only() {
    let (provider, at_provider) = recording_server(4, ok_json);
    let (elsewhere, at_elsewhere) = recording_server(4, ok_json);
    let report = Verifier::new("orders", &format!("http://{provider}"))
        .pact(contract(&format!("@{elsewhere}/orders/1")))
        .run()
        .unwrap();
    // The verifier first checks that the provider answers (`HEAD /`).
    let heads: Vec<String> = at_provider
        .lock()
        .unwrap()
        .iter()
        .filter(|h| !h.starts_with("HEAD / "))
        .cloned()
        .collect();
    assert!(
        at_elsewhere.lock().unwrap().is_empty(),
        "a request went to the host the contract named"
    );
    assert_eq!(heads.len(), 1, "{heads:?}\n{}", report.render(false));
    assert!(
        heads[0].starts_with(&format!("GET /@{elsewhere}/orders/1 HTTP/1.1")),
        "{heads:?}"
    );
    assert!(
        !heads[0].to_ascii_lowercase().contains("authorization"),
        "the base URL leaked as credentials: {heads:?}"
    );
}

#[test]
fn should_fail_an_interaction_whose_answer_never_ends_without_reading_it_all() {
    let (provider, _) = recording_server(2, endless);
    let report = Verifier::new("orders", &format!("http://{provider}"))
        .pact(contract("/orders/1"))
        .run()
        .unwrap();
    assert!(!report.success());
    let text = report.render(false);
    assert!(text.contains("larger than"), "{text}");
}

#[test]
fn should_fail_with_a_timeout_when_the_state_endpoint_never_answers() {
    let (provider, _) = recording_server(4, ok_json);
    let (states, _) = recording_server(1, silent);
    let started = Instant::now();
    let report = Verifier::new("orders", &format!("http://{provider}"))
        .pact(contract_with_state("/orders/1", "an order exists"))
        .state_url(&format!("http://{states}/state"))
        .timeout(Duration::from_secs(1))
        .run()
        .unwrap();
    let took = started.elapsed();
    let text = report.render(false);
    assert!(!report.success(), "{text}");
    assert!(text.contains("timed out"), "{text}");
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[test]
fn should_fail_a_state_whose_answer_never_ends_without_reading_it_all() {
    let (provider, _) = recording_server(4, ok_json);
    let (states, _) = recording_server(1, endless);
    let report = Verifier::new("orders", &format!("http://{provider}"))
        .pact(contract_with_state("/orders/1", "an order exists"))
        .state_url(&format!("http://{states}/state"))
        .run()
        .unwrap();
    let text = report.render(false);
    assert!(!report.success(), "{text}");
    assert!(text.contains("larger than"), "{text}");
}
