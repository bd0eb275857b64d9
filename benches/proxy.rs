//! Fault proxy benchmarks: `shakedown proxy` (also with `--busy-poll 200us`) and `fault`
//! (from `cargo install fault-cli`) side by side against a direct loopback connection, in
//! one run. The loader (this process), the upstream (this benchmark re-run as an echo /
//! upload sink) and each proxy are separate processes:
//! - `copy`: a 1 GiB upload and 20,000 sequential 1-byte round trips without toxics, three
//!   alternating rounds, medians, with the CPU seconds per GB of each process;
//! - `latency`: a 100 ms latency toxic over 1,000 concurrent connections, pinging at spread
//!   times for 5 s (steady) and all at once (burst);
//! - `held`: 10,000 connections opened, held, then pinged, with the proxy's descriptors and
//!   resident memory.
//!
//! Run with `cargo bench --bench proxy [-- SECTION ...]`. Set `FAULT_CLI` to the `fault`
//! binary (default: `fault` on PATH); without it only shakedown is measured. Every load is
//! bounded in bytes, round trips, connections and time, and all traffic stays on 127.0.0.1.

#[path = "support/measure.rs"]
mod measure;

use measure::median;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const UPLOAD: usize = 1 << 30;
const ROUNDS: usize = 3;
const ROUND_TRIPS: usize = 20_000;
const LATENCY_CONNS: usize = 1_000;
const HELD_CONNS: usize = 10_000;
const STEADY: Duration = Duration::from_secs(5);

/// Upstream: echoes every byte; a connection whose first byte is `U` is an upload that is
/// counted and acknowledged with one byte when the client shuts its side.
async fn upstream() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let _ = s.set_nodelay(true);
                let mut buf = vec![0u8; 64 * 1024];
                let mut first = true;
                let mut upload = false;
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if first {
                                upload = buf[0] == b'U';
                                first = false;
                            }
                            if !upload && s.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    }
                }
                if upload {
                    let _ = s.write_all(b"!").await;
                }
            });
        }
    });
    addr
}

async fn throughput(addr: &str) -> f64 {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let chunk = vec![b'U'; 256 * 1024];
    let t = Instant::now();
    let mut sent = 0;
    while sent < UPLOAD {
        s.write_all(&chunk).await.unwrap();
        sent += chunk.len();
    }
    s.shutdown().await.unwrap();
    let mut ack = [0u8; 1];
    s.read_exact(&mut ack).await.unwrap();
    (UPLOAD as f64 / (1 << 20) as f64) / t.elapsed().as_secs_f64()
}

async fn round_trip_median(addr: &str) -> Duration {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.set_nodelay(true).unwrap();
    let mut times = Vec::with_capacity(ROUND_TRIPS);
    let mut b = [0u8; 1];
    for _ in 0..ROUND_TRIPS {
        let t = Instant::now();
        s.write_all(b"p").await.unwrap();
        s.read_exact(&mut b).await.unwrap();
        times.push(t.elapsed());
    }
    median(&times)
}

/// Round-trip times of pings on `n` concurrent connections that stay open for `STEADY`:
/// once all are connected (and have had one ping answered), each pings again after a pause
/// drawn from 0–200 ms (seeded), so pings are spread over time rather than all at once.
async fn steady_pings(addr: &str, n: usize) -> Vec<Duration> {
    let addr = Arc::new(addr.to_string());
    let ready = Arc::new(tokio::sync::Barrier::new(n + 1));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (addr, ready) = (addr.clone(), ready.clone());
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(i as u64);
                let mut times = Vec::new();
                let mut s = connect(&addr).await;
                if let Some(conn) = s.as_mut() {
                    if ping(conn).await.is_none() {
                        s = None;
                    }
                }
                ready.wait().await;
                let Some(s) = s.as_mut() else { return times };
                let until = Instant::now() + STEADY;
                while Instant::now() < until {
                    tokio::time::sleep(Duration::from_millis(rng.random_range(0..200))).await;
                    match ping(s).await {
                        Some(d) => times.push(d),
                        None => break,
                    }
                }
                times
            })
        })
        .collect();
    ready.wait().await;
    let mut out = Vec::new();
    for t in tasks {
        out.extend(t.await.unwrap_or_default());
    }
    out.sort();
    out
}

