//! Bodies of requests, responses and messages: missing, null, empty or present bytes with a
//! content type, and their V1–V4 JSON forms.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::content_type::ContentType;

/// The body of a request, response or message.
///
/// ```
/// use shakedown::contract::Body;
/// let body = Body::json(&serde_json::json!({"id": 1}));
/// assert_eq!(body.as_json(), Some(serde_json::json!({"id": 1})));
/// assert!(Body::Missing.is_missing());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Body {
    /// Not given: an expectation without a body accepts any body.
    #[default]
    Missing,
    /// Given as JSON `null`.
    Null,
    /// Given, and empty.
    Empty,
    /// Bytes, with the content type when known.
    Present {
        /// The raw content.
        bytes: Vec<u8>,
        /// The declared content type, if any.
        content_type: Option<ContentType>,
    },
}

impl Body {
    /// A JSON body.
    pub fn json(value: &Value) -> Self {
        Body::Present {
            bytes: value.to_string().into_bytes(),
            content_type: Some(ContentType::json()),
        }
    }

    /// A body of text with a content type (`text/plain` when `None`).
    pub fn text(text: &str, content_type: Option<ContentType>) -> Self {
        Body::from_bytes(
            text.as_bytes().to_vec(),
            Some(content_type.unwrap_or_else(ContentType::text)),
        )
    }

    /// Bytes with an optional content type; no bytes make an [`Body::Empty`] body.
    pub fn from_bytes(bytes: Vec<u8>, content_type: Option<ContentType>) -> Self {
        if bytes.is_empty() {
            Body::Empty
        } else {
            Body::Present {
                bytes,
                content_type,
            }
        }
    }

    /// True for [`Body::Missing`].
    pub fn is_missing(&self) -> bool {
        matches!(self, Body::Missing)
    }

    /// The bytes (empty unless present).
    pub fn bytes(&self) -> &[u8] {
        match self {
            Body::Present { bytes, .. } => bytes,
            _ => &[],
        }
    }

    /// The declared content type.
    pub fn content_type(&self) -> Option<&ContentType> {
        match self {
            Body::Present { content_type, .. } => content_type.as_ref(),
            _ => None,
        }
    }

    /// The declared content type, or else one sniffed from the bytes.
    pub fn effective_content_type(&self, declared: Option<&ContentType>) -> ContentType {
        self.content_type()
            .or(declared)
            .cloned()
            .unwrap_or_else(|| ContentType::sniff(self.bytes()))
    }

    /// The body parsed as JSON, when it is JSON.
    pub fn as_json(&self) -> Option<Value> {
        match self {
            Body::Present { bytes, .. } => serde_json::from_slice(bytes).ok(),
            Body::Null => Some(Value::Null),
            _ => None,
        }
    }

