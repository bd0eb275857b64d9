//! The shared HTTP loop (mock provider, proxy API) under abuse: idle and slow-header
//! connections are closed after their timeouts and do not slow real requests down, bodies
//! over the cap are answered 413, the connection cap makes clients wait instead of growing
//! the server, and failing accepts (the fd limit) back off instead of spinning and logging.
#![cfg(feature = "cli")]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shakedown::chaos::{serve_with, Registry, UpstreamPolicy};
use shakedown::http_server::ServerOptions;
use tokio::sync::oneshot;

use common::cli::shakedown;
use common::process::{announcing, announcing_keeping_stderr};

/// The proxy API served within `options` on its own runtime; stops when the guard drops.
struct Api {
    addr: String,
    _stop: oneshot::Sender<()>,
    _runtime: tokio::runtime::Runtime,
}

fn api(options: ServerOptions) -> Api {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let registry = Arc::new(Registry::new(UpstreamPolicy::default(), 1));
    let (stop, stopped) = oneshot::channel::<()>();
    runtime.spawn(serve_with(listener, registry, options, async {
        let _ = stopped.await;
    }));
    Api {
        addr,
        _stop: stop,
        _runtime: runtime,
    }
}

fn quick_timeouts() -> ServerOptions {
    ServerOptions {
        header_read_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(600),
        ..ServerOptions::default()
    }
}

/// `GET path` on a new connection; the status line and how long the answer took.
fn get(addr: &str, path: &str) -> (String, Duration) {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    let status = answer.lines().next().unwrap_or_default().to_string();
    (status, start.elapsed())
}

/// Waits (at most `within`) for the server to close `s`; how long it took, or None.
fn closed_within(s: &mut TcpStream, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0u8; 4096];
    while start.elapsed() < within {
        match s.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(start.elapsed()),
        }
    }
    None
}

/// `n` connections that send nothing, and `n` that send half a request head.
fn hold(addr: &str, idle: usize, slow: usize) -> Vec<TcpStream> {
    let mut held: Vec<TcpStream> = (0..idle)
        .map(|_| TcpStream::connect(addr).unwrap())
        .collect();
    for _ in 0..slow {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"GET /version HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .unwrap();
        held.push(s);
    }
    held
}

#[test]
fn should_answer_a_get_quickly_while_idle_and_slow_header_connections_are_held() {
    let api = api(ServerOptions::default());
    let _held = hold(&api.addr, 200, 50);
    std::thread::sleep(Duration::from_millis(100));
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let (status, took) = get(&api.addr, "/version");
            assert!(status.contains("200"), "{status}");
            took
        })
        .collect();
    times.sort();
    // The median, so that one scheduling hiccup of a loaded machine does not decide.
    assert!(times[2] < Duration::from_millis(100), "{times:?}");
}

#[test]
fn should_close_idle_and_slow_header_connections_after_the_timeouts() {
    let api = api(quick_timeouts());
    let mut idle = TcpStream::connect(&api.addr).unwrap();
    let mut slow = TcpStream::connect(&api.addr).unwrap();
    slow.write_all(b"GET /version HTTP/1.1\r\n").unwrap();
    let mut kept_alive = TcpStream::connect(&api.addr).unwrap();
    kept_alive
        .write_all(b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let trickle = std::thread::spawn(move || {
        // A byte every 100 ms: never idle, but the head never ends.
        for _ in 0..30 {
            if slow.write_all(b"x").is_err() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    });
    for (what, s) in [("idle", &mut idle), ("kept alive", &mut kept_alive)] {
        let took = closed_within(s, Duration::from_secs(3));
        assert!(
            took.is_some_and(|t| t < Duration::from_secs(2)),
            "{what}: {took:?}"
        );
    }
    assert!(trickle.join().unwrap(), "the slow header was cut off");
    let (status, _) = get(&api.addr, "/version");
    assert!(status.contains("200"), "{status}");
}

#[test]
fn should_close_a_connection_whose_client_stops_reading_its_answer() {
    const BIG: usize = 64 << 20;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let serving = shakedown::http_server::serve(
            listener,
            async {
                let _ = stopped.await;
            },
            quick_timeouts(),
            |_req| async {
                hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(vec![
                    b'x';
                    BIG
                ])))
            },
        );
        runtime.block_on(serving);
    });
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut got = 0;
    let mut buf = vec![0u8; 1 << 16];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        got += n;
    }
    let _ = stop.send(());
    server.join().unwrap();
    assert!(
        got < BIG,
        "the stalled answer was cut off ({got} bytes read)"
    );
}