/// A connection with Nagle's algorithm off, so that one byte goes at once.
async fn connect(addr: &str) -> Option<TcpStream> {
    let s = TcpStream::connect(addr).await.ok()?;
    s.set_nodelay(true).ok()?;
    Some(s)
}

/// One byte there and back; its round-trip time (`None` after 10 s or on an error).
async fn ping(s: &mut TcpStream) -> Option<Duration> {
    let mut b = [0u8; 1];
    let t = Instant::now();
    s.write_all(b"p").await.ok()?;
    tokio::time::timeout(Duration::from_secs(10), s.read_exact(&mut b))
        .await
        .ok()?
        .ok()?;
    Some(t.elapsed())
}

/// Round-trip times of one ping on each of `n` concurrent connections, all sent at about the
/// same moment (a burst).
async fn concurrent_pings(addr: &str, n: usize) -> Vec<Duration> {
    let addr = Arc::new(addr.to_string());
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let addr = addr.clone();
            tokio::spawn(async move {
                let mut s = connect(&addr).await?;
                // The first ping waits for the proxy to accept and reach the upstream; the
                // second measures the toxic alone.
                ping(&mut s).await?;
                ping(&mut s).await
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        if let Ok(Some(d)) = t.await {
            out.push(d);
        }
    }
    out.sort();
    out
}

/// Opens `n` connections (for at most 60 s), keeps them all open, then pings them all at
/// once (answers within 10 s count); returns how many answered.
async fn held(addr: &str, n: usize, pid: u32) -> Held {
    let t = Instant::now();
    let deadline = t + Duration::from_secs(60);
    let mut conns = Vec::with_capacity(n);
    while conns.len() < n && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await {
            Ok(Ok(s)) => conns.push(s),
            _ => break,
        }
    }
    let open_secs = t.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let opened = conns.len();
    let rss_kib = rss_kib(pid);
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count());
    let pings: Vec<_> = conns
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                let mut b = [0u8; 1];
                s.write_all(b"h").await.is_ok()
                    && matches!(
                        tokio::time::timeout(Duration::from_secs(10), s.read_exact(&mut b)).await,
                        Ok(Ok(_))
                    )
            })
        })
        .collect();
    let mut answered = 0;
    for p in pings {
        if matches!(p.await, Ok(true)) {
            answered += 1;
        }
    }
    Held {
        opened,
        open_secs,
        rss_kib,
        fds,
        answered,
    }
}

/// What holding connections open showed.
struct Held {
    opened: usize,
    open_secs: f64,
    rss_kib: u64,
    /// File descriptors the proxy had open while holding them.
    fds: usize,
    answered: usize,
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

struct Child2(Child);
impl Drop for Child2 {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(addr: &str) {
    let until = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(addr).is_err() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A proxy's command, with as many open files as the hard limit allows.
fn proxy_command(bin: &str) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", "ulimit -n \"$(ulimit -Hn)\"; exec \"$0\" \"$@\""])
        .arg(bin);
    c
}

