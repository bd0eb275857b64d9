//! The `web` consumer of the example shop: a small client of the `orders` HTTP API.

use serde::{Deserialize, Serialize};

/// An order as the web front end shows it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Order {
    /// The order's id.
    pub id: u64,
    /// `placed`, `paid` or `shipped`.
    pub status: String,
    /// The order lines.
    pub lines: Vec<Line>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The product.
    pub sku: String,
    /// How many.
    pub qty: u32,
}

/// Why a call failed.
#[derive(Debug)]
pub enum ClientError {
    /// The order does not exist.
    NotFound,
    /// The service answered something else.
    Unexpected(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::NotFound => f.write_str("no such order"),
            ClientError::Unexpected(why) => write!(f, "unexpected answer: {why}"),
        }
    }
}

/// A client of the orders service.
pub struct OrdersClient {
    base: String,
    http: reqwest::blocking::Client,
}

impl OrdersClient {
    /// A client of the service at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Self {
        OrdersClient {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::blocking::Client::new(),
        }
    }

    /// Fetches an order with its lines.
    pub fn order(&self, id: u64) -> Result<Order, ClientError> {
        let resp = self
            .http
            .get(format!("{}/orders/{id}", self.base))
            .header("Accept", "application/json")
            .send()
            .map_err(|e| ClientError::Unexpected(e.to_string()))?;
        match resp.status().as_u16() {
            200 => resp
                .json()
                .map_err(|e| ClientError::Unexpected(e.to_string())),
            404 => Err(ClientError::NotFound),
            s => Err(ClientError::Unexpected(format!("status {s}"))),
        }
    }

    /// Places an order for one product; returns the new order's id.
    pub fn place(&self, sku: &str, qty: u32) -> Result<u64, ClientError> {
        let resp = self
            .http
            .post(format!("{}/orders", self.base))
            .json(&serde_json::json!({"lines": [Line { sku: sku.to_string(), qty }]}))
            .send()
            .map_err(|e| ClientError::Unexpected(e.to_string()))?;
        if resp.status().as_u16() != 201 {
            return Err(ClientError::Unexpected(format!("status {}", resp.status())));
        }
        let v: serde_json::Value = resp
            .json()
            .map_err(|e| ClientError::Unexpected(e.to_string()))?;
        v["id"]
            .as_u64()
            .ok_or_else(|| ClientError::Unexpected("no id in the answer".into()))
    }
}
