//! Messages (events): contents, metadata, and their matching rules and generators, with
//! readers for V3 message pacts and V4 message interactions.

use serde_json::{Map, Value};

use super::body::Body;
use super::content_type::ContentType;
use super::format::{ReadError, SpecVersion};
use super::generators::Generators;
use super::http::{read_body, read_rules};
use super::rules::MatchingRules;

/// A message: the contents of an event, or one side of a synchronous message exchange.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    /// The payload.
    pub contents: Body,
    /// Metadata (e.g. `contentType`, a topic, a key).
    pub metadata: Map<String, Value>,
    /// Matching rules (body, metadata).
    pub matching_rules: MatchingRules,
    /// Generators (body, metadata).
    pub generators: Generators,
}

/// The content type a message's metadata declares, if any.
pub fn metadata_content_type(metadata: &Map<String, Value>) -> Option<ContentType> {
    metadata
        .iter()
        .find(|(k, _)| {
            k.eq_ignore_ascii_case("contentType") || k.eq_ignore_ascii_case("content-type")
        })
        .and_then(|(_, v)| v.as_str())
        .and_then(ContentType::parse)
}

impl Message {
    /// Reads a message (`contents`, `metadata` or `metaData`, `matchingRules`, `generators`).
    pub fn from_json(value: &Value, version: SpecVersion) -> Result<Self, ReadError> {
        if !value.is_object() {
            return Err(ReadError::at::<&str>(&[], "expected a message object"));
        }
        let key = if value.get("metadata").is_some() {
            "metadata"
        } else {
            "metaData"
        };
        let metadata = match value.get(key) {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return Err(ReadError::at(&[key], "expected an object")),
        };
        let (matching_rules, generators) = read_rules(value)?;
        Ok(Message {
            contents: read_body(value, "contents", version, metadata_content_type(&metadata))?,
            metadata,
            matching_rules,
            generators,
        })
    }

    /// The V4 JSON form, added to `obj`.
    pub fn write_into(&self, obj: &mut Map<String, Value>) {
        if let Some(contents) = self.contents.to_v4_json() {
            obj.insert("contents".into(), contents);
        }
        if !self.metadata.is_empty() {
            obj.insert("metadata".into(), Value::Object(self.metadata.clone()));
        }
        if !self.matching_rules.is_empty() {
            obj.insert(
                "matchingRules".into(),
                self.matching_rules.to_message_json(),
            );
        }
        if !self.generators.is_empty() {
            obj.insert("generators".into(), self.generators.to_json());
        }
    }

    /// The V4 JSON form.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        self.write_into(&mut obj);
        Value::Object(obj)
    }
}
