//! Inline matchers and generators for the consumer DSL: functions that return a JSON marker
//! (`{"pact:matcher:type": …, "value": …}`, the Pact "integration JSON" form) to be written
//! wherever a value is declared.
//!
//! ```
//! use serde_json::json;
//! use shakedown::consumer::matchers::*;
//! let body = json!({
//!     "id": integer(42),
//!     "status": regex("placed|paid", "placed"),
//!     "placedAt": datetime("yyyy-MM-dd'T'HH:mm:ssXXX", "2024-05-01T10:00:00+00:00"),
//!     "lines": each_like(json!({"sku": like("SKU-1"), "qty": integer(1)}), 1),
//! });
//! assert_eq!(body["id"]["pact:matcher:type"], "integer");
//! ```

use serde_json::{json, Map, Value};

/// The key naming a matcher in a template.
pub const MATCHER_KEY: &str = "pact:matcher:type";
/// The key naming a generator in a template.
pub const GENERATOR_KEY: &str = "pact:generator:type";

fn matcher(kind: &str, value: Value, extra: Value) -> Value {
    let mut obj = Map::new();
    obj.insert(MATCHER_KEY.into(), json!(kind));
    obj.insert("value".into(), value);
    if let Value::Object(extra) = extra {
        obj.extend(extra);
    }
    Value::Object(obj)
}

/// Same type as the example (`"abc"` matches any string, `{…}` any object with those keys).
pub fn like(example: impl Into<Value>) -> Value {
    matcher("type", example.into(), Value::Null)
}

/// An array of at least `min` elements, each like `template`.
pub fn each_like(template: impl Into<Value>, min: usize) -> Value {
    let template = template.into();
    let example = vec![template; min.max(1)];
    matcher("type", json!(example), json!({"min": min}))
}

/// An array of at most `max` elements, each like `template`.
pub fn each_like_max(template: impl Into<Value>, max: usize) -> Value {
    matcher("type", json!([template.into()]), json!({"max": max}))
}

/// An array of between `min` and `max` elements, each like `template`.
pub fn each_like_between(template: impl Into<Value>, min: usize, max: usize) -> Value {
    let template = template.into();
    let example = vec![template; min.max(1)];
    matcher("type", json!(example), json!({"min": min, "max": max}))
}

/// A string (or number) matching `regex` as a whole; `example` must match it too.
pub fn regex(regex: &str, example: impl Into<Value>) -> Value {
    matcher("regex", example.into(), json!({"regex": regex}))
}

/// An integer.
pub fn integer(example: i64) -> Value {
    matcher("integer", json!(example), Value::Null)
}

/// A number with a fractional part.
pub fn decimal(example: f64) -> Value {
    matcher("decimal", json!(example), Value::Null)
}

/// Any number.
pub fn number(example: impl Into<Value>) -> Value {
    matcher("number", example.into(), Value::Null)
}

/// A boolean.
pub fn boolean(example: bool) -> Value {
    matcher("boolean", json!(example), Value::Null)
}

/// JSON null.
pub fn null() -> Value {
    matcher("null", Value::Null, Value::Null)
}

/// Exactly this value (useful below a `like` that would otherwise match by type).
pub fn equal_to(example: impl Into<Value>) -> Value {
    matcher("equality", example.into(), Value::Null)
}

/// A string containing `needle`; the example is `example`.
pub fn include(needle: &str, example: &str) -> Value {
    let mut m = matcher("include", json!(example), Value::Null);
    m["value"] = json!(example);
    m["include"] = json!(needle);
    m
}

/// A date in a Java-style `format` (e.g. `yyyy-MM-dd`).
pub fn date(format: &str, example: &str) -> Value {
    matcher("date", json!(example), json!({"format": format}))
}

/// A time in a Java-style `format` (e.g. `HH:mm:ss`).
pub fn time(format: &str, example: &str) -> Value {
    matcher("time", json!(example), json!({"format": format}))
}

