//! Credentials are never shown: the values of secret request headers are hidden in what the
//! mock answers or logs about a request (matching still sees them).

use crate::contract::{Mismatch, MismatchKind};

/// Headers whose values are always hidden (names compared case-insensitively).
pub const REDACTED_HEADERS: [&str; 5] = [
    "Authorization",
    "Proxy-Authorization",
    "Cookie",
    "Set-Cookie",
    "X-Api-Key",
];

/// What a hidden value is shown as.
pub const REDACTED: &str = "<redacted>";

/// The names of the headers whose values are hidden.
#[derive(Debug, Clone)]
pub(crate) struct Redactor {
    names: Vec<String>,
}

impl Redactor {
    /// [`REDACTED_HEADERS`] and `extra`.
    pub(crate) fn new(extra: &[String]) -> Self {
        let names = REDACTED_HEADERS
            .iter()
            .map(|n| n.to_string())
            .chain(extra.iter().cloned())
            .collect();
        Redactor { names }
    }

    fn is_secret(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Hides the received value of every mismatch on a secret header. Only the received
    /// value is hidden: what the contract expects is in the contract already.
    pub(crate) fn hide(&self, mismatches: &mut [Mismatch]) {
        for m in mismatches {
            let Some(name) = m.location.strip_prefix("header ") else {
                continue;
            };
            if m.kind != MismatchKind::Header || m.actual.is_none() || !self.is_secret(name) {
                continue;
            }
            m.message = match &m.rule {
                Some(rule) => format!("header `{name}` does not match {rule} (value {REDACTED})"),
                None => format!(
                    "expected `{name}: {}` but received `{name}: {REDACTED}`",
                    m.expected.as_ref().and_then(|v| v.as_str()).unwrap_or("")
                ),
            };
            m.actual = Some(REDACTED.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mismatch(name: &str, rule: Option<&str>) -> Mismatch {
        let m = Mismatch::new(MismatchKind::Header, format!("header {name}"), "got s3cret")
            .expected("x")
            .actual("s3cret");
        match rule {
            Some(r) => m.rule(r),
            None => m,
        }
    }

    #[test]
    fn secret_headers_lose_their_received_values_whatever_the_case() {
        let mut ms = vec![
            mismatch("authorization", None),
            mismatch("X-API-KEY", Some("regex 'x'")),
            mismatch("X-Token", None),
            mismatch("Accept", None),
        ];
        Redactor::new(&["x-token".into()]).hide(&mut ms);
        for m in &ms[..3] {
            assert_eq!(m.actual, Some(REDACTED.into()));
            assert!(!m.message.contains("s3cret"), "{}", m.message);
        }
        assert!(ms[1].message.contains("regex 'x'"));
        assert_eq!(
            ms[3].actual,
            Some("s3cret".into()),
            "other headers are shown"
        );
    }
}