#[test]
fn should_make_clients_wait_over_the_connection_cap() {
    let api = api(ServerOptions {
        max_connections: 4,
        ..ServerOptions::default()
    });
    let mut held = hold(&api.addr, 4, 0);
    std::thread::sleep(Duration::from_millis(100));
    let mut waiting = TcpStream::connect(&api.addr).unwrap();
    waiting
        .write_all(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    waiting
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 256];
    assert!(
        waiting.read(&mut buf).is_err(),
        "over the cap, the client waits"
    );
    drop(held.pop());
    waiting
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let n = waiting.read(&mut buf).unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"),
        "served once a connection closed"
    );
}

/// Announces a `len`-byte POST body to `url`'s `path` without sending it, and returns the
/// status line the server answers with: an over-the-cap `Content-Length` is refused before
/// any of the body is read (sending the body would race the server's early answer and
/// close).
fn announce_big_post(url: &str, path: &str, len: usize) -> String {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
    )
    .unwrap();
    let mut buf = [0u8; 256];
    let n = s.read(&mut buf).unwrap_or(0);
    let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
    answer.lines().next().unwrap_or_default().to_string()
}

#[test]
fn should_answer_413_to_bodies_over_the_cap() {
    let proxy = announcing(&mut shakedown(["proxy", "--port", "0"]));
    let status = announce_big_post(&proxy.url, "/proxies", 2 << 20);
    assert!(status.starts_with("HTTP/1.1 413"), "{status:?}");
    let mock = announcing(&mut shakedown([
        "mock",
        "examples/pacts/web-orders-v2.json",
    ]));
    let status = announce_big_post(&mock.url, "/orders", 17 << 20);
    assert!(status.starts_with("HTTP/1.1 413"), "{status:?}");
}

#[test]
fn should_back_off_when_accepts_fail_at_the_fd_limit() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let server = announcing_keeping_stderr(
        Command::new("sh")
            .arg("-c")
            .arg("ulimit -n 40 && exec \"$0\" \"$@\"")
            .arg(common::cli::BIN)
            .args(["mock", "examples/pacts/web-orders-v2.json"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("SHAKEDOWN_LOG", "info")
            .stderr(log.reopen().unwrap()),
    );
    let addr = server.url.trim_start_matches("http://").to_string();
    let held = hold(&addr, 60, 0);
    std::thread::sleep(Duration::from_secs(1));
    let lines = std::fs::read_to_string(log.path()).unwrap().lines().count();
    assert!(lines <= 5, "{lines} log lines in a second at the fd limit");
    drop(held);
    let (status, took) = get(&addr, "/orders/42");
    assert!(!status.is_empty(), "served again once fds are free");
    assert!(took < Duration::from_secs(3), "{took:?}");
    drop(server);
}

/// A loopback upstream answering every request `200 ok`, on `runtime`.
fn ok_upstream(runtime: &tokio::runtime::Runtime) -> (String, oneshot::Sender<()>) {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = oneshot::channel::<()>();
    runtime.spawn(shakedown::http_server::serve(
        listener,
        async {
            let _ = stopped.await;
        },
        ServerOptions::default(),
        |_req| async { hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from("ok"))) },
    ));
    (addr, stop)
}

#[test]
fn should_close_idle_and_slow_header_connections_to_a_proxy_with_http_faults() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (upstream, _stop) = ok_upstream(&runtime);
    let proxy = shakedown::chaos::Proxy::start("web", "127.0.0.1:0", &upstream, 1).unwrap();
    proxy.set_http_options(quick_timeouts());
    let abort_elsewhere = shakedown::chaos::Toxic::from_json(&serde_json::json!({
        "name": "abort", "type": "http", "stream": "upstream", "toxicity": 1.0,
        "attributes": {"path": "^/elsewhere", "abort": true}
    }))
    .unwrap();
    let _fault = proxy.with_toxic(abort_elsewhere).unwrap();
    let addr = proxy.listen_addr().to_string();
    let mut idle = TcpStream::connect(&addr).unwrap();
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /version HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    for (what, s) in [("idle", &mut idle), ("slow header", &mut slow)] {
        let took = closed_within(s, Duration::from_secs(3));
        assert!(
            took.is_some_and(|t| t < Duration::from_secs(2)),
            "{what}: {took:?}"
        );
    }
    let (status, _) = get(&addr, "/version");
    assert!(status.contains("200"), "{status}");
    proxy.stop();
}