/// A date and time in a Java-style `format` (e.g. `yyyy-MM-dd'T'HH:mm:ssXXX`).
pub fn datetime(format: &str, example: &str) -> Value {
    matcher("timestamp", json!(example), json!({"format": format}))
}

/// Not null and not empty, of the example's type.
pub fn not_empty(example: impl Into<Value>) -> Value {
    matcher("notEmpty", example.into(), Value::Null)
}

/// A semantic version string.
pub fn semver(example: &str) -> Value {
    matcher("semver", json!(example), Value::Null)
}

/// A map whose keys all match `key_regex`; `example` is the example map.
pub fn each_key(example: impl Into<Value>, key_regex: &str) -> Value {
    matcher(
        "eachKey",
        example.into(),
        json!({"rules": [{"match": "regex", "regex": key_regex}]}),
    )
}

/// A map or array whose values are all like the first value of `example`.
pub fn each_value(example: impl Into<Value>) -> Value {
    matcher(
        "eachValue",
        example.into(),
        json!({"rules": [{"match": "type"}]}),
    )
}

/// An array containing, in any order, elements matching each of `variants`.
pub fn array_contains(variants: Vec<Value>) -> Value {
    json!({MATCHER_KEY: "arrayContains", "variants": variants})
}

/// An HTTP status in a class (`success`, `clientError`, …); `example` is the status served.
pub fn status_code(class: &str, example: u16) -> Value {
    matcher("statusCode", json!(example), json!({"status": class}))
}

/// A value matched by `rules` combined with OR, e.g. `or(vec![null(), integer(1)])`; the
/// example is the first alternative's.
pub fn or(alternatives: Vec<Value>) -> Value {
    let example = alternatives
        .first()
        .and_then(|a| a.get("value"))
        .cloned()
        .unwrap_or(Value::Null);
    json!({MATCHER_KEY: "or", "value": example, "alternatives": alternatives})
}

fn generator(kind: &str, example: Value, extra: Value) -> Value {
    let mut obj = Map::new();
    obj.insert(GENERATOR_KEY.into(), json!(kind));
    obj.insert("value".into(), example);
    if let Value::Object(extra) = extra {
        obj.extend(extra);
    }
    Value::Object(obj)
}

/// A random integer in `min..=max` each time the example is served (matched as an integer).
pub fn random_int(min: i64, max: i64) -> Value {
    let mut g = generator("RandomInt", json!(min), json!({"min": min, "max": max}));
    g[MATCHER_KEY] = json!("integer");
    g
}

/// A random UUID each time (matched by the UUID regex).
pub fn uuid() -> Value {
    let mut g = generator(
        "Uuid",
        json!("e2490de5-5bd3-43d5-b7c4-526e33f71304"),
        Value::Null,
    );
    g[MATCHER_KEY] = json!("regex");
    g["regex"] =
        json!("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    g
}

/// The current date and time in `format` each time (matched by that format).
pub fn datetime_now(format: &str, example: &str) -> Value {
    let mut g = generator("DateTime", json!(example), json!({"format": format}));
    g[MATCHER_KEY] = json!("timestamp");
    g
}

/// A value the provider fills in from its provider state (`expression` like `${id}` or
/// `/orders/${id}`); the consumer sees `example`.
pub fn from_provider_state(expression: &str, example: impl Into<Value>) -> Value {
    let example = example.into();
    let mut g = generator("ProviderState", example, json!({"expression": expression}));
    g[MATCHER_KEY] = json!("type");
    g
}

/// A URL pointing at the mock server itself: the part of `example` captured by the first
/// group of `regex` is appended to the mock server's base URL.
pub fn mock_server_url(regex: &str, example: &str) -> Value {
    let mut g = generator(
        "MockServerURL",
        json!(example),
        json!({"example": example, "regex": regex}),
    );
    g[MATCHER_KEY] = json!("regex");
    g
}
