//! What the model readers share: the Pact specification versions and a read error that
//! says where in the JSON document it happened.

use std::fmt;

use serde_json::Value;

/// A version of the Pact specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecVersion {
    /// 1.0
    V1,
    /// 1.1
    V1_1,
    /// 2.0
    V2,
    /// 3.0
    V3,
    /// 4.0
    V4,
}

impl SpecVersion {
    /// Every version, oldest first.
    pub const ALL: [SpecVersion; 5] = [
        SpecVersion::V1,
        SpecVersion::V1_1,
        SpecVersion::V2,
        SpecVersion::V3,
        SpecVersion::V4,
    ];

    /// Reads `"1.0.0"`, `"2.0"`, `"v3"`, `"4"` …
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().trim_start_matches(['v', 'V']);
        let mut parts = s.split('.');
        let major = parts.next()?.parse::<u32>().ok()?;
        let minor = parts
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .unwrap_or(0);
        match (major, minor) {
            (1, 0) => Some(SpecVersion::V1),
            (1, _) => Some(SpecVersion::V1_1),
            (2, _) => Some(SpecVersion::V2),
            (3, _) => Some(SpecVersion::V3),
            (4, _) => Some(SpecVersion::V4),
            _ => None,
        }
    }

    /// The directory name the conformance suite uses (`v1`, `v1.1`, …).
    pub fn label(&self) -> &'static str {
        match self {
            SpecVersion::V1 => "v1",
            SpecVersion::V1_1 => "v1.1",
            SpecVersion::V2 => "v2",
            SpecVersion::V3 => "v3",
            SpecVersion::V4 => "v4",
        }
    }
}

impl fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpecVersion::V1 => "1.0.0",
            SpecVersion::V1_1 => "1.1.0",
            SpecVersion::V2 => "2.0.0",
            SpecVersion::V3 => "3.0.0",
            SpecVersion::V4 => "4.0",
        })
    }
}

/// A contract document that is valid JSON but not a valid contract, with the JSON keys that
/// lead to the offending value (`["interactions", "0", "request", "path"]`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ReadError {
    /// Object keys and array indices from the document root.
    pub pointer: Vec<String>,
    /// What was expected.
    pub message: String,
}

impl ReadError {
    /// An error at `pointer`.
    pub fn at<S: ToString>(pointer: &[S], message: impl Into<String>) -> Self {
        ReadError {
            pointer: pointer.iter().map(ToString::to_string).collect(),
            message: message.into(),
        }
    }

    /// The same error, one level further out (`key` is prepended to the pointer).
    pub fn within(mut self, key: impl ToString) -> Self {
        self.pointer.insert(0, key.to_string());
        self
    }

    /// The pointer as an RFC 6901 JSON pointer (`/interactions/0/request`).
    pub fn json_pointer(&self) -> String {
        self.pointer
            .iter()
            .map(|k| format!("/{}", k.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at {}: {}", self.json_pointer(), self.message)
        }
    }
}

/// Extension helpers for reading JSON objects with located errors.
pub(crate) trait FieldExt {
    /// A string field, or an error naming it.
    fn str_field(&self, key: &str) -> Result<Option<&str>, ReadError>;
}

impl FieldExt for Value {
    fn str_field(&self, key: &str) -> Result<Option<&str>, ReadError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ReadError::at(&[key], "expected a string")),
        }
    }
}
