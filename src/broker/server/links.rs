//! Hrefs: paths with their segments percent-encoded, joined to the request's base URL.

use serde_json::{json, Value};

/// `segment` percent-encoded for a path (`Pricing Service` → `Pricing%20Service`).
pub fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Builds hrefs under one base URL.
#[derive(Debug, Clone)]
pub struct Links {
    /// `http://host:port`, without a trailing slash.
    pub base: String,
}

impl Links {
    /// `base` + `/` + the segments, each encoded.
    pub fn path(&self, segments: &[&str]) -> String {
        let mut out = self.base.clone();
        for s in segments {
            out.push('/');
            out.push_str(&encode(s));
        }
        out
    }

    /// `{"href": …}` of `path(segments)`.
    pub fn link(&self, segments: &[&str]) -> Value {
        json!({ "href": self.path(segments) })
    }

    /// The pacticipant's URL.
    pub fn pacticipant(&self, name: &str) -> String {
        self.path(&["pacticipants", name])
    }

    /// A version's URL.
    pub fn version(&self, pacticipant: &str, number: &str) -> String {
        self.path(&["pacticipants", pacticipant, "versions", number])
    }

    /// The URL of a pact by its content.
    pub fn pact_version(&self, provider: &str, consumer: &str, sha: &str) -> String {
        self.path(&[
            "pacts",
            "provider",
            provider,
            "consumer",
            consumer,
            "pact-version",
            sha,
        ])
    }

    /// The URL of the pact a consumer version published.
    pub fn pact(&self, provider: &str, consumer: &str, version: &str) -> String {
        self.path(&[
            "pacts", "provider", provider, "consumer", consumer, "version", version,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_encode_each_segment_under_the_base() {
        let l = Links {
            base: "http://example.org".into(),
        };
        assert_eq!(
            l.pacticipant("Pricing Service"),
            "http://example.org/pacticipants/Pricing%20Service"
        );
        assert_eq!(l.path(&["a/b", "c?d"]), "http://example.org/a%2Fb/c%3Fd");
    }
}
