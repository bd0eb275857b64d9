//! `shakedown proxy` speaks Toxiproxy's API: an existing Toxiproxy client (the
//! `toxiproxy_rust` crate) drives it unchanged, errors get Toxiproxy's 4xx answers, metrics
//! are Prometheus text, and only loopback upstreams are allowed by default.
#![cfg(feature = "cli")]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use toxiproxy_rust::client::Client;
use toxiproxy_rust::proxy::ProxyPack;

use common::cli::shakedown;
use common::echo::echo_server;
use common::process::{announcing, Server};

fn start(extra: &[&str]) -> Server {
    announcing(shakedown(["proxy", "--port", "0", "--seed", "3"]).args(extra))
}

/// The API's `host:port`.
fn addr(server: &Server) -> &str {
    server.url.trim_start_matches("http://")
}

fn ping(addr: &str) -> Duration {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let t = Instant::now();
    s.write_all(b"ping").unwrap();
    let mut buf = [0u8; 4];
    s.read_exact(&mut buf).unwrap();
    t.elapsed()
}

#[test]
fn should_be_driven_by_an_existing_toxiproxy_client() {
    let server = start(&[]);
    let client = Client::new(addr(&server));
    assert!(client.is_running());
    let upstream = echo_server(32);
    client
        .populate(vec![ProxyPack::new(
            "echo".into(),
            "127.0.0.1:0".into(),
            upstream,
        )])
        .unwrap();
    let proxy = client.find_proxy("echo").unwrap();
    let listen = proxy.proxy_pack.listen.clone();
    assert!(ping(&listen) < Duration::from_millis(300));
    proxy
        .with_latency("downstream".into(), 400, 0, 1.0)
        .apply(|| {
            let took = ping(&listen);
            assert!(took >= Duration::from_millis(400), "{took:?}");
        })
        .unwrap();
    assert!(
        ping(&listen) < Duration::from_millis(300),
        "apply() removed the toxic"
    );
    proxy
        .with_down(|| assert!(TcpStream::connect(&listen).is_err(), "down: refused"))
        .unwrap();
    assert!(ping(&listen) < Duration::from_millis(300), "back up");
    assert!(client.version().unwrap().contains("version"));
}

