//! Regular expressions as scenario files write them: a string, compiled when the file is read.

use std::borrow::Cow;
use std::fmt;

use regex::Regex;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A regex read from a string (`"^/payments"`); a file with a bad one does not load.
///
/// ```
/// use shakedown::scenario::Pattern;
/// let p: Pattern = "^/pay".parse().unwrap();
/// assert!(p.regex().is_match("/payments"));
/// assert!("(unclosed".parse::<Pattern>().is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Pattern(Regex);

impl Pattern {
    /// The compiled regex.
    pub fn regex(&self) -> &Regex {
        &self.0
    }
}

impl std::str::FromStr for Pattern {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Regex::new(s).map(Pattern).map_err(|e| {
            let why = e.to_string().lines().last().unwrap_or_default().to_string();
            format!("bad regex {s:?}: {why}")
        })
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Pattern {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.as_str())
    }
}

impl JsonSchema for Pattern {
    fn schema_name() -> Cow<'static, str> {
        "Regex".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "regex",
            "description": "A regular expression (Rust `regex` syntax), e.g. \"^/payments\"."
        })
    }
}