/// `shakedown proxy` (with `extra` arguments) with one proxy towards `upstream`, optionally
/// with a latency toxic.
fn start_shakedown(upstream: &str, latency_ms: u64, extra: &[&str]) -> (Child2, String) {
    let api_port = free_port();
    let child = proxy_command(env!("CARGO_BIN_EXE_shakedown"))
        .args(["proxy", "--port", &api_port.to_string()])
        .args(extra)
        .env("SHAKEDOWN_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let api = format!("127.0.0.1:{api_port}");
    wait_for(&api);
    let port = free_port();
    let client = reqwest::blocking::Client::new();
    let body = serde_json::json!({"name": "bench", "listen": format!("127.0.0.1:{port}"), "upstream": upstream});
    assert_eq!(
        client
            .post(format!("http://{api}/proxies"))
            .body(body.to_string())
            .send()
            .unwrap()
            .status(),
        201
    );
    if latency_ms > 0 {
        let toxic = serde_json::json!({"name": "lat", "type": "latency", "stream": "downstream", "attributes": {"latency": latency_ms}});
        client
            .post(format!("http://{api}/proxies/bench/toxics"))
            .body(toxic.to_string())
            .send()
            .unwrap();
    }
    (Child2(child), format!("127.0.0.1:{port}"))
}

/// `fault run` with one TCP proxy towards `upstream`, optionally with a fixed latency.
fn start_fault(
    bin: &str,
    upstream: &str,
    latency_ms: u64,
    dir: &std::path::Path,
) -> (Child2, String) {
    let port = free_port();
    let phase = if latency_ms > 0 {
        format!("    proxies:\n      - proxy: bench\n        faults:\n          - type: latency\n            flow: to-client\n            distribution:\n              type: uniform\n              min_ms: {latency_ms}.0\n              max_ms: {latency_ms}.0\n")
    } else {
        "    proxies: []\n".to_string()
    };
    let yaml = format!("schema_version: 1\nname: bench\nproxies:\n  - name: bench\n    protocol: tcp\n    listen: 127.0.0.1:{port}\n    upstream: {upstream}\nphases:\n  - name: bench\n{phase}");
    let file = dir.join(format!("fault-{port}.yaml"));
    std::fs::write(&file, yaml).unwrap();
    let child = proxy_command(bin)
        .args(["--color", "never", "run"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    wait_for(&addr);
    (Child2(child), addr)
}

fn pct(v: &[Duration], p: f64) -> Duration {
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The upstream runs as its own process (this benchmark re-run with `UPSTREAM_ROLE`), as a
/// real service would: it prints its address and serves until its stdin closes.
fn spawn_upstream() -> (Child2, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(UPSTREAM_ROLE, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    (Child2(child), line.trim().to_string())
}

const UPSTREAM_ROLE: &str = "SHAKEDOWN_BENCH_UPSTREAM";

fn serve_upstream() {
    let rt = runtime();
    let addr = rt.block_on(upstream());
    println!("{addr}");
    // Serve until the benchmark goes away (its end of our stdin closes).
    let _ = std::io::Read::read(&mut std::io::stdin(), &mut [0u8; 1]);
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    if std::env::var_os(UPSTREAM_ROLE).is_some() {
        return serve_upstream();
    }
    // `cargo bench --bench proxy -- held` runs only the sections whose names are given
    // (`copy`, `latency`, `held`); no name runs them all.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run = |section: &str| wanted.is_empty() || wanted.iter().any(|w| w == section);
    let fault = std::env::var("FAULT_CLI").unwrap_or_else(|_| "fault".into());
    let has_fault = Command::new(&fault)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let fault_bin = has_fault.then_some(fault.as_str());
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime();
    let upstream = spawn_upstream();
    let up = upstream.1.clone();
    if run("copy") {
        let mut subjects: Vec<(&str, Option<(Child2, String)>)> = vec![
            ("direct", None),
            ("shakedown", Some(start_shakedown(&up, 0, &[]))),
            (
                "sd+poll",
                Some(start_shakedown(&up, 0, &["--busy-poll", "200us"])),
            ),
        ];
        if let Some(fault) = fault_bin {
            subjects.push(("fault", Some(start_fault(fault, &up, 0, dir.path()))));
        } else {
            println!("fault not found ({fault}); measuring shakedown only");
        }
        no_toxics(&rt, &upstream, &subjects);
    }
    if run("latency") {
        latency_accuracy(&rt, &up, fault_bin, dir.path());
    }
    if run("held") {
        held_open(&rt, &up, fault_bin, dir.path());
    }
}

/// CPU seconds (user + system) a process has used so far.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields from the state on (it parses as 0): utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    f.get(11)
        .zip(f.get(12))
        .map_or(0.0, |(u, s)| (u + s) / 100.0)
}

/// One subject's figures: MB/s, median round trip, and CPU seconds per GB uploaded for the
/// loader, the proxy and the upstream.
struct CopyFigures {
    mbps: Vec<f64>,
    rtt: Vec<Duration>,
    cpu: [f64; 3],
}

fn no_toxics(
    rt: &tokio::runtime::Runtime,
    up: &(Child2, String),
    subjects: &[(&str, Option<(Child2, String)>)],
) {
    println!(
        "== no toxics: {} MB upload; {ROUND_TRIPS} sequential 1-byte round trips; {ROUNDS} rounds, alternating, medians",
        UPLOAD >> 20
    );
    let upstream_pid = up.0 .0.id().to_string();
    let mut figures: Vec<CopyFigures> = subjects
        .iter()
        .map(|_| CopyFigures {
            mbps: vec![],
            rtt: vec![],
            cpu: [0.0; 3],
        })
        .collect();
    for _ in 0..ROUNDS {
        for ((_, s), fig) in subjects.iter().zip(&mut figures) {
            let addr = s.as_ref().map_or(up.1.clone(), |(_, a)| a.clone());
            let proxy_pid = s.as_ref().map(|(c, _)| c.0.id().to_string());
            let pids = [
                "self".to_string(),
                proxy_pid.unwrap_or_default(),
                upstream_pid.clone(),
            ];
            let before = pids.clone().map(|p| cpu_seconds(&p));
            fig.mbps.push(rt.block_on(throughput(&addr)));
            let after = pids.map(|p| cpu_seconds(&p));
            for i in 0..3 {
                fig.cpu[i] += (after[i] - before[i]) / (UPLOAD as f64 / 1e9);
            }
            fig.rtt.push(rt.block_on(round_trip_median(&addr)));
        }
    }
    let (base_mbps, base_rtt) = (median(&figures[0].mbps), median(&figures[0].rtt));
    for ((name, _), fig) in subjects.iter().zip(&figures) {
        let (mbps, rtt) = (median(&fig.mbps), median(&fig.rtt));
        let added = rtt.saturating_sub(base_rtt);
        let cpu = fig.cpu.map(|c| c / ROUNDS as f64);
        println!(
            "{name:<10} {mbps:>8.0} MB/s ({:>5.1}% of direct)   round trip {:>6.1} µs (+{:>5.1} µs)   CPU s/GB loader {:.2} proxy {:.2} upstream {:.2}",
            100.0 * mbps / base_mbps,
            rtt.as_secs_f64() * 1e6,
            added.as_secs_f64() * 1e6,
            cpu[0], cpu[1], cpu[2]
        );
    }
}

fn latency_accuracy(
    rt: &tokio::runtime::Runtime,
    up: &str,
    fault: Option<&str>,
    dir: &std::path::Path,
) {
    println!("== 100 ms latency toxic (downstream), {LATENCY_CONNS} concurrent connections: steady = pings spread over {} s; burst = one ping each, all at once", STEADY.as_secs());
    let mut latency_subjects = vec![("shakedown", start_shakedown(up, 100, &[]))];
    if let Some(fault) = fault {
        latency_subjects.push(("fault", start_fault(fault, up, 100, dir)));
    }
    for (name, (_child, addr)) in &latency_subjects {
        for (load, v) in [
            ("steady", rt.block_on(steady_pings(addr, LATENCY_CONNS))),
            ("burst", rt.block_on(concurrent_pings(addr, LATENCY_CONNS))),
        ] {
            let err = |d: Duration| (d.as_secs_f64() * 1000.0) - 100.0;
            println!(
                "{name:<10} {load:<6} {:>6} pings; error vs 100 ms: p50 {:+.2} ms, p99 {:+.2} ms, max {:+.2} ms",
                v.len(),
                err(pct(&v, 0.5)),
                err(pct(&v, 0.99)),
                err(*v.last().unwrap())
            );
        }
    }
}

fn held_open(rt: &tokio::runtime::Runtime, up: &str, fault: Option<&str>, dir: &std::path::Path) {
    println!("== {HELD_CONNS} concurrent connections held open, then one ping each");
    let mut held_subjects = vec![("shakedown", start_shakedown(up, 0, &[]))];
    if let Some(fault) = fault {
        held_subjects.push(("fault", start_fault(fault, up, 0, dir)));
    }
    for (name, (child, addr)) in &held_subjects {
        let h = rt.block_on(held(addr, HELD_CONNS, child.0.id()));
        println!(
            "{name:<10} {} connected in {:.1} s; proxy: {} descriptors, RSS {:.1} MiB ({:.1} KiB a connection); {}/{HELD_CONNS} answered",
            h.opened,
            h.open_secs,
            h.fds,
            h.rss_kib as f64 / 1024.0,
            h.rss_kib as f64 / h.opened.max(1) as f64,
            h.answered
        );
    }
}
