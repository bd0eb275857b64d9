//! HTTP faults on a proxy in front of a real HTTP service (the example orders service):
//! matching requests are answered with a status, aborted or delayed; the rest pass.
#![cfg(feature = "chaos")]

use shakedown_shop::orders_service;

use std::time::{Duration, Instant};

use serde_json::json;
use shakedown::chaos::{Proxy, Toxic};

fn setup() -> (orders_service::Running, Proxy, reqwest::blocking::Client) {
    let service = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let proxy = Proxy::start("orders", "127.0.0.1:0", &service.addr.to_string(), 11).unwrap();
    (
        service,
        proxy,
        reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap(),
    )
}

fn fresh() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn fault(attributes: serde_json::Value, toxicity: f64) -> Toxic {
    Toxic::from_json(&json!({"name": "http", "type": "http", "stream": "upstream", "toxicity": toxicity, "attributes": attributes})).unwrap()
}

#[test]
fn should_answer_matching_requests_with_the_given_status_and_pass_the_rest() {
    let (_service, proxy, client) = setup();
    let base = format!("http://{}", proxy.listen_addr());
    assert_eq!(
        client
            .get(format!("{base}/catalog/1"))
            .send()
            .unwrap()
            .status(),
        200
    );
    let _guard = proxy
        .with_toxic(fault(
            json!({"method": "GET", "path": "^/catalog", "status": 503, "body": "injected"}),
            1.0,
        ))
        .unwrap();
    // Adding the first HTTP fault closes open connections (documented): a pooled client
    // reconnects; a fresh one here keeps the test free of that race.
    let client = fresh();
    let hit = client.get(format!("{base}/catalog/1")).send().unwrap();
    assert_eq!(hit.status(), 503);
    assert_eq!(hit.headers()["x-shakedown-fault"], "http");
    assert_eq!(hit.text().unwrap(), "injected");
    assert_eq!(
        client
            .get(format!("{base}/health"))
            .send()
            .unwrap()
            .status(),
        200,
        "other paths pass"
    );
    assert_eq!(
        client
            .post(format!("{base}/catalog/1"))
            .send()
            .unwrap()
            .status(),
        404,
        "other methods pass (the service has no such route)"
    );
}

#[test]
fn should_hit_a_share_of_requests_by_toxicity() {
    let (_service, proxy, client) = setup();
    let base = format!("http://{}", proxy.listen_addr());
    proxy
        .add_toxic(fault(json!({"path": "^/catalog", "status": 500}), 0.5))
        .unwrap();
    let failed = (0..200)
        .filter(|i| {
            client
                .get(format!("{base}/catalog/{i}"))
                .send()
                .unwrap()
                .status()
                == 500
        })
        .count();
    assert!(
        (60..=140).contains(&failed),
        "about half of 200 requests fail: {failed}"
    );
}

#[test]
fn should_abort_and_delay_requests() {
    let (_service, proxy, client) = setup();
    let base = format!("http://{}", proxy.listen_addr());
    proxy
        .add_toxic(fault(json!({"path": "^/catalog/1$", "abort": true}), 1.0))
        .unwrap();
    assert!(
        client.get(format!("{base}/catalog/1")).send().is_err(),
        "aborted: no answer"
    );
    proxy.remove_toxic("http").unwrap();
    proxy
        .add_toxic(fault(json!({"path": "^/catalog", "delay": 400}), 1.0))
        .unwrap();
    let client = fresh();
    let t = Instant::now();
    assert_eq!(
        client
            .get(format!("{base}/catalog/2"))
            .send()
            .unwrap()
            .status(),
        200
    );
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    proxy.clear_toxics();
    let client = fresh();
    let t = Instant::now();
    assert_eq!(
        client
            .get(format!("{base}/catalog/3"))
            .send()
            .unwrap()
            .status(),
        200
    );
    assert!(
        t.elapsed() < Duration::from_millis(150),
        "back to normal: {:?}",
        t.elapsed()
    );
}

