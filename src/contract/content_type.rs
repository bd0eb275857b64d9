//! MIME content types: parsing `type/subtype; param=value`, classifying bodies (JSON, XML,
//! text, form, binary) and sniffing the type of raw bytes.

use std::fmt;

/// A parsed content type such as `application/json; charset=UTF-8`.
///
/// ```
/// use shakedown::contract::ContentType;
/// let ct = ContentType::parse("application/vnd.api+json; charset=utf-8").unwrap();
/// assert!(ct.is_json());
/// assert_eq!(ct.param("charset"), Some("utf-8"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    main: String,
    sub: String,
    params: Vec<(String, String)>,
}

impl ContentType {
    /// Parses a header value; `None` when it has no `type/subtype`.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.split(';');
        let essence = parts.next()?.trim();
        let (main, sub) = essence.split_once('/')?;
        if main.trim().is_empty() || sub.trim().is_empty() {
            return None;
        }
        let params = parts
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| {
                (
                    k.trim().to_ascii_lowercase(),
                    v.trim().trim_matches('"').to_string(),
                )
            })
            .collect();
        Some(ContentType {
            main: main.trim().to_ascii_lowercase(),
            sub: sub.trim().to_ascii_lowercase(),
            params,
        })
    }

    /// `application/json`.
    pub fn json() -> Self {
        Self::parse("application/json").expect("static content type")
    }

    /// `text/plain`.
    pub fn text() -> Self {
        Self::parse("text/plain").expect("static content type")
    }

    /// `application/octet-stream`.
    pub fn binary() -> Self {
        Self::parse("application/octet-stream").expect("static content type")
    }

    /// `type/subtype` without parameters.
    pub fn essence(&self) -> String {
        format!("{}/{}", self.main, self.sub)
    }

    /// A parameter's value (names are case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All parameters in the order written.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// JSON, including `+json` suffixes.
    pub fn is_json(&self) -> bool {
        self.sub == "json" || self.sub.ends_with("+json") || self.sub == "x-json"
    }

    /// XML, including `+xml` suffixes.
    pub fn is_xml(&self) -> bool {
        self.sub == "xml" || self.sub.ends_with("+xml")
    }

    /// `application/x-www-form-urlencoded`.
    pub fn is_form(&self) -> bool {
        self.sub == "x-www-form-urlencoded"
    }

    /// Text of some kind (including JSON, XML and forms, which are text too).
    pub fn is_text(&self) -> bool {
        self.main == "text"
            || self.is_json()
            || self.is_xml()
            || self.is_form()
            || matches!(
                self.sub.as_str(),
                "javascript" | "yaml" | "x-yaml" | "graphql"
            )
    }

    /// Same essence, and every parameter of `self` present in `other` with an equal value
    /// (charset compared case-insensitively). Extra parameters in `other` are allowed.
    pub fn accepts(&self, other: &ContentType) -> bool {
        self.main == other.main
            && self.sub == other.sub
            && self.params.iter().all(|(k, v)| match other.param(k) {
                Some(ov) if k == "charset" => ov.eq_ignore_ascii_case(v),
                Some(ov) => ov == v,
                None => false,
            })
    }

    /// Guesses the type of raw bytes from their first bytes (magic numbers), falling back to
    /// JSON, XML or text when they look like it, and `application/octet-stream` otherwise.
    pub fn sniff(bytes: &[u8]) -> ContentType {
        const MAGIC: [(&[u8], &str); 9] = [
            (b"\x89PNG\r\n\x1a\n", "image/png"),
            (b"\xff\xd8\xff", "image/jpeg"),
            (b"GIF87a", "image/gif"),
            (b"GIF89a", "image/gif"),
            (b"%PDF-", "application/pdf"),
            (b"PK\x03\x04", "application/zip"),
            (b"\x1f\x8b", "application/gzip"),
            (b"RIFF", "image/webp"),
            (b"BM", "image/bmp"),
        ];
        if let Some((_, ct)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
            return Self::parse(ct).expect("static content type");
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Self::binary();
        };
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_ok()
        {
            Self::json()
        } else if trimmed.starts_with("<?xml")
            || (trimmed.starts_with('<') && trimmed.trim_end().ends_with('>'))
        {
            Self::parse("application/xml").expect("static content type")
        } else if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            Self::binary()
        } else {
            Self::text()
        }
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.main, self.sub)?;
        for (k, v) in &self.params {
            write!(f, "; {k}={v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_a_subset_check() {
        let exp = ContentType::parse("application/json; charset=UTF-8").unwrap();
        let same = ContentType::parse("application/json;charset=utf-8; x=y").unwrap();
        let other = ContentType::parse("application/json; charset=latin1").unwrap();
        assert!(exp.accepts(&same));
        assert!(!exp.accepts(&other));
        assert!(!exp.accepts(&ContentType::parse("application/json").unwrap()));
    }

    #[test]
    fn sniffs_common_types() {
        assert_eq!(
            ContentType::sniff(b"\x89PNG\r\n\x1a\nrest").essence(),
            "image/png"
        );
        assert_eq!(
            ContentType::sniff(b" {\"a\": 1}").essence(),
            "application/json"
        );
        assert_eq!(ContentType::sniff(b"<a/>").essence(), "application/xml");
        assert_eq!(ContentType::sniff(b"hello").essence(), "text/plain");
        assert_eq!(
            ContentType::sniff(&[0, 159, 146, 150]).essence(),
            "application/octet-stream"
        );
    }

    #[test]
    fn rejects_values_without_subtype() {
        assert!(ContentType::parse("json").is_none());
        assert!(ContentType::parse("/x").is_none());
    }
}
