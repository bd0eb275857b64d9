//! Answers: HAL JSON documents and the broker's error shapes.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde_json::{json, Value};

use crate::broker::store::StoreError;

/// The content type of every document the broker answers.
pub const HAL: &str = "application/hal+json;charset=utf-8";

/// A response to send (boxed: handlers return it in both arms of a `Result`).
pub type Answer = Box<Response<Full<Bytes>>>;

/// `body` as HAL JSON with `status`.
pub fn hal(status: u16, body: &Value) -> Answer {
    with_type(status, HAL, body.to_string())
}

/// `body` with `content_type` and `status`.
pub fn with_type(status: u16, content_type: &str, body: String) -> Answer {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = content_type.parse() {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    Box::new(resp)
}

/// An answer without a body.
pub fn empty(status: u16) -> Answer {
    let mut resp = Response::new(Full::new(Bytes::new()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
    Box::new(resp)
}

/// `{"error": "…"}` with `status`.
pub fn error(status: u16, message: &str) -> Answer {
    hal(status, &json!({ "error": message }))
}

/// `{"errors": {field: [message]}}` with `status` (the broker's validation errors).
pub fn field_error(status: u16, field: &str, message: &str) -> Answer {
    hal(status, &json!({ "errors": { field: [message] } }))
}

/// 404 naming what was not found.
pub fn not_found(what: &str) -> Answer {
    error(404, &format!("{what} was not found"))
}

/// The answer for a store failure: 409 for conflicting content, 404, 400, else 500.
pub fn store_error(e: &StoreError) -> Answer {
    let text = e.to_string();
    match e {
        StoreError::Conflict { .. } => hal(
            409,
            &json!({
                "errors": { "content": [text] },
                "notices": [{ "type": "error", "text": text }],
            }),
        ),
        StoreError::NotFound(_) => error(404, &text),
        StoreError::Invalid(_) => field_error(400, "body", &text),
        _ => error(500, &text),
    }
}

/// The usual result of a handler: an answer either way.
pub type Handled = Result<Answer, Answer>;

/// Converts a store result's error into its answer.
pub trait OrAnswer<T> {
    /// `Err(answer)` for a store error.
    fn or_answer(self) -> Result<T, Answer>;
}

impl<T> OrAnswer<T> for Result<T, StoreError> {
    fn or_answer(self) -> Result<T, Answer> {
        self.map_err(|e| store_error(&e))
    }
}