fn api(server: &Server, method: &str, path: &str, body: Option<Value>) -> (u16, String) {
    let client = reqwest::blocking::Client::new();
    let url = format!("{}{path}", server.url);
    let mut req = client.request(method.parse().unwrap(), url);
    if let Some(b) = body {
        req = req.body(b.to_string());
    }
    let resp = req.send().unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

#[test]
fn should_answer_mistakes_with_toxiproxy_statuses_and_messages() {
    let server = start(&[]);
    let upstream = echo_server(32);
    let (status, _) = api(
        &server,
        "POST",
        "/proxies",
        Some(json!({"name": "a", "listen": "127.0.0.1:0", "upstream": upstream})),
    );
    assert_eq!(status, 201);
    let cases = [
        (
            "POST",
            "/proxies",
            Some(json!({"name": "a", "upstream": upstream})),
            409,
            "proxy already exists",
        ),
        (
            "POST",
            "/proxies",
            Some(json!({"name": "b"})),
            400,
            "missing required field: upstream",
        ),
        ("GET", "/proxies/nope", None, 404, "proxy not found"),
        (
            "POST",
            "/proxies/a/toxics",
            Some(json!({"type": "teleport"})),
            400,
            "invalid toxic type",
        ),
        (
            "POST",
            "/proxies/a/toxics",
            Some(json!({"type": "latency", "stream": "sideways"})),
            400,
            "stream was invalid",
        ),
        (
            "POST",
            "/proxies/a/toxics",
            Some(json!({"type": "latency", "attributes": {"latency": "soon"}})),
            400,
            "bad attribute",
        ),
        (
            "GET",
            "/proxies/a/toxics/nope",
            None,
            404,
            "toxic not found",
        ),
        (
            "POST",
            "/populate",
            Some(json!({"not": "a list"})),
            400,
            "expected an array",
        ),
        (
            "POST",
            "/proxies",
            Some(json!({"name": "evil", "upstream": "192.0.2.1:80"})),
            403,
            "not allowed",
        ),
    ];
    for (method, path, body, want, text) in cases {
        let (status, answer) = api(&server, method, path, body);
        assert_eq!(status, want, "{method} {path}: {answer}");
        assert!(answer.contains(text), "{method} {path}: {answer}");
        let v: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(v["status"], want);
    }
    let raw = reqwest::blocking::Client::new()
        .post(format!("{}/proxies", server.url))
        .body("{not json")
        .send()
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    let (status, _) = api(
        &server,
        "POST",
        "/proxies/a/toxics",
        Some(json!({"name": "t", "type": "latency", "attributes": {"latency": 10}})),
    );
    assert_eq!(status, 200);
    let (_, updated) = api(
        &server,
        "PATCH",
        "/proxies/a/toxics/t",
        Some(json!({"attributes": {"jitter": 3}})),
    );
    assert_eq!(
        serde_json::from_str::<Value>(&updated).unwrap()["attributes"],
        json!({"latency": 10, "jitter": 3})
    );
    assert_eq!(api(&server, "DELETE", "/proxies/a/toxics/t", None).0, 204);
    assert_eq!(api(&server, "POST", "/reset", None).0, 204);
    assert_eq!(api(&server, "DELETE", "/proxies/a", None).0, 204);
}

#[test]
fn should_publish_prometheus_metrics_per_proxy_and_direction() {
    let server = start(&[]);
    let upstream = echo_server(32);
    let (_, created) = api(
        &server,
        "POST",
        "/proxies",
        Some(json!({"name": "m", "listen": "127.0.0.1:0", "upstream": upstream})),
    );
    let listen = serde_json::from_str::<Value>(&created).unwrap()["listen"]
        .as_str()
        .unwrap()
        .to_string();
    ping(&listen);
    std::thread::sleep(Duration::from_millis(50));
    let (status, text) = api(&server, "GET", "/metrics", None);
    assert_eq!(status, 200);
    assert!(
        text.contains("shakedown_proxy_bytes_total{proxy=\"m\",direction=\"upstream\"} 4"),
        "{text}"
    );
    assert!(
        text.contains("shakedown_proxy_bytes_total{proxy=\"m\",direction=\"downstream\"} 4"),
        "{text}"
    );
    assert!(
        text.contains("shakedown_proxy_connections_total{proxy=\"m\"} 1"),
        "{text}"
    );
}

#[test]
fn should_allow_named_upstreams_only_when_told() {
    let server = start(&["--allow-upstream", "192.0.2.1"]);
    let (status, _) = api(
        &server,
        "POST",
        "/proxies",
        Some(json!({"name": "ok", "listen": "127.0.0.1:0", "upstream": "192.0.2.1:80"})),
    );
    assert_eq!(
        status, 201,
        "named upstreams are allowed (the proxy connects only when a client does)"
    );
}

#[test]
fn should_load_a_config_and_close_every_proxy_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let upstream = echo_server(32);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let config = dir.path().join("proxies.json");
    std::fs::write(
        &config,
        json!([{"name": "cfg", "listen": listen, "upstream": upstream}]).to_string(),
    )
    .unwrap();
    let server = start(&["--config", config.to_str().unwrap()]);
    let (status, body) = api(&server, "GET", "/proxies/cfg", None);
    assert_eq!(status, 200, "{body}");
    assert!(ping(&listen) < Duration::from_secs(1));
    let (code, rest) = server.process.interrupt();
    assert_eq!(code, Some(0));
    assert!(rest.contains("every proxy closed"), "{rest}");
    assert!(
        TcpStream::connect(&listen).is_err(),
        "the proxy's port is closed after Ctrl-C"
    );
}

#[test]
fn should_exit_2_for_a_broken_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("proxies.json");
    std::fs::write(&config, "[{\"name\": \"x\"}]").unwrap();
    let out = shakedown(["proxy", "--port", "0", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing required field: upstream"));
}
