//! The example shop as a running system (real processes on loopback ports: nats-server,
//! payments, orders, shipping): orders get shipped, and the resilient orders service is told
//! apart from the fragile one when payments dies or hangs, when shipping is away and when
//! the broker restarts. Tests that need `nats-server` are reported ignored without it (a
//! failure under CI=true): `common::harness`.

mod common;

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::harness::Tests;
use common::prerequisite::{nats_server, Need};
use common::wait::{eventually, free_port};
use serde_json::{json, Value};
use shakedown::chaos::{Proxy, Toxic};

/// The deadline for anything that should happen "soon" (readiness, delivery).
const SOON: Duration = Duration::from_secs(10);

// ---- the processes ----------------------------------------------------------------------

/// A process this test started; killed (and reaped) on drop, its log printed if the test is
/// failing.
struct Proc {
    name: &'static str,
    port: u16,
    child: Child,
    log: tempfile::NamedTempFile,
}

impl Proc {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn nats_url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let mut log = String::new();
            let _ = self
                .log
                .reopen()
                .and_then(|mut f| f.read_to_string(&mut log));
            eprintln!("--- {} (port {}) log:\n{log}", self.name, self.port);
        }
    }
}

/// Starts `program` with `PORT=port` and `{port}` in `args` replaced; its output to a log.
fn spawn(
    name: &'static str,
    program: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    port: u16,
) -> Proc {
    let log = tempfile::NamedTempFile::new().expect("a log file");
    let mut command = Command::new(program);
    for var in ["HOST", "PORT", "PAYMENTS_URL", "NATS_URL", "RESILIENCE"] {
        command.env_remove(var);
    }
    let port_text = port.to_string();
    let child = command
        .args(args.iter().map(|a| a.replace("{port}", &port_text)))
        .env("PORT", &port_text)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(log.reopen().expect("the log file"))
        .stderr(log.reopen().expect("the log file"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    Proc {
        name,
        port,
        child,
        log,
    }
}

/// Starts a broker on `port` and waits until it listens.
fn start_nats(program: &Path, port: u16) -> Proc {
    let args = ["-a", "127.0.0.1", "-p", "{port}"];
    let nats = spawn("nats-server", program, &args, &[], port);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let up = eventually(SOON, || {
        TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
    });
    assert!(up, "nats-server did not listen on {port}");
    nats
}

/// Starts an example service and waits until its `/health` answers 200.
fn start(name: &'static str, env: &[(&str, &str)]) -> Proc {
    let service = spawn(
        name,
        &common::shop::bin_dir().join(name),
        &[],
        env,
        free_port(),
    );
    let health = format!("{}/health", service.url());
    let ready = eventually(SOON, || get(&health).is_some_and(|(s, _)| s == 200));
    assert!(ready, "{name} did not become healthy");
    service
}

/// Orders with `env`, once connected to NATS when given `NATS_URL`.
fn start_orders(env: &[(&str, &str)]) -> Proc {
    let orders = start("orders", env);
    if env.iter().any(|(k, _)| *k == "NATS_URL") {
        let connected = eventually(SOON, || stats(&orders)["natsConnected"] == true);
        assert!(connected, "orders did not connect to NATS");
    }
    orders
}

// ---- HTTP -------------------------------------------------------------------------------

fn client(timeout: Duration) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
        .expect("an HTTP client")
}

fn get(url: &str) -> Option<(u16, Value)> {
    let response = client(Duration::from_secs(2)).get(url).send().ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().unwrap_or(Value::Null)))
}

fn stats(service: &Proc) -> Value {
    get(&format!("{}/stats", service.url())).map_or(Value::Null, |(_, v)| v)
}

/// Places an order within `timeout`: status, body, time taken (an error if none came).
fn place_within(orders: &Proc, timeout: Duration) -> Result<(u16, Value, Duration), String> {
    let started = Instant::now();
    let response = client(timeout)
        .post(format!("{}/orders", orders.url()))
        .json(&json!({"lines": [{"sku": "SKU-000123", "qty": 12}]}))
        .send()
        .map_err(|e| format!("{e} after {:?}", started.elapsed()))?;
    let status = response.status().as_u16();
    let body = response.json().unwrap_or(Value::Null);
    Ok((status, body, started.elapsed()))
}

/// Places an order that must be accepted; its id.
fn place(orders: &Proc) -> u64 {
    let (status, body, _) = place_within(orders, Duration::from_secs(5)).expect("an answer");
    assert_eq!(status, 201, "{body}");
    body["id"].as_u64().expect("an order id")
}

fn shipped(shipping: &Proc, id: u64) -> bool {
    get(&format!("{}/shipments/{id}", shipping.url())).is_some_and(|(s, _)| s == 200)
}

// ---- a payments service that never answers ----------------------------------------------