/// A keep-alive HTTP server that answers `ok` to every request and counts the connections
/// it accepted (bounded: at most 8 connections, each closed when the client closes).
fn counting_upstream() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8).flatten() {
            seen.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut lines = BufReader::new(stream).lines();
                while let Some(Ok(line)) = lines.next() {
                    if line.is_empty() {
                        let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        if writer.write_all(answer.as_bytes()).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    (addr, count)
}

#[test]
fn should_open_one_upstream_connection_per_client_connection_in_http_mode() {
    let (upstream, accepted) = counting_upstream();
    let proxy = Proxy::start("counted", "127.0.0.1:0", &upstream, 5).unwrap();
    proxy
        .add_toxic(fault(json!({"path": "^/never$", "status": 503}), 1.0))
        .unwrap();
    let client = fresh();
    let url = format!("http://{}/orders", proxy.listen_addr());
    for _ in 0..3 {
        let answer = client.get(&url).send().unwrap();
        assert_eq!(answer.text().unwrap(), "ok");
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        accepted.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "three requests on one kept-alive client connection reach the upstream on one"
    );
}

/// Hits the requests whose body holds a text (what a contract interaction's matcher
/// does with Pact's rules, told here in a line).
#[derive(Debug)]
struct BodyHolds(&'static str);

impl shakedown::chaos::RequestMatch for BodyHolds {
    fn describe(&self) -> &str {
        self.0
    }

    fn matches(&self, _head: &hyper::http::request::Parts, body: &[u8]) -> bool {
        String::from_utf8_lossy(body).contains(self.0)
    }
}

/// An HTTP fault (503 "swept") on the requests `matcher` picks.
fn matched_fault(matcher: BodyHolds) -> Toxic {
    use shakedown::chaos::{HttpAction, HttpFault, Stream, ToxicKind};
    let fault = HttpFault {
        method: None,
        path: None,
        matcher: Some(std::sync::Arc::new(matcher)),
        action: HttpAction::Respond {
            status: 503,
            body: "swept".into(),
        },
    };
    Toxic::new("sweep", Stream::Downstream, ToxicKind::Http(fault))
}

#[test]
fn should_hit_only_the_requests_its_matcher_picks_seeing_their_whole_body() {
    let (_service, proxy, _) = setup();
    let base = format!("http://{}", proxy.listen_addr());
    let _guard = proxy
        .with_toxic(matched_fault(BodyHolds("SKU-000123")))
        .unwrap();
    let client = fresh();
    let place = |body: serde_json::Value| {
        client
            .post(format!("{base}/orders"))
            .json(&body)
            .send()
            .unwrap()
    };
    let hit = place(json!({"lines": [{"sku": "SKU-000123", "qty": 2}]}));
    assert_eq!(hit.status(), 503);
    assert_eq!(hit.text().unwrap(), "swept");
    // The same method and path, a body the matcher does not pick: the upstream answers.
    let missed = place(json!({"lines": [{"sku": "SKU-000124", "qty": 2}]}));
    assert!(missed.headers().get("x-shakedown-fault").is_none());
    assert_eq!(missed.status(), 201);
    let other = client.get(format!("{base}/catalog/1")).send().unwrap();
    assert_eq!(other.status(), 200, "another route passes");
    // A body of unknown length (chunked) is never held: it streams through, unhit.
    let chunks = unknown_length(br#"{"lines": [{"sku": "SKU-000123", "qty": 2}]}"#);
    let streamed = client
        .post(format!("{base}/orders"))
        .header("content-type", "application/json")
        .body(reqwest::blocking::Body::new(chunks))
        .send()
        .unwrap();
    assert!(streamed.headers().get("x-shakedown-fault").is_none());
    assert_eq!(streamed.status(), 201, "placed by the upstream");
}

/// A reader of unknown length, so reqwest sends the body chunked.
fn unknown_length(bytes: &'static [u8]) -> impl std::io::Read + Send + 'static {
    std::io::Cursor::new(bytes)
}
