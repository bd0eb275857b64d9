//! StatusClass: the HTTP status classes and codes a `statusCode` rule names, and their JSON
//! form.

use serde_json::{json, Value};

/// The classes of HTTP status a `statusCode` rule can name.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusClass {
    /// 1xx
    Information,
    /// 2xx
    Success,
    /// 3xx
    Redirect,
    /// 4xx
    ClientError,
    /// 5xx
    ServerError,
    /// < 400
    NonError,
    /// >= 400
    Error,
    /// One of these codes.
    Codes(Vec<u16>),
}

impl StatusClass {
    const NAMES: [(&'static str, StatusClass); 7] = [
        ("info", StatusClass::Information),
        ("success", StatusClass::Success),
        ("redirect", StatusClass::Redirect),
        ("clientError", StatusClass::ClientError),
        ("serverError", StatusClass::ServerError),
        ("nonError", StatusClass::NonError),
        ("error", StatusClass::Error),
    ];

    /// True when `status` is in this class.
    pub fn contains(&self, status: u16) -> bool {
        match self {
            StatusClass::Information => (100..200).contains(&status),
            StatusClass::Success => (200..300).contains(&status),
            StatusClass::Redirect => (300..400).contains(&status),
            StatusClass::ClientError => (400..500).contains(&status),
            StatusClass::ServerError => (500..600).contains(&status),
            StatusClass::NonError => status < 400,
            StatusClass::Error => status >= 400,
            StatusClass::Codes(codes) => codes.contains(&status),
        }
    }

    pub(super) fn from_json(v: &Value) -> Option<Self> {
        match v {
            Value::String(s) => Self::NAMES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(s) || (s == "information" && *n == "info"))
                .map(|(_, c)| c.clone()),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_u64().and_then(|n| u16::try_from(n).ok()))
                .collect::<Option<Vec<_>>>()
                .map(StatusClass::Codes),
            _ => None,
        }
    }

    pub(super) fn to_json(&self) -> Value {
        match self {
            StatusClass::Codes(codes) => json!(codes),
            class => {
                let name = Self::NAMES
                    .iter()
                    .find(|(_, c)| c == class)
                    .map(|(n, _)| *n);
                json!(name.unwrap_or("success"))
            }
        }
    }
}
