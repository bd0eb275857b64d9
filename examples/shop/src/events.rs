//! How the orders service hands `OrderPlaced` events to NATS. Resilient: an outbox; each
//! event is a request on `orders.placed`, retried every 300 ms until a consumer replies, so
//! pending events survive broker and consumer outages. Fragile: a fire-and-forget publish,
//! lost when nobody is subscribed (or the broker is away) at that moment.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::{json, Value};

use crate::nats::{is_connected, ORDERS_PLACED};

/// How often the outbox retries while events are pending.
const RETRY_EVERY: Duration = Duration::from_millis(300);
/// How long one delivery attempt waits for the consumer's reply.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(250);

/// The events side of the orders service.
pub struct Events {
    client: async_nats::Client,
    resilient: bool,
    outbox: Mutex<VecDeque<(u64, Bytes)>>,
    wake: tokio::sync::Notify,
    acked: AtomicU64,
    rejected: AtomicU64,
    published: AtomicU64,
    dropped: AtomicU64,
}

impl Events {
    /// Events sent through `client`; a resilient one starts its outbox task.
    pub fn start(client: async_nats::Client, resilient: bool) -> Arc<Self> {
        let events = Arc::new(Events {
            client,
            resilient,
            outbox: Mutex::new(VecDeque::new()),
            wake: tokio::sync::Notify::new(),
            acked: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            published: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        });
        if resilient {
            tokio::spawn(events.clone().deliver_forever());
        }
        events
    }

    fn outbox(&self) -> std::sync::MutexGuard<'_, VecDeque<(u64, Bytes)>> {
        self.outbox.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends the event of order `order_id`.
    pub async fn send(&self, order_id: u64, event: &Value) {
        let payload = Bytes::from(event.to_string());
        if self.resilient {
            self.outbox().push_back((order_id, payload));
            self.wake.notify_one();
        } else if is_connected(&self.client)
            && self.client.publish(ORDERS_PLACED, payload).await.is_ok()
        {
            self.published.fetch_add(1, Ordering::Relaxed);
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counters, as `GET /stats` shows them.
    pub fn stats(&self) -> Value {
        json!({
            "natsConnected": is_connected(&self.client),
            "eventsAcked": self.acked.load(Ordering::Relaxed),
            "eventsRejected": self.rejected.load(Ordering::Relaxed),
            "eventsPending": self.outbox().len(),
            "eventsPublished": self.published.load(Ordering::Relaxed),
            "eventsDropped": self.dropped.load(Ordering::Relaxed),
        })
    }

    async fn deliver_forever(self: Arc<Self>) {
        loop {
            let _ = tokio::time::timeout(RETRY_EVERY, self.wake.notified()).await;
            self.deliver_pending().await;
        }
    }

    /// Delivers pending events in order, until one is not answered.
    async fn deliver_pending(&self) {
        while is_connected(&self.client) {
            let Some((order_id, payload)) = self.outbox().front().cloned() else {
                return;
            };
            let request = self.client.request(ORDERS_PLACED, payload);
            let Ok(Ok(answer)) = tokio::time::timeout(ATTEMPT_TIMEOUT, request).await else {
                return;
            };
            self.outbox().pop_front();
            let acked = serde_json::from_slice::<Value>(&answer.payload)
                .is_ok_and(|v| v["ack"].as_u64() == Some(order_id));
            let counter = if acked { &self.acked } else { &self.rejected };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}
