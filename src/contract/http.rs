//! HTTP requests and responses as contracts describe them, with readers for every spec
//! version and the V4 writer.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::body::Body;
use super::content_type::ContentType;
use super::format::{FieldExt, ReadError, SpecVersion};
use super::generators::Generators;
use super::rules::MatchingRules;

/// Header names (case as written) to their values.
pub type Headers = BTreeMap<String, Vec<String>>;
/// Query parameter names to their values, in order.
pub type Query = BTreeMap<String, Vec<String>>;

/// The values of a header, looked up case-insensitively.
pub fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a [String]> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// The declared `Content-Type` of a set of headers.
pub fn content_type(headers: &Headers) -> Option<ContentType> {
    header(headers, "content-type")
        .and_then(|v| v.first())
        .and_then(|v| ContentType::parse(v))
}

/// Decodes `%XX` escapes (invalid escapes are kept as written); bytes that are not UTF-8
/// are replaced.
///
/// ```
/// assert_eq!(shakedown::contract::percent_decode("/a%20b%2Fc%zz"), "/a b/c%zz");
/// ```
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An HTTP request.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The path, e.g. `/orders/1`.
    pub path: String,
    /// Query parameters.
    pub query: Query,
    /// The query string exactly as a V1 contract wrote it: V1 compares query strings by
    /// plain string equality (V1.1 and later compare parameters).
    pub raw_query: Option<String>,
    /// Headers.
    pub headers: Headers,
    /// The body.
    pub body: Body,
    /// Matching rules (body, header, query, path).
    pub matching_rules: MatchingRules,
    /// Generators (body, header, query, path).
    pub generators: Generators,
}

impl Default for HttpRequest {
    fn default() -> Self {
        HttpRequest {
            method: "GET".into(),
            path: "/".into(),
            query: Query::new(),
            raw_query: None,
            headers: Headers::new(),
            body: Body::Missing,
            matching_rules: MatchingRules::default(),
            generators: Generators::default(),
        }
    }
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Headers.
    pub headers: Headers,
    /// The body.
    pub body: Body,
    /// Matching rules (body, header, status).
    pub matching_rules: MatchingRules,
    /// Generators (body, header, status).
    pub generators: Generators,
}

impl Default for HttpResponse {
    fn default() -> Self {
        HttpResponse {
            status: 200,
            headers: Headers::new(),
            body: Body::Missing,
            matching_rules: MatchingRules::default(),
            generators: Generators::default(),
        }
    }
}

impl HttpRequest {
    /// Reads a request in the given spec version's layout.
    pub fn from_json(value: &Value, version: SpecVersion) -> Result<Self, ReadError> {
        if !value.is_object() {
            return Err(ReadError::at::<&str>(&[], "expected a request object"));
        }
        let headers = read_headers(value)?;
        let (matching_rules, generators) = read_rules(value)?;
        Ok(HttpRequest {
            method: value.str_field("method")?.unwrap_or("GET").to_string(),
            path: value.str_field("path")?.unwrap_or("/").to_string(),
            query: read_query(value.get("query")).map_err(|e| e.within("query"))?,
            raw_query: match value.get("query") {
                Some(Value::String(q)) if version == SpecVersion::V1 => Some(q.clone()),
                _ => None,
            },
            body: read_body(value, "body", version, content_type(&headers))?,
            headers,
            matching_rules,
            generators,
        })
    }

    /// The V4 JSON form.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("method".into(), json!(self.method.to_ascii_uppercase()));
        obj.insert("path".into(), json!(self.path));
        if !self.query.is_empty() {
            obj.insert("query".into(), json!(self.query));
        }
        write_common(
            &mut obj,
            &self.headers,
            &self.body,
            &self.matching_rules,
            &self.generators,
        );
        Value::Object(obj)
    }
}

impl HttpResponse {
    /// Reads a response in the given spec version's layout.
    pub fn from_json(value: &Value, version: SpecVersion) -> Result<Self, ReadError> {
        if !value.is_object() {
            return Err(ReadError::at::<&str>(&[], "expected a response object"));
        }
        let headers = read_headers(value)?;
        let (matching_rules, generators) = read_rules(value)?;
        let status = match value.get("status") {
            None | Some(Value::Null) => 200,
            Some(v) => v
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (100..=999).contains(s))
                .ok_or_else(|| {
                    ReadError::at(&["status"], "expected an HTTP status code (100-999)")
                })?,
        };
        Ok(HttpResponse {
            status,
            body: read_body(value, "body", version, content_type(&headers))?,
            headers,
            matching_rules,
            generators,
        })
    }

    /// The V4 JSON form.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("status".into(), json!(self.status));
        write_common(
            &mut obj,
            &self.headers,
            &self.body,
            &self.matching_rules,
            &self.generators,
        );
        Value::Object(obj)
    }
}

