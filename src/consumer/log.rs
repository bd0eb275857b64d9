//! What the stub has seen, within a fixed size: hits per interaction, and the most recent
//! requests that matched none (their long values cut), with a count of them all.

use serde::Serialize;
use serde_json::Value;

use crate::contract::{render_mismatches, Mismatch};

/// How many unmatched requests the log keeps: the most recent ones.
pub const KEPT_UNEXPECTED: usize = 100;

/// The most mismatches kept per unmatched request.
pub const KEPT_MISMATCHES: usize = 32;

/// The longest text (a value, a message, a location) kept in a mismatch, in bytes.
pub const KEPT_TEXT: usize = 4096;

/// A request that matched no interaction, with the closest interaction and its mismatches.
#[derive(Debug, Clone, Serialize)]
pub struct Unexpected {
    /// The request method.
    pub method: String,
    /// The request path.
    pub path: String,
    /// The description of the interaction with the fewest mismatches, if any.
    pub closest: Option<String>,
    /// How the request differed from that interaction (at most [`KEPT_MISMATCHES`], each
    /// text cut to [`KEPT_TEXT`] bytes).
    pub mismatches: Vec<Mismatch>,
    /// How many more mismatches there were.
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted_mismatches: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Unexpected {
    /// An entry for a request, its mismatches cut to the log's bounds.
    pub(crate) fn new(
        method: &str,
        path: &str,
        closest: Option<String>,
        mut mismatches: Vec<Mismatch>,
    ) -> Self {
        let omitted_mismatches = mismatches.len().saturating_sub(KEPT_MISMATCHES);
        mismatches.truncate(KEPT_MISMATCHES);
        mismatches.iter_mut().for_each(cut_mismatch);
        Unexpected {
            method: cut(method),
            path: cut(path),
            closest,
            mismatches,
            omitted_mismatches,
        }
    }
}

impl std::fmt::Display for Unexpected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} {}", self.method, self.path)?;
        let Some(c) = &self.closest else {
            return writeln!(f, "    (the contract has no HTTP interactions)");
        };
        writeln!(f, "    closest interaction: {c:?}")?;
        for line in render_mismatches(&self.mismatches, false).lines() {
            writeln!(f, "  {line}")?;
        }
        if self.omitted_mismatches > 0 {
            writeln!(f, "    … and {} more mismatch(es)", self.omitted_mismatches)?;
        }
        Ok(())
    }
}

/// What the stub has seen.
#[derive(Debug, Default)]
pub struct Log {
    /// How often each interaction was matched, by index.
    pub hits: Vec<usize>,
    /// The most recent requests that matched nothing, oldest first (at most
    /// [`KEPT_UNEXPECTED`]).
    pub unexpected: Vec<Unexpected>,
    /// How many requests matched nothing in all, those no longer kept included.
    pub unexpected_count: usize,
}

impl Log {
    /// A log of `interactions` interactions, none hit yet.
    pub(crate) fn new(interactions: usize) -> Self {
        Log {
            hits: vec![0; interactions],
            ..Default::default()
        }
    }

    /// Counts and keeps an unmatched request, forgetting the oldest kept beyond the bound.
    pub(crate) fn push_unexpected(&mut self, entry: Unexpected) {
        if self.unexpected.len() >= KEPT_UNEXPECTED {
            self.unexpected.remove(0);
        }
        self.unexpected.push(entry);
        self.unexpected_count += 1;
    }
}

fn cut_mismatch(m: &mut Mismatch) {
    m.location = cut(&m.location);
    m.message = cut(&m.message);
    m.rule = m.rule.as_deref().map(cut);
    for value in [&mut m.expected, &mut m.actual].into_iter().flatten() {
        cut_value(value);
    }
}

/// A value whose JSON text is longer than [`KEPT_TEXT`] becomes the start of that text.
fn cut_value(value: &mut Value) {
    if let Value::String(s) = value {
        *s = cut(s);
        return;
    }
    let text = value.to_string();
    if text.len() > KEPT_TEXT {
        *value = Value::String(cut(&text));
    }
}

/// `text`, or its first [`KEPT_TEXT`] bytes (on a character boundary) and how long it was.
fn cut(text: &str) -> String {
    if text.len() <= KEPT_TEXT {
        return text.to_string();
    }
    let mut end = KEPT_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::MismatchKind;

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        let long = "é".repeat(KEPT_TEXT);
        let short = cut(&long);
        assert!(short.len() < KEPT_TEXT + 40, "{}", short.len());
        assert!(short.ends_with(&format!("… ({} bytes in all)", long.len())));
        assert_eq!(cut("short"), "short");
    }

    #[test]
    fn an_entry_keeps_a_bounded_number_of_short_mismatches() {
        let big = Value::String("x".repeat(10 * KEPT_TEXT));
        let mismatches = (0..KEPT_MISMATCHES + 5)
            .map(|_| {
                Mismatch::new(MismatchKind::Body, "$.body", "x".repeat(10 * KEPT_TEXT))
                    .actual(big.clone())
            })
            .collect();
        let entry = Unexpected::new("GET", "/", Some("c".into()), mismatches);
        assert_eq!(entry.mismatches.len(), KEPT_MISMATCHES);
        assert_eq!(entry.omitted_mismatches, 5);
        assert!(entry.to_string().contains("… and 5 more mismatch(es)"));
        let size = serde_json::to_string(&entry).unwrap().len();
        assert!(size < KEPT_MISMATCHES * 3 * KEPT_TEXT, "{size}");
    }

    #[test]
    fn the_log_keeps_the_most_recent_entries_and_counts_them_all() {
        let mut log = Log::new(1);
        for n in 0..KEPT_UNEXPECTED + 10 {
            log.push_unexpected(Unexpected::new("GET", &format!("/{n}"), None, vec![]));
        }
        assert_eq!(log.unexpected.len(), KEPT_UNEXPECTED);
        assert_eq!(log.unexpected_count, KEPT_UNEXPECTED + 10);
        assert_eq!(log.unexpected[0].path, "/10");
    }
}