/// Accepts connections and never answers (for at most a minute); counts what it accepted.
struct BlackHole {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl BlackHole {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a listener");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("its address");
        let (accepted, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (count, stopped) = (accepted.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut held = Vec::new();
            while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        held.push(stream);
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        BlackHole {
            addr,
            accepted,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

// ---- the tests --------------------------------------------------------------------------

fn should_ship_a_placed_and_paid_order() {
    let nats_bin = nats_server().expect("checked by Need::NatsServer");
    let nats = start_nats(&nats_bin, free_port());
    let payments = start("payments", &[]);
    let orders = start_orders(&[
        ("PAYMENTS_URL", &payments.url()),
        ("NATS_URL", &nats.nats_url()),
    ]);
    let shipping = start("shipping", &[("NATS_URL", &nats.nats_url())]);

    let id = place(&orders);
    assert!(eventually(SOON, || shipped(&shipping, id)), "not shipped");
    let (_, shipment) = get(&format!("{}/shipments/{id}", shipping.url())).expect("shipment");
    assert_eq!(shipment, json!({"orderId": id, "parcels": 2}));
    assert_eq!(stats(&payments)["approved"], 1);
    let (_, order) = get(&format!("{}/orders/{id}", orders.url())).expect("the order");
    assert_eq!(order["status"], "placed");
    assert!(eventually(SOON, || stats(&orders)["eventsAcked"] == 1));
}

fn should_accept_orders_when_payments_is_down_only_when_resilient() {
    let payments = start("payments", &[]);
    let resilient = start_orders(&[("PAYMENTS_URL", &payments.url())]);
    let fragile = start_orders(&[("PAYMENTS_URL", &payments.url()), ("RESILIENCE", "off")]);
    place(&resilient);
    place(&fragile);

    drop(payments);
    let (status, body, took) = place_within(&resilient, Duration::from_secs(5)).expect("answer");
    assert_eq!(
        (status, &body["status"], &body["payment"]),
        (201, &json!("placed"), &json!("pending"))
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
    let (status, body, _) = place_within(&fragile, Duration::from_secs(5)).expect("an answer");
    assert_eq!(status, 502, "{body}");
    assert!(body["error"].is_string(), "{body}");

    for _ in 0..5 {
        place(&resilient);
    }
    let stats = stats(&resilient);
    assert_eq!(stats["breaker"], "open", "{stats}");
    assert_eq!(
        (&stats["placed"], &stats["paymentsFailed"]),
        (&json!(7), &json!(6))
    );
}

fn should_answer_within_a_second_when_payments_hangs_only_when_resilient() {
    let hole = BlackHole::start();
    let resilient = start_orders(&[("PAYMENTS_URL", &hole.url())]);
    for n in 1..=7 {
        let (status, body, took) =
            place_within(&resilient, Duration::from_secs(5)).expect("an answer");
        assert_eq!(
            (status, &body["status"], &body["payment"]),
            (201, &json!("placed"), &json!("pending"))
        );
        assert!(took < Duration::from_secs(1), "order {n} took {took:?}");
    }
    // Five timeouts opened the breaker: the last two orders made no call.
    assert_eq!(hole.accepted.load(Ordering::Relaxed), 5);
    assert_eq!(stats(&resilient)["breaker"], "open");

    let fragile = start_orders(&[("PAYMENTS_URL", &hole.url()), ("RESILIENCE", "off")]);
    let outcome = place_within(&fragile, Duration::from_secs(2));
    assert!(outcome.is_err(), "fragile orders answered: {outcome:?}");
}

fn should_deliver_every_event_after_shipping_comes_back_when_resilient() {
    let nats_bin = nats_server().expect("checked by Need::NatsServer");
    let nats = start_nats(&nats_bin, free_port());
    let orders = start_orders(&[("NATS_URL", &nats.nats_url())]);
    let shipping = start("shipping", &[("NATS_URL", &nats.nats_url())]);
    let first = place(&orders);
    assert!(eventually(SOON, || shipped(&shipping, first)));

    drop(shipping);
    let ids: Vec<u64> = (0..5).map(|_| place(&orders)).collect();
    std::thread::sleep(Duration::from_millis(700)); // a few outbox retries, unanswered
    assert_eq!(stats(&orders)["eventsPending"], 5, "{}", stats(&orders));

    let shipping = start("shipping", &[("NATS_URL", &nats.nats_url())]);
    let all = eventually(SOON, || ids.iter().all(|&id| shipped(&shipping, id)));
    assert!(all, "{}", stats(&shipping));
    let stats = stats(&orders);
    assert_eq!(
        (&stats["eventsAcked"], &stats["eventsPending"]),
        (&json!(6), &json!(0))
    );
}

fn should_lose_the_events_sent_while_shipping_is_away_when_fragile() {
    let nats_bin = nats_server().expect("checked by Need::NatsServer");
    let nats = start_nats(&nats_bin, free_port());
    let orders = start_orders(&[("NATS_URL", &nats.nats_url()), ("RESILIENCE", "off")]);
    let shipping = start("shipping", &[("NATS_URL", &nats.nats_url())]);
    let first = place(&orders);
    assert!(eventually(SOON, || shipped(&shipping, first)));

    drop(shipping);
    let lost: Vec<u64> = (0..5).map(|_| place(&orders)).collect();
    let shipping = start("shipping", &[("NATS_URL", &nats.nats_url())]);
    // A fresh event arrives, so the shipping that came back is listening…
    let fresh = place(&orders);
    assert!(eventually(SOON, || shipped(&shipping, fresh)));
    // …and the five sent while it was away never will.
    assert!(lost.iter().all(|&id| !shipped(&shipping, id)));
    assert_eq!(stats(&shipping)["shipped"], 1);
    assert_eq!(stats(&orders)["eventsPublished"], 7);
}

fn should_resume_delivery_soon_after_the_broker_restarts() {
    let nats_bin = nats_server().expect("checked by Need::NatsServer");
    let nats = start_nats(&nats_bin, free_port());
    let port = nats.port;
    let orders = start_orders(&[("NATS_URL", &nats.nats_url())]);
    let shipping = start("shipping", &[("NATS_URL", &nats.nats_url())]);

    drop(nats);
    let ids: Vec<u64> = (0..3).map(|_| place(&orders)).collect();
    std::thread::sleep(Duration::from_millis(500));
    assert!(ids.iter().all(|&id| !shipped(&shipping, id)));

    let _nats = start_nats(&nats_bin, port);
    let back = Instant::now();
    let all = eventually(SOON, || ids.iter().all(|&id| shipped(&shipping, id)));
    let took = back.elapsed();
    assert!(all, "{}", stats(&orders));
    eprintln!(
        "delivered {} events {took:?} after the broker came back",
        ids.len()
    );
    // The clients retry every 250 ms: well within the 2 s asked for, with a wide margin.
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

fn should_resume_delivery_soon_after_a_partition_between_shipping_and_the_broker_heals() {
    let nats_bin = nats_server().expect("checked by Need::NatsServer");
    let nats = start_nats(&nats_bin, free_port());
    let link = Proxy::start(
        "shipping-nats",
        "127.0.0.1:0",
        &format!("127.0.0.1:{}", nats.port),
        7,
    )
    .expect("a proxy");
    let orders = start_orders(&[("NATS_URL", &nats.nats_url())]);
    let via_link = format!("nats://{}", link.listen_addr());
    let shipping = start("shipping", &[("NATS_URL", &via_link)]);

    let cut = |stream: &str| {
        let toxic = json!({"name": stream, "type": "timeout", "stream": stream, "attributes": {"timeout": 0}});
        link.with_toxic(Toxic::from_json(&toxic).expect("a toxic"))
            .expect("added")
    };
    let partition = (cut("upstream"), cut("downstream"));
    let ids: Vec<u64> = (0..3).map(|_| place(&orders)).collect();
    // Long enough for shipping to notice (missed pings) and retry through the cut link.
    std::thread::sleep(Duration::from_secs(5));
    assert!(ids.iter().all(|&id| !shipped(&shipping, id)));
    assert_eq!(stats(&shipping)["connected"], false);

    drop(partition);
    let healed = Instant::now();
    let all = eventually(SOON, || ids.iter().all(|&id| shipped(&shipping, id)));
    let took = healed.elapsed();
    assert!(all, "{}", stats(&orders));
    eprintln!(
        "delivered {} events {took:?} after the partition healed",
        ids.len()
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

const NATS: &[Need] = &[Need::NatsServer];

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            NATS,
            "should_ship_a_placed_and_paid_order",
            should_ship_a_placed_and_paid_order,
        )
        .test(
            "should_accept_orders_when_payments_is_down_only_when_resilient",
            should_accept_orders_when_payments_is_down_only_when_resilient,
        )
        .test(
            "should_answer_within_a_second_when_payments_hangs_only_when_resilient",
            should_answer_within_a_second_when_payments_hangs_only_when_resilient,
        )
        .needs(
            NATS,
            "should_deliver_every_event_after_shipping_comes_back_when_resilient",
            should_deliver_every_event_after_shipping_comes_back_when_resilient,
        )
        .needs(
            NATS,
            "should_lose_the_events_sent_while_shipping_is_away_when_fragile",
            should_lose_the_events_sent_while_shipping_is_away_when_fragile,
        )
        .needs(
            NATS,
            "should_resume_delivery_soon_after_the_broker_restarts",
            should_resume_delivery_soon_after_the_broker_restarts,
        )
        .needs(
            NATS,
            "should_resume_delivery_soon_after_a_partition_between_shipping_and_the_broker_heals",
            should_resume_delivery_soon_after_a_partition_between_shipping_and_the_broker_heals,
        )
        .run()
}
