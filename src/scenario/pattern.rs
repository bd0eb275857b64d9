//! Regular expressions as scenario files write them: a string, compiled when the file is read.

use std::borrow::Cow;

use regex::Regex;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

/// A regex read from a string (`"^/payments"`); a file with a bad one does not load.
///
/// ```
/// use shakedown::scenario::Pattern;
/// let p = Pattern::try_from("^/pay".to_string()).unwrap();
/// assert!(p.regex().is_match("/payments"));
/// assert!(Pattern::try_from("(unclosed".to_string()).is_err());
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pattern(Regex);

impl Pattern {
    /// The compiled regex.
    pub fn regex(&self) -> &Regex {
        &self.0
    }
}

impl TryFrom<String> for Pattern {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Regex::new(&s).map(Pattern).map_err(|e| {
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

impl From<Pattern> for String {
    fn from(p: Pattern) -> String {
        p.0.as_str().into()
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
