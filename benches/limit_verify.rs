//! The gate at the physical limit (issue 17): whole-process times of `shakedown verify` (at
//! its default concurrency) and of `shakedown mock` until it answers its first request, on
//! 1,000- and 10,000-interaction contracts whose interactions differ only in path, against
//! a static provider in this process; the reference `pact verifier` on the 1,000 one.
//!
//! Run with `cargo bench --bench limit_verify`. Knobs: `BENCH_RUNS` (default 9) runs of
//! each shakedown command; `PACT_VERIFIER` the reference command (default `pact verifier`,
//! words split on spaces; `none` skips it) and `BENCH_REFERENCE_RUNS` (default 1; it takes
//! ~25 s a run); `SHAKEDOWN_BIN` another shakedown binary to time instead of this build's
//! (the in-process part is always this build's). `cargo bench --bench limit_verify --
//! --serve DIR` only writes the contracts into DIR and serves the provider until killed,
//! printing its URL (for outside timers).

#[path = "support/measure.rs"]
mod measure;

use measure::{env_count, median};

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use serde_json::{json, Value};
use shakedown::contract::Pact;
use shakedown::verifier::Verifier;

/// The contract sizes measured.
const SIZES: [usize; 2] = [1_000, 10_000];

/// The provider's name in the contracts.
const PROVIDER: &str = "items";

/// One interaction: `GET /items/{n}`, a regex, a type and a timestamp rule, a generator.
fn interaction(n: usize) -> Value {
    json!({
        "description": format!("item {n:05}"),
        "request": {"method": "GET", "path": format!("/items/{n}")},
        "response": {
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "body": {"id": n, "name": format!("item {n}"), "at": "2026-01-01T00:00:00Z"},
            "matchingRules": {"body": {
                "$.name": {"matchers": [{"match": "regex", "regex": "item \\d+"}]},
                "$.id": {"matchers": [{"match": "type"}]},
                "$.at": {"matchers": [{"match": "timestamp", "timestamp": "yyyy-MM-dd'T'HH:mm:ss'Z'"}]}
            }},
            "generators": {"body": {
                "$.at": {"type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ss'Z'"}
            }}
        }
    })
}

/// Writes the `n`-interaction contract (Pact V3) into `dir` and returns its path.
fn write_contract(dir: &Path, n: usize) -> PathBuf {
    let pact = json!({
        "consumer": {"name": "limit-web"},
        "provider": {"name": PROVIDER},
        "interactions": (1..=n).map(interaction).collect::<Vec<_>>(),
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    });
    let file = dir.join(format!("limit-{n}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(&pact).expect("JSON"))
        .expect("the contract is written");
    file
}

/// The static provider's answer to any path: `/items/{n}` gets item n, anything else 404.
fn answer(req: Request<Bytes>) -> Response<Full<Bytes>> {
    let item = req.uri().path().strip_prefix("/items/");
    let Some(n) = item.and_then(|n| n.parse::<u64>().ok()) else {
        let mut r = Response::new(Full::new(Bytes::new()));
        *r.status_mut() = hyper::StatusCode::NOT_FOUND;
        return r;
    };
    let body = json!({"id": n, "name": format!("item {n}"), "at": "2026-01-01T00:00:00Z"});
    Response::builder()
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid answer")
}

/// Starts the static provider on a loopback port, on a thread of its own, for the whole run.
fn start_provider() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let addr = listener.local_addr().expect("bound");
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            let options = shakedown::http_server::ServerOptions::default();
            let never = std::future::pending::<()>();
            shakedown::http_server::serve(
                listener,
                never,
                options,
                |req| async move { answer(req) },
            )
            .await;
        });
    });
    addr
}

/// The binary measured: this build's, or `SHAKEDOWN_BIN` (another build, to compare).
fn shakedown() -> Command {
    let bin = std::env::var("SHAKEDOWN_BIN");
    Command::new(bin.as_deref().unwrap_or(env!("CARGO_BIN_EXE_shakedown")))
}

/// One whole `shakedown verify` at its default concurrency, in seconds.
fn time_verify(file: &Path, url: &str) -> f64 {
    let start = Instant::now();
    let status = shakedown()
        .args(["verify", "--provider", PROVIDER, "--base-url", url])
        .arg("--contracts")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("shakedown verify runs");
    let t = start.elapsed().as_secs_f64();
    assert!(status.success(), "shakedown verify passes");
    t
}

/// A free loopback port (bound, then released).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    l.local_addr().expect("bound").port()
}

