//! The orders service as part of the shop system: `POST /orders` pays through payments and
//! sends an `OrderPlaced` event, resilient or fragile; `GET /stats`; every other route is
//! the contract-tested orders provider's (`orders_service`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::events::Events;
use crate::orders_service::{order_lines, Config, Orders};
use crate::payments_client::{PaymentError, PaymentsClient};
use crate::serve::{json_reply, Reply, Request};

/// Everything the orders service is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The contract-tested provider's configuration.
    pub config: Config,
    /// Timeout, circuit breaker and outbox on (`false`: `--fragile`, `RESILIENCE=off`).
    pub resilient: bool,
    /// Payments' base URL; without one, orders are not paid.
    pub payments_url: Option<String>,
    /// The timeout on each payments call when resilient.
    pub payments_timeout: Duration,
    /// The NATS broker's URL; without one, no events are sent.
    pub nats_url: Option<String>,
}

/// The service.
pub struct Checkout {
    orders: Arc<Orders>,
    resilient: bool,
    payments: Option<PaymentsClient>,
    events: Option<Arc<Events>>,
    placed: AtomicU64,
    payments_failed: AtomicU64,
}

impl Checkout {
    /// The service; connects to NATS in the background.
    pub async fn start(settings: Settings) -> Result<Arc<Self>, String> {
        let payments = settings.payments_url.as_deref().map(|url| {
            if settings.resilient {
                PaymentsClient::resilient(url, settings.payments_timeout)
            } else {
                PaymentsClient::fragile(url)
            }
        });
        let events = match settings.nats_url.as_deref() {
            Some(url) => {
                let client = crate::nats::connect("orders", url).await?;
                Some(Events::start(client, settings.resilient))
            }
            None => None,
        };
        Ok(Arc::new(Checkout {
            orders: Orders::new(settings.config),
            resilient: settings.resilient,
            payments,
            events,
            placed: AtomicU64::new(0),
            payments_failed: AtomicU64::new(0),
        }))
    }

    /// Answers one request.
    pub async fn handle(&self, request: Request) -> Reply {
        match (request.method.as_str(), request.segments().as_slice()) {
            ("POST", ["orders"]) => self.place(&request.body).await,
            ("GET", ["stats"]) => self.stats(),
            _ => self
                .orders
                .handle(&request.method, &request.path, &request.body),
        }
    }

    async fn place(&self, body: &[u8]) -> Reply {
        let lines = match order_lines(body) {
            Ok(lines) => lines,
            Err(why) => return json_reply(400, json!({ "error": why })),
        };
        let id = self.orders.next_id();
        let amount: f64 = lines
            .iter()
            .map(|(sku, qty)| unit_price(sku) * (*qty as f64))
            .sum();
        // The order is placed either way when resilient; only its payment is pending.
        let payment = match self.pay(id, amount).await {
            Ok(()) => "approved",
            Err(_) if self.resilient => "pending",
            Err(e) => return json_reply(502, json!({"error": e.to_string(), "orderId": id})),
        };
        let reply = self.orders.insert(id, lines, "placed", Some(payment));
        self.placed.fetch_add(1, Ordering::Relaxed);
        if let (Some(events), Some(event)) = (&self.events, self.orders.order_placed_event(id)) {
            events.send(id, &event).await;
        }
        reply
    }

    async fn pay(&self, id: u64, amount: f64) -> Result<(), PaymentError> {
        let Some(payments) = &self.payments else {
            return Ok(());
        };
        let outcome = payments.pay(id, amount).await.map(drop);
        if outcome.is_err() {
            self.payments_failed.fetch_add(1, Ordering::Relaxed);
        }
        outcome
    }

    fn stats(&self) -> Reply {
        let mut stats = json!({
            "mode": if self.resilient { "resilient" } else { "fragile" },
            "placed": self.placed.load(Ordering::Relaxed),
            "paymentsFailed": self.payments_failed.load(Ordering::Relaxed),
            "breaker": self.payments.as_ref().map_or("off", PaymentsClient::breaker),
            "eventsAcked": 0, "eventsPending": 0, "natsConnected": false,
        });
        if let (Some(events), Some(map)) = (&self.events, stats.as_object_mut()) {
            if let Some(counters) = events.stats().as_object() {
                map.extend(counters.clone());
            }
        }
        json_reply(200, stats)
    }
}

/// A product's unit price, as `GET /catalog/{n}` gives it for `SKU-{n}` (1.0 for other SKUs).
fn unit_price(sku: &str) -> f64 {
    match sku.strip_prefix("SKU-").map(str::parse::<u64>) {
        Some(Ok(n)) => (n as f64) * 0.5 + 0.25,
        _ => 1.0,
    }
}
