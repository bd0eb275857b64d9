//! Mock provider throughput: `shakedown mock` and the reference Pact mock server
//! (`pact-mock-server`, from `cargo install pact_mock_server_cli`) serve the same
//! 10-interaction contract, and this process drives each with the same bounded load over
//! keep-alive connections on loopback, side by side, alternating. Then, at scale:
//! `shakedown mock` serving 4-, 100- and 1,000-interaction contracts, each driven with the
//! request that matches its last interaction (first match wins, so that is the worst case).
//!
//! Run with `cargo bench --bench mock_server [-- reference|scale]` (both by default). Set
//! `PACT_MOCK_SERVER` to the reference binary (default: `pact-mock-server` on PATH); without
//! it only shakedown is measured. Knobs: `BENCH_SECONDS` (per run, default 5),
//! `BENCH_CONNECTIONS` (default 32), `BENCH_ROUNDS` (default 2), `BENCH_MAX_REQUESTS` (per
//! run, default 2,000,000).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::json;
use shakedown::consumer::matchers::*;
use shakedown::consumer::Contract;
use shakedown::contract::{
    category, Body, HttpRequest, HttpResponse, Interaction, InteractionKind, MatchingRule, Pact,
    Pattern, ProviderState, RulePath,
};

/// One request of the workload: method, path with query, JSON body.
type Call = (&'static str, String, Option<String>);

fn workload() -> Vec<Call> {
    let mut calls: Vec<Call> = (1..=7)
        .map(|i| ("GET", format!("/orders/{i}?include=lines"), None))
        .collect();
    calls.push(("GET", "/customers/5".into(), None));
    calls.push((
        "POST",
        "/orders".into(),
        Some(json!({"lines": [{"sku": "SKU-000123", "qty": 2}]}).to_string()),
    ));
    calls.push(("GET", "/health".into(), None));
    calls
}

/// Records the 10-interaction contract with the consumer DSL and returns its path.
fn contract(dir: &std::path::Path) -> std::path::PathBuf {
    let mut c = Contract::new("bench-web", "bench-orders").output_dir(dir);
    for i in 1..=7 {
        c.interaction(&format!("order {i}"), |b| {
            b.given(&format!("order {i} exists"))
                .request(|r| {
                    r.get(format!("/orders/{i}")).query("include", "lines").header("Accept", "application/json");
                })
                .response(|r| {
                    r.status(200).json(json!({
                        "id": integer(i), "status": regex("placed|paid", "placed"),
                        "lines": each_like(json!({"sku": regex("SKU-\\d{6}", "SKU-000123"), "qty": integer(2), "price": decimal(9.99)}), 2),
                    }));
                });
        });
    }
    c.interaction("a customer", |b| {
        b.request(|r| {
            r.get("/customers/5").header("Accept", "application/json");
        })
        .response(|r| {
            r.status(200).json(json!({"id": 5, "name": like("Ada"), "email": regex("[^@]+@[^@]+", "ada@example.com")}));
        });
    });
    c.interaction("place an order", |b| {
        b.request(|r| {
            r.post("/orders").json(json!({"lines": each_like(json!({"sku": regex("SKU-\\d{6}", "SKU-000123"), "qty": integer(1)}), 1)}));
        })
        .response(|r| {
            r.status(201).json(json!({"id": integer(43)}));
        });
    });
    c.interaction("health", |b| {
        b.request(|r| {
            r.get("/health");
        })
        .response(|r| {
            r.status(200).text("ok", "text/plain");
        });
    });
    let server = c.start_mock_server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ok = rt.block_on(run_load(
        server.url().trim_start_matches("http://").to_string(),
        Arc::new(workload()),
        1,
        Duration::from_secs(5),
        10,
    ));
    assert_eq!(ok.0, 10, "the workload matches the contract");
    server.finish().unwrap().unwrap()
}

/// Drives `addr` with `connections` keep-alive connections cycling through `calls`
/// until `duration` passes or `max` requests were sent. Returns (ok, errors, seconds).
async fn run_load(
    addr: String,
    calls: Arc<Vec<Call>>,
    connections: usize,
    duration: Duration,
    max: u64,
) -> (u64, u64, f64) {
    let (ok, bad, sent) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let (calls, ok, bad, sent, addr) = (
                calls.clone(),
                ok.clone(),
                bad.clone(),
                sent.clone(),
                addr.clone(),
            );
            tokio::spawn(async move {
                let Ok(stream) = tokio::net::TcpStream::connect(&addr).await else {
                    return;
                };
                let _ = stream.set_nodelay(true);
                let Ok((mut sender, conn)) =
                    hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                        .await
                else {
                    return;
                };
                tokio::spawn(conn);
                let mut i = c;
                while Instant::now() < deadline && sent.fetch_add(1, Ordering::Relaxed) < max {
                    let (method, path, body) = &calls[i % calls.len()];
                    i += 1;
                    let mut req = hyper::Request::builder()
                        .method(*method)
                        .uri(path.as_str())
                        .header("Host", addr.as_str())
                        .header("Accept", "application/json");
                    if body.is_some() {
                        req = req.header("Content-Type", "application/json");
                    }
                    let req = req
                        .body(Full::new(Bytes::from(body.clone().unwrap_or_default())))
                        .unwrap();
                    match sender.send_request(req).await {
                        Ok(resp) => {
                            let good = resp.status().as_u16() < 300;
                            let _ = resp.into_body().collect().await;
                            if good {
                                ok.fetch_add(1, Ordering::Relaxed)
                            } else {
                                bad.fetch_add(1, Ordering::Relaxed)
                            };
                        }
                        Err(_) => {
                            bad.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    (
        ok.load(Ordering::Relaxed),
        bad.load(Ordering::Relaxed),
        start.elapsed().as_secs_f64(),
    )
}

struct Server {
    name: &'static str,
    addr: String,
    children: Vec<Child>,
}

impl Drop for Server {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn first_line_with(child: &mut Child, needle: &str) -> String {
    let out = child.stdout.take().unwrap();
    let mut reader = BufReader::new(out);
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        if line.contains(needle) {
            return line;
        }
        line.clear();
    }
    panic!("the server never printed {needle:?}");
}

fn start_shakedown(file: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .args(["mock", "--port", "0", "--workers", "2"])
        .arg(file)
        .env("SHAKEDOWN_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = first_line_with(&mut child, "http://");
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .unwrap()
        .to_string();
    Server {
        name: "shakedown mock",
        addr,
        children: vec![child],
    }
}

fn start_pact(bin: &str, file: &std::path::Path) -> Option<Server> {
    let port = 18000 + (std::process::id() % 1000) as u16;
    let master = Command::new(bin)
        .args([
            "start",
            "-p",
            &port.to_string(),
            "--no-file-log",
            "-l",
            "error",
        ])
        .env("PACT_DO_NOT_TRACK", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    std::thread::sleep(Duration::from_millis(800));
    let out = Command::new(bin)
        .args(["create", "-p", &port.to_string(), "-f"])
        .arg(file)
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mock_port: u16 = text
        .split_whitespace()
        .filter_map(|w| w.trim_end_matches('.').parse().ok())
        .next_back()?;
    Some(Server {
        name: "pact-mock-server",
        addr: format!("127.0.0.1:{mock_port}"),
        children: vec![master],
    })
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The load of one measurement: how long, how many connections, how many requests at most.
#[derive(Clone, Copy)]
struct Load {
    seconds: u64,
    connections: usize,
    rounds: u64,
    max: u64,
}

impl Load {
    fn from_env() -> Self {
        Load {
            seconds: env_num("BENCH_SECONDS", 5),
            connections: env_num("BENCH_CONNECTIONS", 32) as usize,
            rounds: env_num("BENCH_ROUNDS", 2),
            max: env_num("BENCH_MAX_REQUESTS", 2_000_000),
        }
    }

    /// Requests per second answered with a 2xx, and how many were not.
    fn measure(
        &self,
        rt: &tokio::runtime::Runtime,
        addr: &str,
        calls: &Arc<Vec<Call>>,
    ) -> (f64, u64, u64, f64) {
        let (ok, bad, secs) = rt.block_on(run_load(
            addr.to_string(),
            calls.clone(),
            self.connections,
            Duration::from_secs(self.seconds),
            self.max,
        ));
        (ok as f64 / secs, ok, bad, secs)
    }
}

/// Interaction `i` of the scale contracts: `GET` (even `i`) or `POST` with a JSON body (odd
/// `i`) of `/orders/{i}?page=…`, a provider state and a JSON answer under rules; the first
/// one's path is a regex (`/orders/\d+/lines`), which the request at scale never matches.
fn scale_interaction(i: usize) -> Interaction {
    let mut request = HttpRequest {
        method: method_of(i).into(),
        path: format!("/orders/{i}"),
        ..Default::default()
    };
    if i == 0 {
        request.path = "/orders/0/lines".into();
        let pattern = Pattern::new(r"/orders/\d+/lines").expect("static regex");
        request
            .matching_rules
            .category_mut(category::PATH)
            .add(RulePath::root(), MatchingRule::Regex(pattern));
    }
    request
        .query
        .insert("page".into(), vec![(i % 10).to_string()]);
    request
        .headers
        .insert("Accept".into(), vec!["application/json".into()]);
    if method_of(i) == "POST" {
        request.body = Body::json(&json!({"sku": format!("SKU-{i}"), "qty": i % 5 + 1}));
        request
            .headers
            .insert("Content-Type".into(), vec!["application/json".into()]);
    }
    let mut response = HttpResponse {
        body: Body::json(&json!({"id": i, "status": "placed", "lines": [{"sku": "a", "qty": 1}]})),
        ..Default::default()
    };
    response
        .headers
        .insert("Content-Type".into(), vec!["application/json".into()]);
    let rules = response.matching_rules.category_mut(category::BODY);
    rules.add(
        RulePath::parse("$.id").expect("static path"),
        MatchingRule::Integer,
    );
    Interaction {
        provider_states: vec![ProviderState::named(format!("order {i} exists"))],
        ..Interaction::new(
            format!("order {i}"),
            InteractionKind::Http { request, response },
        )
    }
}

/// The method of interaction `i` of the scale contracts.
fn method_of(i: usize) -> &'static str {
    if i.is_multiple_of(2) {
        "GET"
    } else {
        "POST"
    }
}

/// Writes the `n`-interaction scale contract; returns its path and the request that matches
/// its last interaction.
fn scale_contract(dir: &std::path::Path, n: usize) -> (std::path::PathBuf, Call) {
    let mut pact = Pact::new("bench-web", format!("bench-orders-{n}"));
    pact.interactions = (0..n).map(scale_interaction).collect();
    let file = dir.join(format!("scale-{n}.json"));
    std::fs::write(&file, pact.to_pretty_string()).unwrap();
    let last = n - 1;
    let body = (method_of(last) == "POST")
        .then(|| json!({"sku": format!("SKU-{last}"), "qty": last % 5 + 1}).to_string());
    (
        file,
        (
            method_of(last),
            format!("/orders/{last}?page={}", last % 10),
            body,
        ),
    )
}

/// `shakedown mock` and the reference mock server on the 10-interaction contract.
fn reference(rt: &tokio::runtime::Runtime, load: Load, dir: &std::path::Path) {
    let file = contract(dir);
    let calls = Arc::new(workload());
    let pact_bin = std::env::var("PACT_MOCK_SERVER").unwrap_or_else(|_| "pact-mock-server".into());
    let mut best: Vec<(&str, f64)> = Vec::new();
    println!("contract: 10 interactions; load: {} keep-alive connections, {} s per run, {} rounds, loader in this process", load.connections, load.seconds, load.rounds);
    for round in 1..=load.rounds {
        let mut servers = vec![start_shakedown(&file)];
        match start_pact(&pact_bin, &file) {
            Some(s) => servers.push(s),
            None if round == 1 => println!(
                "reference pact-mock-server not found ({pact_bin}); measuring shakedown only"
            ),
            None => {}
        }
        for s in &servers {
            let (rps, ok, bad, secs) = load.measure(rt, &s.addr, &calls);
            println!(
                "round {round}: {:<17} {:>9.0} req/s  ({ok} ok, {bad} failed, {secs:.2} s)",
                s.name, rps
            );
            match best.iter_mut().find(|(n, _)| *n == s.name) {
                Some(b) => b.1 = b.1.max(rps),
                None => best.push((s.name, rps)),
            }
        }
    }
    println!("best of {}:", load.rounds);
    for (name, rps) in &best {
        println!("  {name:<17} {rps:>9.0} req/s");
    }
    if let [(_, ours), (_, theirs)] = best[..] {
        println!("ratio shakedown / pact-mock-server: {:.2}x", ours / theirs);
    }
}

/// `shakedown mock` on contracts of 4, 100 and 1,000 interactions, each driven with the
/// request matching its last interaction.
fn scale(rt: &tokio::runtime::Runtime, load: Load, dir: &std::path::Path) {
    const SIZES: [usize; 3] = [4, 100, 1000];
    let contracts: Vec<_> = SIZES.iter().map(|&n| scale_contract(dir, n)).collect();
    let mut best = [0f64; SIZES.len()];
    println!("scale: the request matching the last interaction; load: {} keep-alive connections, {} s per run, {} rounds", load.connections, load.seconds, load.rounds);
    for round in 1..=load.rounds {
        for (k, (file, call)) in contracts.iter().enumerate() {
            let server = start_shakedown(file);
            let (rps, ok, bad, secs) =
                load.measure(rt, &server.addr, &Arc::new(vec![call.clone()]));
            println!(
                "round {round}: {:>5} interactions {rps:>9.0} req/s  ({ok} ok, {bad} failed, {secs:.2} s)",
                SIZES[k]
            );
            best[k] = best[k].max(rps);
        }
    }
    println!(
        "best of {}:\n  interactions  req/s (last interaction)",
        load.rounds
    );
    for (n, rps) in SIZES.iter().zip(best) {
        println!("  {n:>12}  {rps:>9.0}");
    }
    println!(
        "ratio 1,000 / 4 interactions: {:.1}%",
        100.0 * best[2] / best[0]
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return; // cargo test --benches / nextest probing: nothing to list.
    }
    let only = |mode: &str| {
        let picked = args.iter().any(|a| a == "reference" || a == "scale");
        !picked || args.iter().any(|a| a == mode)
    };
    let load = Load::from_env();
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    if only("reference") {
        reference(&rt, load, dir.path());
    }
    if only("scale") {
        scale(&rt, load, dir.path());
    }
}
