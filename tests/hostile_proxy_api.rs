//! The proxy API under abuse: racing creates of one name, a create that waits for a used
//! port, listen addresses the operator did not allow, and names that would break the
//! Prometheus exposition.
#![cfg(feature = "cli")]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shakedown::chaos::{Registry, UpstreamPolicy};

use common::cli::shakedown;
use common::echo::echo_server;
use common::process::{announcing, Server};

fn start(extra: &[&str]) -> Server {
    announcing(shakedown(["proxy", "--port", "0"]).args(extra))
}

fn call(server: &Server, method: &str, path: &str, body: Option<Value>) -> (u16, String) {
    let client = reqwest::blocking::Client::new();
    let mut req = client.request(method.parse().unwrap(), format!("{}{path}", server.url));
    if let Some(b) = body {
        req = req.body(b.to_string());
    }
    let resp = req.send().unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

/// `POST /proxies` of a proxy to `upstream`.
fn create(server: &Server, name: &str, listen: &str, upstream: &str) -> (u16, String) {
    let body = json!({"name": name, "listen": listen, "upstream": upstream});
    call(server, "POST", "/proxies", Some(body))
}

fn ping(addr: &str) -> Duration {
    let t = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"ping").unwrap();
    let mut buf = [0u8; 4];
    s.read_exact(&mut buf).unwrap();
    t.elapsed()
}

#[test]
fn should_create_one_proxy_only_when_two_creates_of_a_name_race() {
    let registry = Arc::new(Registry::new(UpstreamPolicy::default(), 1));
    let upstream = echo_server(0);
    for round in 0..40 {
        let name = format!("p{round}");
        let barrier = Arc::new(Barrier::new(2));
        let racers: Vec<_> = (0..2)
            .map(|_| {
                let (registry, barrier) = (registry.clone(), barrier.clone());
                let body = json!({"name": name, "listen": "127.0.0.1:0", "upstream": upstream});
                std::thread::spawn(move || {
                    barrier.wait();
                    registry.create(&body).map(|p| p.listen_addr())
                })
            })
            .collect();
        let results: Vec<_> = racers.into_iter().map(|t| t.join().unwrap()).collect();
        let created: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(created.len(), 1, "round {round}: {results:?}");
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(refused.status, 409);
        registry.delete(&name).unwrap();
        assert!(
            TcpStream::connect(created[0]).is_err(),
            "deleted: nothing listens"
        );
    }
}

#[test]
fn should_keep_answering_while_creates_wait_for_a_used_port() {
    let server = start(&[]);
    let upstream = echo_server(16);
    let (status, body) = create(&server, "echo", "127.0.0.1:0", &upstream);
    assert_eq!(status, 201, "{body}");
    let listen = serde_json::from_str::<Value>(&body).unwrap()["listen"]
        .as_str()
        .unwrap()
        .to_string();
    let used = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = used.local_addr().unwrap().to_string();
    let url = server.url.clone();
    let waiting: Vec<_> = (0..4)
        .map(|i| {
            let (url, port) = (url.clone(), port.clone());
            std::thread::spawn(move || {
                reqwest::blocking::Client::new()
                    .post(format!("{url}/proxies"))
                    .body(
                        json!({"name": format!("w{i}"), "listen": port, "upstream": "127.0.0.1:1"})
                            .to_string(),
                    )
                    .send()
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(150));
    let took = ping(&listen);
    assert!(took < Duration::from_millis(300), "traffic: {took:?}");
    let t = Instant::now();
    let (status, _) = call(&server, "GET", "/version", None);
    assert_eq!(status, 200);
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "API: {:?}",
        t.elapsed()
    );
    for w in waiting {
        assert_eq!(w.join().unwrap().unwrap(), 400, "the port stays used");
    }
}

#[test]
fn should_refuse_listen_addresses_beyond_loopback_unless_allowed() {
    let server = start(&[]);
    let upstream = echo_server(0);
    for listen in ["0.0.0.0:0", "[::]:0", "192.0.2.1:0"] {
        let (status, body) = create(&server, "open", listen, &upstream);
        assert_eq!(status, 403, "{listen}: {body}");
    }
    let (status, body) = create(&server, "local", "localhost:0", &upstream);
    assert_eq!(status, 201, "{body}");
    let (status, body) = call(
        &server,
        "POST",
        "/proxies/local",
        Some(json!({"listen": "0.0.0.0:0"})),
    );
    assert_eq!(status, 403, "moving the listener too: {body}");
    let allowed = start(&["--allow-listen", "0.0.0.0"]);
    let (status, body) = create(&allowed, "open", "0.0.0.0:0", &upstream);
    assert_eq!(status, 201, "{body}");
}

#[test]
fn should_refuse_names_that_would_break_the_metrics() {
    let server = start(&[]);
    let upstream = echo_server(0);
    for name in [
        "a\"} 1\nfake_metric{x=\"",
        "with space",
        "",
        &"x".repeat(65),
    ] {
        let (status, body) = create(&server, name, "127.0.0.1:0", &upstream);
        assert_eq!(status, 400, "{name:?}: {body}");
    }
    let (status, body) = create(&server, "ok-name_1.2", "127.0.0.1:0", &upstream);
    assert_eq!(status, 201, "{body}");
    let (status, body) = call(
        &server,
        "POST",
        "/proxies/ok-name_1.2/toxics",
        Some(json!({"name": "bad\nname", "type": "latency", "attributes": {"latency": 1}})),
    );
    assert_eq!(status, 400, "{body}");
    let (_, metrics) = call(&server, "GET", "/metrics", None);
    for line in metrics.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.starts_with("shakedown_proxy_"), "{line:?}");
    }
}

#[test]
fn should_refuse_times_that_would_overflow_or_wrap_to_no_delay() {
    let server = start(&[]);
    let upstream = echo_server(4);
    let (status, body) = create(&server, "huge", "127.0.0.1:0", &upstream);
    assert_eq!(status, 201, "{body}");
    for attributes in [
        json!({"latency": u64::MAX}),
        json!({"latency": 100, "jitter": 1e300}),
        json!({"latency": 86_400_001}),
    ] {
        let (status, body) = call(
            &server,
            "POST",
            "/proxies/huge/toxics",
            Some(json!({"type": "latency", "attributes": attributes})),
        );
        assert_eq!(status, 400, "{attributes}: {body}");
        assert!(body.contains("more than a day"), "{body}");
    }
    let (status, body) = call(
        &server,
        "POST",
        "/proxies/huge/toxics",
        Some(json!({"type": "latency", "attributes": {"latency": 86_400_000}})),
    );
    assert_eq!(status, 200, "a day is allowed: {body}");
}
