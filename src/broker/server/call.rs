//! Call: one request as the handlers read it: method, decoded path segments, query pairs,
//! JSON body, and the base URL its links are built on.

use bytes::Bytes;
use hyper::Request;
use serde_json::Value;

use super::answer::{field_error, Answer};
use super::links::Links;

/// A request, parsed once.
#[derive(Debug)]
pub struct Call {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path's segments, percent-decoded (`/pacticipants/Pricing%20Service` →
    /// `["pacticipants", "Pricing Service"]`).
    pub segments: Vec<String>,
    /// The query's pairs in order, decoded (`+` is a space).
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
    /// Links under the request's base URL.
    pub links: Links,
    /// The `Authorization` header.
    pub authorization: Option<String>,
}

/// Percent-decodes one path segment (invalid escapes are kept as written).
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header(req: &Request<Bytes>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.split(',').next().unwrap_or(s).trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The base URL of links: the configured one, else the request's forwarded or Host header.
fn base_url(req: &Request<Bytes>, configured: Option<&str>) -> String {
    if let Some(b) = configured {
        return b.trim_end_matches('/').to_string();
    }
    let proto = header(req, "x-forwarded-proto").unwrap_or_else(|| "http".into());
    let host = header(req, "x-forwarded-host")
        .or_else(|| header(req, "host"))
        .unwrap_or_else(|| "localhost".into());
    let host = match header(req, "x-forwarded-port") {
        Some(port) if !host.contains(':') => format!("{host}:{port}"),
        _ => host,
    };
    let prefix = header(req, "x-forwarded-prefix").unwrap_or_default();
    format!("{proto}://{host}{}", prefix.trim_end_matches('/'))
}

impl Call {
    /// Parses `req`; links are built on `configured_base` when given.
    pub fn new(req: Request<Bytes>, configured_base: Option<&str>) -> Call {
        let base = base_url(&req, configured_base);
        let authorization = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let segments = req
            .uri()
            .path()
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect();
        let query = req
            .uri()
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Call {
            method: req.method().as_str().to_string(),
            segments,
            query,
            body: req.into_body(),
            links: Links { base },
            authorization,
        }
    }

    /// The first value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as a JSON object (an empty body is `{}`); 400 otherwise.
    pub fn json(&self) -> Result<Value, Answer> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(v @ Value::Object(_)) => Ok(v),
            Ok(_) => Err(field_error(400, "body", "expected a JSON object")),
            Err(e) => Err(field_error(
                400,
                "body",
                &format!("the body is not valid JSON: {e}"),
            )),
        }
    }
}

/// The string at `key` of a JSON object.
pub fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_decode_path_segments() {
        assert_eq!(decode("Pricing%20Service"), "Pricing Service");
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%41%"), "A%");
    }
}
