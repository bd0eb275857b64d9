//! The `shipping` service of the example shop: plans a shipment (`handle_order_placed`) for
//! every `OrderPlaced` event on NATS `orders.placed`, once per order id however often it is
//! delivered, replies `{"ack": orderId}` to requests, and serves what it shipped over HTTP.
//!
//! Routes: `GET /health` (200 only while connected and subscribed, else 503);
//! `GET /stats` → `{"shipped", "duplicates", "rejected", "connected"}`;
//! `GET /shipments/{orderId}` → `{"orderId", "parcels"}` or 404.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use serde_json::{json, Value};

use crate::nats::{is_connected, ORDERS_PLACED};
use crate::serve::{json_reply, Reply, Request};
use crate::shipping_handler::{handle_order_placed, Shipment};

/// The service's state.
pub struct Shipping {
    client: async_nats::Client,
    shipments: Mutex<BTreeMap<u64, Shipment>>,
    subscribed: AtomicBool,
    duplicates: AtomicU64,
    rejected: AtomicU64,
}

impl Shipping {
    /// The service, consuming events from the broker at `nats_url` in the background.
    pub async fn start(nats_url: &str) -> Result<Arc<Self>, String> {
        let client = crate::nats::connect("shipping", nats_url).await?;
        let shipping = Arc::new(Shipping {
            client,
            shipments: Mutex::new(BTreeMap::new()),
            subscribed: AtomicBool::new(false),
            duplicates: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
        });
        tokio::spawn(shipping.clone().consume_forever());
        Ok(shipping)
    }

    fn shipments(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Shipment>> {
        self.shipments.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Subscribes and handles events; subscribes again if the subscription ends. (The
    /// client itself resubscribes after each reconnection.)
    async fn consume_forever(self: Arc<Self>) {
        loop {
            // A plain subscription, not a queue group: after a partition the broker may still
            // hold our old, dead connection for a while, and a queue group would hand it some
            // of the events.
            match self.client.subscribe(ORDERS_PLACED).await {
                Ok(mut events) => {
                    // The broker has the subscription once a flush came back.
                    if self.client.flush().await.is_ok() {
                        self.subscribed.store(true, Ordering::Relaxed);
                    }
                    while let Some(event) = events.next().await {
                        self.receive(event).await;
                    }
                }
                Err(e) => eprintln!("shipping: cannot subscribe to {ORDERS_PLACED}: {e}"),
            }
            self.subscribed.store(false, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn receive(&self, event: async_nats::Message) {
        let answer = self.record(&event.payload);
        if let Some(reply_to) = event.reply {
            // A lost reply is retried by the sender's outbox; the record above dedupes it.
            let _ = self
                .client
                .publish(reply_to, answer.to_string().into())
                .await;
        }
    }

    /// Plans the shipment of one event; the answer to send back.
    fn record(&self, payload: &[u8]) -> Value {
        match handle_order_placed(payload) {
            Ok(shipment) => {
                let id = shipment.order_id;
                match self.shipments().entry(id) {
                    Entry::Occupied(_) => {
                        self.duplicates.fetch_add(1, Ordering::Relaxed);
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(shipment);
                    }
                }
                json!({"ack": id})
            }
            Err(why) => {
                self.rejected.fetch_add(1, Ordering::Relaxed);
                json!({"error": why})
            }
        }
    }

    fn ready(&self) -> bool {
        is_connected(&self.client) && self.subscribed.load(Ordering::Relaxed)
    }

    /// Answers one request.
    pub fn handle(&self, request: &Request) -> Reply {
        match (request.method.as_str(), request.segments().as_slice()) {
            ("GET" | "HEAD", ["health"]) if self.ready() => {
                json_reply(200, json!({"status": "ok"}))
            }
            ("GET" | "HEAD", ["health"]) => {
                json_reply(503, json!({"status": "not connected to NATS"}))
            }
            ("GET", ["stats"]) => json_reply(
                200,
                json!({
                    "shipped": self.shipments().len(),
                    "duplicates": self.duplicates.load(Ordering::Relaxed),
                    "rejected": self.rejected.load(Ordering::Relaxed),
                    "connected": is_connected(&self.client),
                }),
            ),
            ("GET", ["shipments", id]) => self.shipment(id),
            _ => json_reply(
                404,
                json!({"error": format!("no route for {} {}", request.method, request.path)}),
            ),
        }
    }

    fn shipment(&self, id: &str) -> Reply {
        let found = id
            .parse::<u64>()
            .ok()
            .and_then(|id| self.shipments().get(&id).cloned());
        match found {
            Some(s) => json_reply(200, json!({"orderId": s.order_id, "parcels": s.parcels})),
            None => json_reply(404, json!({"error": "no such shipment"})),
        }
    }
}
