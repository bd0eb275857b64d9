//! The orders service's client of payments: one `POST {PAYMENTS_URL}/payments` per order,
//! behind a timeout and a circuit breaker when resilient, with neither when fragile. Its
//! contract with payments is `contracts/orders-payments.json` (tests/shop_payments_consumer.rs).

use std::time::Duration;

use serde_json::{json, Value};

use crate::breaker::Breaker;

/// Consecutive failures that open the breaker.
const BREAKER_THRESHOLD: u32 = 5;
/// How long an open breaker refuses calls before a trial call.
const BREAKER_OPEN_FOR: Duration = Duration::from_secs(2);

/// Why an order was not paid.
#[derive(Debug)]
pub enum PaymentError {
    /// The breaker is open: no call was made.
    BreakerOpen,
    /// Payments did not answer in time.
    TimedOut(Duration),
    /// Payments declined the payment (402), for this reason.
    Declined(String),
    /// Payments could not be reached, or answered something other than an approval.
    Failed(String),
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaymentError::BreakerOpen => f.write_str("the payments breaker is open"),
            PaymentError::TimedOut(t) => write!(f, "payments did not answer within {t:?}"),
            PaymentError::Declined(why) => write!(f, "payment declined: {why}"),
            PaymentError::Failed(why) => write!(f, "payments failed: {why}"),
        }
    }
}

/// The client.
pub struct PaymentsClient {
    url: String,
    http: reqwest::Client,
    timeout: Option<Duration>,
    breaker: Option<Breaker>,
}

impl PaymentsClient {
    /// A client of payments at `url` with a timeout on each call and a circuit breaker.
    pub fn resilient(url: &str, timeout: Duration) -> Self {
        let mut client = Self::fragile(url);
        client.timeout = Some(timeout);
        client.breaker = Some(Breaker::new(BREAKER_THRESHOLD, BREAKER_OPEN_FOR));
        client
    }

    /// A client of payments at `url` that waits as long as payments takes.
    pub fn fragile(url: &str) -> Self {
        PaymentsClient {
            url: url.trim_end_matches('/').to_string(),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_default(),
            timeout: None,
            breaker: None,
        }
    }

    /// Pays for order `order_id`; returns the payment's id.
    pub async fn pay(&self, order_id: u64, amount: f64) -> Result<String, PaymentError> {
        if let Some(breaker) = &self.breaker {
            if !breaker.allow() {
                return Err(PaymentError::BreakerOpen);
            }
        }
        let outcome = match self.timeout {
            Some(t) => tokio::time::timeout(t, self.call(order_id, amount))
                .await
                .unwrap_or(Err(PaymentError::TimedOut(t))),
            None => self.call(order_id, amount).await,
        };
        if let Some(breaker) = &self.breaker {
            // A decline is payments working: it does not count against the breaker.
            breaker.record(!matches!(
                outcome,
                Err(PaymentError::TimedOut(_) | PaymentError::Failed(_))
            ));
        }
        outcome
    }

    async fn call(&self, order_id: u64, amount: f64) -> Result<String, PaymentError> {
        let failed = |e: reqwest::Error| PaymentError::Failed(e.to_string());
        let response = self
            .http
            .post(format!("{}/payments", self.url))
            .json(&json!({"orderId": order_id, "amount": amount}))
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        if status == reqwest::StatusCode::PAYMENT_REQUIRED {
            let answer: Value = response.json().await.unwrap_or_default();
            let reason = answer["reason"].as_str().unwrap_or("no reason given");
            return Err(PaymentError::Declined(reason.to_string()));
        }
        if !status.is_success() {
            return Err(PaymentError::Failed(format!("status {status}")));
        }
        let answer: Value = response.json().await.map_err(failed)?;
        if answer["status"] != "approved" {
            return Err(PaymentError::Failed(format!("not approved: {answer}")));
        }
        Ok(answer["paymentId"].as_str().unwrap_or_default().to_string())
    }

    /// The breaker's state (`closed`, `open`, `half-open`), or `off` without one.
    pub fn breaker(&self) -> &'static str {
        self.breaker.as_ref().map_or("off", Breaker::describe)
    }
}