/// Whether a GET of `/items/1` at `port` gets an HTTP answer now.
fn answers(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let req = b"GET /items/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if s.write_all(req).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

/// One `shakedown mock` from spawn to its first answer, in seconds (killed after).
fn time_mock(file: &Path) -> f64 {
    let port = free_port();
    let start = Instant::now();
    let mut child = shakedown()
        .arg("mock")
        .arg(file)
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("shakedown mock starts");
    let deadline = start + Duration::from_secs(20);
    while !answers(port) {
        assert!(Instant::now() < deadline, "shakedown mock never answered");
        std::thread::sleep(Duration::from_micros(200));
    }
    let t = start.elapsed().as_secs_f64();
    let _ = child.kill();
    let _ = child.wait();
    t
}

/// In this process, the contract already loaded: one verification (default concurrency,
/// no digest, as the command without reports), in seconds.
fn time_verify_loaded(verifier: &shakedown::verifier::Verifier) -> f64 {
    let start = Instant::now();
    let report = verifier.run().expect("the verification runs");
    let t = start.elapsed().as_secs_f64();
    assert!(report.success(), "the loaded contract verifies");
    t
}

/// In this process, the contract already loaded: the stub built, served, and its first
/// answer, in seconds.
fn time_mock_loaded(pact: &Pact) -> f64 {
    let interactions = pact.interactions.clone();
    let start = Instant::now();
    let stub = shakedown::consumer::Stub::new(interactions, Default::default());
    let server = shakedown::consumer::RunningServer::start("127.0.0.1:0", Arc::new(stub), 2)
        .expect("the stub serves");
    assert!(answers(server.addr().port()), "the stub answers");
    start.elapsed().as_secs_f64()
}

/// The part after loading, measured in this process: verify and the stub's first answer.
fn after_loading(files: &[PathBuf], url: &str, runs: usize) {
    println!("after loading, in this process (contract already read):");
    for (&n, file) in SIZES.iter().zip(files) {
        let pact = Pact::from_file(file).expect("the contract reads");
        let verifier = Verifier::new(PROVIDER, url)
            .pact(pact.clone())
            .digests(false);
        let v: Vec<f64> = (0..runs).map(|_| time_verify_loaded(&verifier)).collect();
        let m: Vec<f64> = (0..runs).map(|_| time_mock_loaded(&pact)).collect();
        row("verify (loaded)", n, &v);
        row("mock (loaded)", n, &m);
    }
}

/// The reference verifier's command, or None when it is not installed (or not wanted).
fn reference() -> Option<Vec<String>> {
    let spec = std::env::var("PACT_VERIFIER").unwrap_or_else(|_| "pact verifier".into());
    if spec == "none" {
        return None;
    }
    let words: Vec<String> = spec.split_whitespace().map(str::to_string).collect();
    let ok = Command::new(&words[0])
        .args(&words[1..])
        .arg("--version")
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(words)
}

/// One whole reference verification, in seconds.
fn time_reference(words: &[String], file: &Path, port: u16) -> f64 {
    let start = Instant::now();
    let status = Command::new(&words[0])
        .args(&words[1..])
        .arg("-f")
        .arg(file)
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-n", PROVIDER])
        .env("PACT_DO_NOT_TRACK", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the reference verifier runs");
    let t = start.elapsed().as_secs_f64();
    assert!(status.success(), "the reference verifier passes");
    t
}

/// A table row: n, median wall, per interaction, the runs.
fn row(what: &str, n: usize, runs: &[f64]) -> f64 {
    let m = median(runs);
    let all: Vec<String> = runs.iter().map(|t| format!("{:.0}", t * 1000.0)).collect();
    println!(
        "{what:<18} {n:>6}  {:>8.1} ms  {:>7.1} us  [{}]",
        m * 1000.0,
        m * 1e6 / n as f64,
        all.join(" ")
    );
    m
}

/// `--serve DIR`: write the contracts and serve the provider until killed.
fn serve_only(dir: &Path) {
    std::fs::create_dir_all(dir).expect("the directory");
    let addr = start_provider();
    for n in SIZES {
        println!("{}", write_contract(dir, n).display());
    }
    println!("provider: http://{addr}");
    loop {
        std::thread::park();
    }
}

/// The whole commands at each size: (n, verify median, mock median).
fn whole_processes(files: &[PathBuf], url: &str, runs: usize) -> Vec<(usize, f64, f64)> {
    println!(
        "{:<18} {:>6}  {:>11}  {:>10}",
        "command", "n", "median", "per item"
    );
    let mut medians = Vec::new();
    for (&n, file) in SIZES.iter().zip(files) {
        time_verify(file, url);
        let v: Vec<f64> = (0..runs).map(|_| time_verify(file, url)).collect();
        let m: Vec<f64> = (0..runs).map(|_| time_mock(file)).collect();
        medians.push((
            n,
            row("shakedown verify", n, &v),
            row("shakedown mock", n, &m),
        ));
    }
    if let [(n1, v1, m1), (n2, v2, m2)] = medians[..] {
        let growth = |a: f64, b: f64| (b / n2 as f64) / (a / n1 as f64);
        println!(
            "per-interaction growth {n1} -> {n2}: verify {:.2}x, mock {:.2}x",
            growth(v1, v2),
            growth(m1, m2)
        );
    }
    medians
}

/// The reference verifier on the first contract, and its ratio to `ours` (seconds).
fn reference_ratio(file: &Path, port: u16, ours: f64) {
    let Some(words) = reference() else {
        println!("reference verifier not found (PACT_VERIFIER); measured shakedown only");
        return;
    };
    let runs = env_count("BENCH_REFERENCE_RUNS", 1);
    let r: Vec<f64> = (0..runs)
        .map(|_| time_reference(&words, file, port))
        .collect();
    let r = row(&words.join(" "), SIZES[0], &r);
    println!(
        "reference / shakedown verify at {}: {:.0}x",
        SIZES[0],
        r / ours
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        return serve_only(Path::new(args.get(i + 1).expect("--serve DIR")));
    }
    let runs = env_count("BENCH_RUNS", 9);
    let dir = tempfile::tempdir().expect("a temp dir");
    let addr = start_provider();
    let url = format!("http://{addr}");
    println!("static provider on {url}; {runs} runs of each, medians (wall, whole process)");
    let files: Vec<PathBuf> = SIZES
        .iter()
        .map(|&n| write_contract(dir.path(), n))
        .collect();
    let medians = whole_processes(&files, &url, runs);
    after_loading(&files, &url, runs);
    reference_ratio(&files[0], addr.port(), medians[0].1);
}
