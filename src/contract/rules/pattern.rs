//! Pattern: a contract's regular expression, compiled once, matching whole values (linear
//! engine first, backtracking for look-around and back-references).

use regex::Regex;

/// A regular expression as written in a contract, compiled once. Matching is whole-value.
/// Expressions the linear-time `regex` engine supports use it; those that need look-around
/// or back-references (which Java's and Oniguruma's engines, and so published pacts, use)
/// fall back to `fancy-regex`.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    compiled: Compiled,
}

#[derive(Debug, Clone)]
enum Compiled {
    Linear(Regex),
    Backtracking(Box<fancy_regex::Regex>),
}

impl Pattern {
    /// Compiles `source`; the expression must match the whole value.
    pub fn new(source: &str) -> Result<Self, String> {
        let anchored = format!("^(?:{source})$");
        let compiled = match Regex::new(source) {
            Ok(_) => Compiled::Linear(Regex::new(&anchored).map_err(|e| regex_reason(&e))?),
            Err(linear) => match fancy_regex::Regex::new(&anchored) {
                Ok(r) => Compiled::Backtracking(Box::new(r)),
                Err(_) => return Err(regex_reason(&linear)),
            },
        };
        Ok(Pattern {
            source: source.to_string(),
            compiled,
        })
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when the whole of `value` matches (a backtracking expression that exceeds its
    /// step limit does not match).
    pub fn is_match(&self, value: &str) -> bool {
        match &self.compiled {
            Compiled::Linear(r) => r.is_match(value),
            Compiled::Backtracking(r) => r.is_match(value).unwrap_or(false),
        }
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// The one-line reason inside a regex error (its last `error: …` line).
pub(super) fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or_default())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn look_around_and_back_references_are_supported() {
        let p = Pattern::new("(?!admin).*").unwrap();
        assert!(p.is_match("user") && !p.is_match("admin"));
        let p = Pattern::new("(a+)-\\1").unwrap();
        assert!(p.is_match("aa-aa") && !p.is_match("aa-a"));
        assert!(Pattern::new("(").is_err());
    }
}
