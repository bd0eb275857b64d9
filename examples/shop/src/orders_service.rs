//! The `orders` provider of the example shop: an HTTP service for orders, with the
//! provider-state and message endpoints its contracts are verified through.
//!
//! Routes: `GET /health`; `GET /orders/{id}`; `GET /catalog/{n}`; `POST /orders` (publishes `OrderPlaced`);
//! `POST /_pact/state` (`{"state", "params", "action"}`); `POST /_pact/messages`
//! (`{"description"}` → the message, metadata in `Pact-Message-Metadata`).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use serde_json::{json, Value};

/// How the service behaves.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Break the contract on purpose: call the order's `status` field `state`.
    pub rename_status: bool,
}

#[derive(Debug, Clone)]
struct Order {
    status: String,
    lines: Vec<(String, u64)>,
}

#[derive(Default)]
struct Store {
    orders: BTreeMap<u64, Order>,
    next_id: u64,
}

/// The service's state.
pub struct Orders {
    config: Config,
    store: Mutex<Store>,
}

type Reply = Response<Full<Bytes>>;

fn reply(status: u16, body: Value) -> Reply {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_default()
}

impl Orders {
    /// A service with no orders.
    pub fn new(config: Config) -> Arc<Self> {
        Arc::new(Orders {
            config,
            store: Mutex::new(Store {
                next_id: 43,
                ..Default::default()
            }),
        })
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn order_json(&self, id: u64, order: &Order) -> Value {
        let lines: Vec<Value> = order
            .lines
            .iter()
            .map(|(sku, qty)| json!({"sku": sku, "qty": qty}))
            .collect();
        let status_key = if self.config.rename_status {
            "state"
        } else {
            "status"
        };
        json!({"id": id, status_key: order.status, "lines": lines})
    }

    /// Answers one request.
    pub fn handle(&self, method: &str, path: &str, body: &[u8]) -> Reply {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (method, segments.as_slice()) {
            ("GET" | "HEAD", ["health"]) => reply(200, json!({"status": "ok"})),
            ("GET", ["orders", id]) => self.get(id),
            ("GET", ["catalog", id]) => catalog_item(id),
            ("POST", ["orders"]) => self.place(body),
            ("POST", ["_pact", "state"]) => self.state(body),
            ("POST", ["_pact", "messages"]) => self.message(body),
            ("HEAD", _) => reply(200, json!({})),
            _ => reply(
                404,
                json!({"error": format!("no route for {method} {path}")}),
            ),
        }
    }

    fn get(&self, id: &str) -> Reply {
        let Ok(id) = id.parse::<u64>() else {
            return reply(404, json!({"error": "no such order"}));
        };
        match self.store().orders.get(&id) {
            Some(order) => reply(200, self.order_json(id, order)),
            None => reply(404, json!({"error": "no such order"})),
        }
    }

    fn place(&self, body: &[u8]) -> Reply {
        match order_lines(body) {
            Ok(lines) => {
                let id = self.next_id();
                self.insert(id, lines, "placed", None)
            }
            Err(why) => reply(400, json!({ "error": why })),
        }
    }

    /// Reserves the id of the next order.
    pub fn next_id(&self) -> u64 {
        let mut store = self.store();
        let id = store.next_id;
        store.next_id += 1;
        id
    }

    /// Stores order `id` with `status`; answers as `POST /orders` does.
    pub fn insert(
        &self,
        id: u64,
        lines: Vec<(String, u64)>,
        status: &str,
        payment: Option<&str>,
    ) -> Reply {
        self.store().orders.insert(
            id,
            Order {
                status: status.into(),
                lines,
            },
        );
        let mut body = json!({"id": id, "status": status});
        if let Some(p) = payment {
            body["payment"] = json!(p);
        }
        reply(201, body)
    }

    fn state(&self, body: &[u8]) -> Reply {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let (state, action) = (
            v["state"].as_str().unwrap_or(""),
            v["action"].as_str().unwrap_or("setup"),
        );
        let id = v["params"]["id"].as_u64().unwrap_or(1);
        let mut store = self.store();
        if action == "teardown" {
            store.orders.clear();
            return reply(200, json!({}));
        }
        match state {
            "an order exists" | "an order is placed" => {
                store.orders.insert(
                    id,
                    Order {
                        status: "placed".into(),
                        lines: vec![("SKU-000123".into(), 12)],
                    },
                );
                reply(200, json!({"id": id}))
            }
            // Pact's reference verifier also calls with an empty state for stateless interactions.
            "" => reply(200, json!({})),
            "no order exists" => {
                store.orders.clear();
                reply(200, json!({}))
            }
            other => reply(
                400,
                json!({"error": format!("unknown provider state {other:?}")}),
            ),
        }
    }

    /// The `OrderPlaced` event the service publishes for an order.
    pub fn order_placed_event(&self, id: u64) -> Option<Value> {
        let store = self.store();
        let order = store.orders.get(&id)?;
        let lines: Vec<Value> = order
            .lines
            .iter()
            .map(|(sku, qty)| json!({"sku": sku, "qty": qty}))
            .collect();
        let placed_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        Some(json!({"type": "OrderPlaced", "orderId": id, "lines": lines, "placedAt": placed_at}))
    }

    fn message(&self, body: &[u8]) -> Reply {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        if v["description"] != "an OrderPlaced event" {
            return reply(
                404,
                json!({"error": format!("no message {}", v["description"])}),
            );
        }
        let id = v["providerStates"][0]["params"]["id"].as_u64().unwrap_or(1);
        let Some(event) = self.order_placed_event(id) else {
            return reply(404, json!({"error": "no such order"}));
        };
        let metadata =
            json!({"topic": "orders.placed", "contentType": "application/json"}).to_string();
        let mut r = reply(200, event);
        if let Ok(h) = base64::engine::general_purpose::STANDARD
            .encode(metadata)
            .parse()
        {
            r.headers_mut().insert("Pact-Message-Metadata", h);
        }
        r
    }
}

/// The lines (SKU, quantity) of a `POST /orders` body, or why it is refused (a 400).
pub fn order_lines(body: &[u8]) -> Result<Vec<(String, u64)>, &'static str> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Err("expected JSON");
    };
    let lines: Vec<(String, u64)> = v["lines"]
        .as_array()
        .map(|ls| {
            ls.iter()
                .filter_map(|l| Some((l["sku"].as_str()?.to_string(), l["qty"].as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    if lines.is_empty() {
        return Err("an order needs lines");
    }
    Ok(lines)
}

/// A catalogue entry: deterministic, stateless (used by the verification benchmark).
fn catalog_item(id: &str) -> Reply {
    match id.parse::<u64>() {
        Ok(n) => reply(
            200,
            json!({"id": n, "sku": format!("SKU-{n:06}"), "name": format!("item {n}"), "price": (n as f64) * 0.5 + 0.25, "tags": ["a", "b"]}),
        ),
        Err(_) => reply(404, json!({"error": "no such item"})),
    }
}

/// A running service; stops when dropped.
pub struct Running {
    /// The bound address.
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts the service on `addr` (e.g. `127.0.0.1:0`) in a background thread.
pub fn start(addr: &str, config: Config) -> std::io::Result<Running> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let service = Orders::new(config);
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let thread = std::thread::spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            loop {
                let stream = tokio::select! {
                    _ = &mut rx => return,
                    a = listener.accept() => match a { Ok((s, _)) => s, Err(_) => continue },
                };
                let service = service.clone();
                tokio::spawn(async move {
                    let svc =
                        hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                            let service = service.clone();
                            async move {
                                let (parts, body) = req.into_parts();
                                let bytes = body
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes())
                                    .unwrap_or_default();
                                Ok::<_, Infallible>(service.handle(
                                    parts.method.as_str(),
                                    parts.uri.path(),
                                    &bytes,
                                ))
                            }
                        });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                });
            }
        })
    });
    Ok(Running {
        addr: bound,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}
