//! Contract-replay canary cost: what one probe of a `contract` canary costs the process
//! running the scenario. Each probe replays `contracts/web-orders.json` (3 interactions, 2
//! with provider states) against the real example `orders` service, in a process of its
//! own, the way `src/scenario/canary.rs` drives the verifier.
//!
//! Run with `cargo build -p shakedown-shop && cargo bench --bench canary`. `BENCH_PROBES` (default
//! 1000) probes per mode, one after another: the contract read from its file on every probe
//! (the canary before issue 11) and loaded once per run (the canary now). Reported per
//! probe: wall time (median, p99) and this process's CPU time (user + system, from
//! `/proc/self/stat`), with the shares of parsing and digesting the contract, each timed
//! alone.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shakedown::contract::Pact;
use shakedown::verifier::Verifier;

const CONTRACT: &str = "contracts/web-orders.json";
const ORDERS: &str = "target/debug/orders";

/// The example orders service on a free loopback port, killed on drop.
struct Orders {
    child: Child,
    url: String,
}

impl Drop for Orders {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_orders() -> Orders {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(ORDERS)
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the orders example starts");
    let orders = Orders {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while reqwest::blocking::get(format!("{}/health", orders.url)).is_err() {
        assert!(Instant::now() < deadline, "orders did not become healthy");
        std::thread::sleep(Duration::from_millis(20));
    }
    orders
}

/// CPU time (user + system) this process used so far, in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    // Fields 14 and 15 of proc(5) (utime, stime), counted after the `(comm)` field.
    (ticks(11).unwrap_or(0.0) + ticks(12).unwrap_or(0.0)) / 100.0
}

/// The CPU time of one call of `f`, ms, over `n` calls.
fn cpu_ms_per_call(n: usize, mut f: impl FnMut()) -> f64 {
    let cpu = cpu_seconds();
    for _ in 0..n {
        f();
    }
    (cpu_seconds() - cpu) * 1000.0 / n as f64
}

fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1)) - 1;
    v.get(i).copied().unwrap_or(f64::NAN)
}

/// Per-probe figures of one mode.
struct Figures {
    wall_ms: Vec<f64>,
    cpu_ms_per_probe: f64,
}

/// Runs `probes` probes one after another, each made by `probe`, and times them.
fn measure<F, Fut>(rt: &tokio::runtime::Runtime, probes: usize, mut probe: F) -> Figures
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut wall_ms = Vec::with_capacity(probes);
    let cpu_ms_per_probe = cpu_ms_per_call(probes, || {
        let started = Instant::now();
        assert!(rt.block_on(probe()), "the replay passes");
        wall_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    });
    Figures {
        wall_ms,
        cpu_ms_per_probe,
    }
}

/// One table row; `parse_ms` and `digest_ms` are the CPU time of parsing and digesting
/// the contract once, shown as shares of a probe's CPU time when the probe does them.
fn row(mode: &str, f: Figures, parse_ms: f64, digest_ms: f64) {
    let share = |ms: f64| format!("{:.0}%", 100.0 * ms / f.cpu_ms_per_probe);
    println!(
        "| {mode} | {:.2} ms | {:.2} ms | {:.3} ms | {} | {} |",
        quantile(f.wall_ms.clone(), 0.5),
        quantile(f.wall_ms.clone(), 0.99),
        f.cpu_ms_per_probe,
        share(parse_ms),
        share(digest_ms),
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    if !Path::new(ORDERS).exists() {
        eprintln!("build the example shop first: cargo build -p shakedown-shop");
        return;
    }
    let probes: usize = std::env::var("BENCH_PROBES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let orders = start_orders();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let states = format!("{}/_pact/state", orders.url);
    let timeout = Duration::from_secs(2);

    let parse_ms = cpu_ms_per_call(probes, || {
        Pact::from_file(CONTRACT).expect("the contract parses");
    });
    let pact = Pact::from_file(CONTRACT).expect("the contract parses");
    let digest_ms = cpu_ms_per_call(probes, || {
        std::hint::black_box(pact.digest());
    });
    // What else a probe builds: its HTTP client (kept per probe: no connection outlives a
    // probe, as with HTTP canaries).
    let client_ms = cpu_ms_per_call(probes * 10, || {
        std::hint::black_box(reqwest::Client::builder().build().expect("a client"));
    });
    println!("{probes} probes per mode against the example orders service ({CONTRACT}); CPU to parse the contract: {parse_ms:.3} ms, to digest it: {digest_ms:.3} ms, to build an HTTP client: {:.1} µs", client_ms * 1000.0);
    println!("| canary probe | wall p50 | wall p99 | CPU per probe | parsing | digest |");
    println!("|---|---|---|---|---|---|");
    let from_file = measure(&rt, probes, || {
        let verifier = Verifier::new("orders", &orders.url)
            .contracts(CONTRACT)
            .timeout(timeout)
            .state_url(&states);
        async move { verifier.run_async().await.is_ok_and(|r| r.success()) }
    });
    row("contract read per probe", from_file, parse_ms, digest_ms);
    // As `src/scenario/canary.rs` does: the contract loaded once per run; each probe only
    // points a clone of the prepared verifier at the provider's current address.
    let prepared = Verifier::new("orders", "").pact(pact).timeout(timeout);
    let loaded_once = measure(&rt, probes, || {
        let verifier = prepared.clone().base_url(&orders.url).state_url(&states);
        async move { verifier.run_async().await.is_ok_and(|r| r.success()) }
    });
    row("contract loaded once per run", loaded_once, 0.0, 0.0);
}
