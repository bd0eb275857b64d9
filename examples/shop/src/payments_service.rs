//! The `payments` service of the example shop: approves every payment it is asked for, but
//! declines a payment of nothing.
//!
//! Routes: `GET /health`; `POST /payments` (`{"orderId", "amount"}`, both optional) →
//! `{"paymentId", "status": "approved", "orderId", "amount"}`, or, for an `amount` of 0 or
//! less, 402 `{"status": "declined", "reason", "orderId", "amount"}`; `GET /stats` →
//! `{"approved", "declined"}`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

use crate::serve::{json_reply, Reply, Request};

/// The service's state: how many payments it approved and declined.
#[derive(Default)]
pub struct Payments {
    approved: AtomicU64,
    declined: AtomicU64,
}

impl Payments {
    /// Answers one request.
    pub fn handle(&self, request: &Request) -> Reply {
        match (request.method.as_str(), request.segments().as_slice()) {
            ("GET" | "HEAD", ["health"]) => json_reply(200, json!({"status": "ok"})),
            ("POST", ["payments"]) => self.pay(&request.body),
            ("GET", ["stats"]) => json_reply(
                200,
                json!({
                    "approved": self.approved.load(Ordering::Relaxed),
                    "declined": self.declined.load(Ordering::Relaxed),
                }),
            ),
            _ => json_reply(
                404,
                json!({"error": format!("no route for {} {}", request.method, request.path)}),
            ),
        }
    }

    /// Approves a payment, or declines one of nothing. Lenient: any JSON (or an empty body)
    /// is accepted; `orderId` and `amount` are echoed when present.
    fn pay(&self, body: &[u8]) -> Reply {
        let asked: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => return json_reply(400, json!({"error": format!("expected JSON: {e}")})),
            }
        };
        let (order, amount) = (
            asked.get("orderId").cloned().unwrap_or(Value::Null),
            asked.get("amount").cloned().unwrap_or(Value::Null),
        );
        if amount.as_f64().is_some_and(|a| a <= 0.0) {
            self.declined.fetch_add(1, Ordering::Relaxed);
            return json_reply(
                402,
                json!({
                    "status": "declined",
                    "reason": "the amount must be more than 0",
                    "orderId": order,
                    "amount": amount,
                }),
            );
        }
        let n = self.approved.fetch_add(1, Ordering::Relaxed) + 1;
        json_reply(
            200,
            json!({
                "paymentId": format!("pay-{n}"),
                "status": "approved",
                "orderId": order,
                "amount": amount,
                "receipt": receipt(n),
            }),
        )
    }
}

/// A signed receipt, about 2 KB as card processors return them (it makes the payments
/// answer big enough for a bandwidth fault to matter).
fn receipt(n: u64) -> String {
    (0..32u64)
        .map(|i| {
            format!(
                "{:064x}",
                n.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(i as u32)
            )
        })
        .collect()
}