    /// The body as UTF-8 text (lossy).
    pub fn as_text(&self) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }

    /// Reads a V1–V3 body: any JSON value, a string being the raw text of the body.
    pub fn from_v3_json(value: Option<&Value>, content_type: Option<ContentType>) -> Self {
        match value {
            None => Body::Missing,
            Some(Value::Null) => Body::Null,
            Some(Value::String(s)) => Body::from_bytes(s.clone().into_bytes(), content_type),
            Some(other) => Body::Present {
                bytes: other.to_string().into_bytes(),
                content_type: Some(
                    content_type
                        .filter(|c| c.is_json())
                        .unwrap_or_else(ContentType::json),
                ),
            },
        }
    }

    /// Reads a V4 body object `{"content": .., "contentType": .., "encoded": ..}`.
    pub fn from_v4_json(
        value: Option<&Value>,
        fallback: Option<ContentType>,
    ) -> Result<Self, String> {
        let obj = match value {
            None => return Ok(Body::Missing),
            Some(Value::Null) => return Ok(Body::Null),
            Some(Value::Object(o)) if o.contains_key("content") || o.is_empty() => o,
            Some(other) => return Ok(Self::from_v3_json(Some(other), fallback)),
        };
        let declared = obj
            .get("contentType")
            .and_then(Value::as_str)
            .map(|s| {
                ContentType::parse(s)
                    .ok_or_else(|| format!("`contentType` {s:?} is not a MIME type"))
            })
            .transpose()?
            .or(fallback);
        let content = match obj.get("content") {
            Some(Value::Null) if declared.as_ref().is_some_and(ContentType::is_json) => {
                &Value::Null
            }
            None | Some(Value::Null) => {
                return Ok(if obj.is_empty() {
                    Body::Empty
                } else {
                    Body::Null
                })
            }
            Some(c) => c,
        };
        let bytes = match (content, obj.get("encoded")) {
            (Value::String(s), Some(Value::String(enc))) if enc.eq_ignore_ascii_case("base64") => {
                decode64(s)?
            }
            (Value::String(s), Some(Value::Bool(true))) => decode64(s)?,
            // `encoded: "json"`: the content value is the JSON document itself.
            (c, Some(Value::String(enc))) if enc.eq_ignore_ascii_case("json") => {
                c.to_string().into_bytes()
            }
            (Value::String(s), _) => s.clone().into_bytes(),
            (other, _) => other.to_string().into_bytes(),
        };
        Ok(Body::from_bytes(bytes, declared))
    }

    /// The V4 JSON form: JSON content inline, text as a string, anything else base64.
    pub fn to_v4_json(&self) -> Option<Value> {
        let (bytes, declared) = match self {
            Body::Missing => return None,
            Body::Null => return Some(Value::Null),
            Body::Empty => return Some(json!({"content": ""})),
            Body::Present {
                bytes,
                content_type,
            } => (bytes, content_type),
        };
        let ct = declared
            .clone()
            .unwrap_or_else(|| ContentType::sniff(bytes));
        let mut obj = Map::new();
        obj.insert("contentType".into(), json!(ct.to_string()));
        let parsed = ct
            .is_json()
            .then(|| serde_json::from_slice::<Value>(bytes).ok())
            .flatten();
        let (content, encoded) = match (parsed, std::str::from_utf8(bytes)) {
            // A JSON string would read back as raw text: keep its JSON form, marked as such.
            (Some(Value::String(s)), _) => (json!(s), json!("json")),
            (Some(v), _) => (v, json!(false)),
            (None, Ok(text)) if ct.is_text() || ContentType::sniff(bytes).is_text() => {
                (json!(text), json!(false))
            }
            _ => (
                json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
                json!("base64"),
            ),
        };
        obj.insert("content".into(), content);
        obj.insert("encoded".into(), encoded);
        Some(Value::Object(obj))
    }
}

fn decode64(s: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| format!("`content` is not valid base64: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn v4_forms_round_trip() {
        for body in [
            Body::json(&json!({"a": [1, 2]})),
            Body::json(&Value::Null),
            Body::json(&json!("")),
            Body::text("hello", None),
            Body::from_bytes(vec![0, 1, 2, 255], Some(ContentType::binary())),
            Body::Empty,
            Body::Null,
        ] {
            let v = body.to_v4_json();
            assert_eq!(Body::from_v4_json(v.as_ref(), None).unwrap(), body);
        }
        assert_eq!(Body::Missing.to_v4_json(), None);
    }

    #[test]
    fn v3_strings_are_raw_text() {
        let b = Body::from_v3_json(Some(&json!("plain")), Some(ContentType::text()));
        assert_eq!(b.as_text(), "plain");
        assert_eq!(Body::from_v3_json(Some(&json!("")), None), Body::Empty);
    }

    #[test]
    fn bad_base64_is_an_error() {
        let v = json!({"content": "!!", "encoded": "base64", "contentType": "image/png"});
        assert!(Body::from_v4_json(Some(&v), None).is_err());
    }

    proptest! {
        #[test]
        fn any_bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 1..64)) {
            let body = Body::from_bytes(bytes, Some(ContentType::binary()));
            let v = body.to_v4_json();
            prop_assert_eq!(Body::from_v4_json(v.as_ref(), None).unwrap(), body);
        }
    }
}