fn write_common(
    obj: &mut Map<String, Value>,
    headers: &Headers,
    body: &Body,
    rules: &MatchingRules,
    generators: &Generators,
) {
    if !headers.is_empty() {
        obj.insert("headers".into(), json!(headers));
    }
    if let Some(b) = body.to_v4_json() {
        obj.insert("body".into(), b);
    }
    if !rules.is_empty() {
        obj.insert("matchingRules".into(), rules.to_json());
    }
    if !generators.is_empty() {
        obj.insert("generators".into(), generators.to_json());
    }
}

/// Reads a part's body (`key` is `body` for HTTP, `contents` for messages).
pub(crate) fn read_body(
    value: &Value,
    key: &str,
    version: SpecVersion,
    declared: Option<ContentType>,
) -> Result<Body, ReadError> {
    let raw = value.get(key);
    if version >= SpecVersion::V4 {
        Body::from_v4_json(raw, declared).map_err(|m| ReadError::at(&[key], m))
    } else {
        Ok(Body::from_v3_json(raw, declared))
    }
}

/// Reads `matchingRules` and `generators` of a part.
pub(crate) fn read_rules(value: &Value) -> Result<(MatchingRules, Generators), ReadError> {
    let rules = match value.get("matchingRules") {
        None | Some(Value::Null) => MatchingRules::default(),
        Some(v) => {
            // The layout (V2 flat or V3 categorised) is told by the keys, not by the declared
            // version: files in the wild mix them, and the reference implementations do too.
            MatchingRules::from_json(v).map_err(|e| {
                let mut pointer = vec!["matchingRules".to_string()];
                pointer.extend(e.pointer);
                ReadError {
                    pointer,
                    message: e.error.to_string(),
                }
            })?
        }
    };
    let generators = match value.get("generators") {
        None | Some(Value::Null) => Generators::default(),
        Some(v) => Generators::from_json(v).map_err(|e| {
            let mut pointer = vec!["generators".to_string()];
            pointer.extend(e.pointer);
            ReadError {
                pointer,
                message: e.error.to_string(),
            }
        })?,
    };
    Ok((rules, generators))
}

fn read_headers(value: &Value) -> Result<Headers, ReadError> {
    let mut out = Headers::new();
    let Some(raw) = value.get("headers").filter(|h| !h.is_null()) else {
        return Ok(out);
    };
    let obj = raw.as_object().ok_or_else(|| {
        ReadError::at(&["headers"], "expected an object of header names to values")
    })?;
    for (name, v) in obj {
        let values = string_list(v).ok_or_else(|| {
            ReadError::at(
                &["headers", name],
                "expected a string or an array of strings",
            )
        })?;
        out.insert(name.clone(), values);
    }
    Ok(out)
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Number(n) => Some(vec![n.to_string()]),
        Value::Bool(b) => Some(vec![b.to_string()]),
        Value::Null => Some(vec![]),
        Value::Array(items) => items
            .iter()
            .map(|i| string_list(i).map(|mut l| l.pop().unwrap_or_default()))
            .collect(),
        Value::Object(_) => None,
    }
}

/// Reads a query: a V1/V2 string (`a=1&b=2`) or a V3+ object of names to values.
pub fn read_query(raw: Option<&Value>) -> Result<Query, ReadError> {
    let mut out = Query::new();
    match raw {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            for (k, v) in form_urlencoded::parse(s.as_bytes()) {
                out.entry(k.into_owned()).or_default().push(v.into_owned());
            }
        }
        Some(Value::Object(obj)) => {
            for (k, v) in obj {
                let values = string_list(v).ok_or_else(|| {
                    ReadError::at(&[k], "expected a string or an array of strings")
                })?;
                out.insert(k.clone(), values);
            }
        }
        Some(_) => {
            return Err(ReadError::at::<&str>(
                &[],
                "expected a query string or an object",
            ))
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v1_string_queries() {
        let q = read_query(Some(&json!("a=1&b=x%20y&a=2&"))).unwrap();
        assert_eq!(q["a"], vec!["1", "2"]);
        assert_eq!(q["b"], vec!["x y"]);
    }

    #[test]
    fn request_round_trips_through_v4() {
        let v = json!({
            "method": "post", "path": "/orders", "query": {"page": ["1"]},
            "headers": {"Content-Type": "application/json"},
            "body": {"items": [1, 2]},
            "matchingRules": {"body": {"$.items": {"matchers": [{"match": "type", "min": 1}]}}}
        });
        let req = HttpRequest::from_json(&v, SpecVersion::V3).unwrap();
        let again = HttpRequest::from_json(&req.to_json(), SpecVersion::V4).unwrap();
        assert_eq!(again.method, "POST");
        assert_eq!(again.body.as_json(), req.body.as_json());
        assert_eq!(again.matching_rules, req.matching_rules);
        assert_eq!(again.query, req.query);
    }

    #[test]
    fn bad_status_is_located() {
        let err = HttpResponse::from_json(&json!({"status": "ok"}), SpecVersion::V3).unwrap_err();
        assert_eq!(err.pointer, vec!["status"]);
    }
}
