//! Mismatches as data: where, what was expected, what was found, and which rule applied.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// Which part of a request, response or message a mismatch is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub enum MismatchKind {
    /// The HTTP method.
    Method,
    /// The request path.
    Path,
    /// A query parameter.
    Query,
    /// A header.
    Header,
    /// The response status.
    Status,
    /// The body's content type (e.g. JSON expected, text received).
    BodyType,
    /// Something inside the body or message contents.
    Body,
    /// Message metadata.
    Metadata,
}

/// One difference between what a contract expects and what was received.
///
/// ```
/// use shakedown::contract::{Mismatch, MismatchKind};
/// let m = Mismatch::new(MismatchKind::Status, "status", "expected 200 but received 500")
///     .expected(200)
///     .actual(500);
/// assert_eq!(m.to_string(), "status: expected 200 but received 500");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// The part it is in.
    pub kind: MismatchKind,
    /// Where: `$.body.items[2].price`, `header Content-Type`, `query page`, `method`, `path`,
    /// `status`, `metadata topic`.
    pub location: String,
    /// What the contract expected (absent when nothing was expected there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// What was found (absent when it was missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    /// The matching rule that applied, when one did (`regex '\d+'`, `type min 1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// A sentence a person can read.
    pub message: String,
}

impl Mismatch {
    /// A mismatch with a location and a message.
    pub fn new(
        kind: MismatchKind,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Mismatch {
            kind,
            location: location.into(),
            expected: None,
            actual: None,
            rule: None,
            message: message.into(),
        }
    }

    /// Records the expected value.
    pub fn expected(mut self, value: impl Into<Value>) -> Self {
        self.expected = Some(value.into());
        self
    }

    /// Records the value found.
    pub fn actual(mut self, value: impl Into<Value>) -> Self {
        self.actual = Some(value.into());
        self
    }

    /// Records the rule that applied.
    pub fn rule(mut self, rule: impl fmt::Display) -> Self {
        self.rule = Some(rule.to_string());
        self
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}
