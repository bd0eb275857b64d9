//! Pattern: a contract's regular expression, compiled once, matching whole values (linear
//! engine first, backtracking for look-around and back-references), within size limits and
//! the backtracking budget.

use std::sync::Arc;

use regex::{Regex, RegexBuilder};

use super::budget::{self, OverBudget};
use crate::contract::intern::{Interner, CAPACITY};

/// The most memory a compiled expression may take, on either engine: 10 MiB (Unicode
/// classes are big: `[\w.-]{1,64}` alone takes megabytes, so a smaller cap would refuse
/// real contracts).
pub const SIZE_LIMIT: usize = 10 << 20;
/// The most memory the lazy DFA of one expression may cache.
pub const DFA_SIZE_LIMIT: usize = 2 << 20;

/// Every expression compiled in this process, by source: compiled once, shared by `Arc`.
static COMPILED_PATTERNS: Interner<Compiled> = Interner::new(CAPACITY);

#[cfg(test)]
thread_local! {
    /// Expressions compiled on this thread (tests count them).
    pub(super) static COMPILED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A regular expression as written in a contract, compiled once. Matching is whole-value.
/// Expressions the linear-time `regex` engine supports use it; those that need look-around
/// or back-references (which Java's and Oniguruma's engines, and so published pacts, use)
/// fall back to `fancy-regex`. Each distinct expression is compiled once per process;
/// clones (and other rules with the same text) share it.
#[derive(Debug, Clone)]
pub struct Pattern {
    compiled: Arc<Compiled>,
}

/// An expression as written and its compiled form.
#[derive(Debug)]
struct Compiled {
    source: String,
    engine: Engine,
}

#[derive(Debug)]
enum Engine {
    Linear(Regex),
    Backtracking(Box<fancy_regex::Regex>),
}

impl Pattern {
    /// Compiles `source` (or shares its earlier compilation); the expression must match the
    /// whole value. One that would compile to more than [`SIZE_LIMIT`] bytes is refused.
    pub fn new(source: &str) -> Result<Self, String> {
        let compiled = COMPILED_PATTERNS.get_or_try(source, compile)?;
        Ok(Pattern { compiled })
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.compiled.source
    }

    /// True when the whole of `value` matches (a backtracking expression that exceeds its
    /// step limit, or this match's budget, does not match).
    pub fn is_match(&self, value: &str) -> bool {
        self.check(value).unwrap_or(false)
    }

    /// Whether the whole of `value` matches; `Err` when a backtracking expression was not
    /// run because this match's budget ([`budget::with_budget`]) was used up.
    pub fn check(&self, value: &str) -> Result<bool, OverBudget> {
        match &self.compiled.engine {
            Engine::Linear(r) => Ok(r.is_match(value)),
            Engine::Backtracking(r) => budget::spend(|| r.is_match(value).unwrap_or(false)),
        }
    }
}

/// Compiles `source` anchored to whole values, on the linear engine when it can.
fn compile(source: &str) -> Result<Compiled, String> {
    #[cfg(test)]
    COMPILED.set(COMPILED.get() + 1);
    let anchored = format!("^(?:{source})$");
    // The expression alone is checked first: wrapped, `a)|(b` would pass.
    let engine = match regex_syntax::Parser::new().parse(source) {
        Ok(_) => Engine::Linear(linear(&anchored)?),
        Err(syntax) => match backtracking(&anchored) {
            Ok(r) => Engine::Backtracking(Box::new(r)),
            Err(fancy_regex::Error::CompileError(e)) => {
                return Err(too_big(&e)
                    .unwrap_or_else(|| format!("the expression cannot be compiled: {e}")))
            }
            Err(_) => return Err(syntax_reason(&syntax)),
        },
    };
    Ok(Compiled {
        source: source.to_string(),
        engine,
    })
}

fn linear(anchored: &str) -> Result<Regex, String> {
    RegexBuilder::new(anchored)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => over_limit(limit),
            other => regex_reason(&other),
        })
}

fn over_limit(limit: usize) -> String {
    format!("the expression compiles to more than {limit} bytes (the size limit)")
}

/// The size-limit reason of a backtracking expression whose linear parts are too big.
fn too_big(e: &fancy_regex::CompileError) -> Option<String> {
    match e {
        fancy_regex::CompileError::InnerError(inner) => inner.size_limit().map(over_limit),
        _ => None,
    }
}

fn backtracking(anchored: &str) -> Result<fancy_regex::Regex, fancy_regex::Error> {
    fancy_regex::RegexBuilder::new(anchored)
        .delegate_size_limit(SIZE_LIMIT)
        .delegate_dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source() == other.source()
    }
}

/// The one-line reason inside a syntax error (its last `error: …` line).
fn syntax_reason(e: &regex_syntax::Error) -> String {
    last_error_line(&e.to_string())
}

/// The one-line reason inside a regex error (its last `error: …` line).
fn regex_reason(e: &regex::Error) -> String {
    last_error_line(&e.to_string())
}

fn last_error_line(text: &str) -> String {
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or_default())
        .to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::contract::{match_response, Body, ContentType, HttpResponse, InteractionKind, Pact};
    #[test]
    fn look_around_and_back_references_are_supported() {
        let p = Pattern::new("(?!admin).*").unwrap();
        assert!(p.is_match("user") && !p.is_match("admin"));
        let p = Pattern::new("(a+)-\\1").unwrap();
        assert!(p.is_match("aa-aa") && !p.is_match("aa-a"));
        assert!(Pattern::new("(").is_err());
    }

    /// An answer whose body is an array of `n` objects with the string `id`, and the
    /// contract's expected answer, which puts a regex rule on every element's `id`.
    fn array_of(n: usize, id: &str, regex: &str) -> (HttpResponse, HttpResponse) {
        let pact = Pact::from_json(&json!({
            "consumer": {"name": "c"}, "provider": {"name": "p"},
            "interactions": [{"description": "d", "request": {"method": "GET", "path": "/"},
                "response": {"status": 200, "body": {"items": [{"id": "1"}]},
                    "matchingRules": {"body": {
                        "$.items": {"matchers": [{"match": "type"}]},
                        "$.items[*].id": {"matchers": [{"match": "regex", "regex": regex}]}}}}}],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}
        }))
        .unwrap();
        let InteractionKind::Http { response, .. } = &pact.interactions[0].kind else {
            panic!("an HTTP interaction");
        };
        let items: Vec<Value> = (0..n).map(|_| json!({"id": id})).collect();
        let actual = HttpResponse {
            status: 200,
            body: Body::from_bytes(
                json!({ "items": items }).to_string().into_bytes(),
                ContentType::parse("application/json"),
            ),
            ..Default::default()
        };
        (response.clone(), actual)
    }

    #[test]
    fn the_same_expression_is_compiled_once_per_process() {
        let source = r"same-\d+-once";
        let a = Pattern::new(source).unwrap();
        let before = COMPILED.get();
        let b = Pattern::new(source).unwrap();
        assert_eq!(COMPILED.get(), before, "not compiled again");
        assert!(Arc::ptr_eq(&a.compiled, &b.compiled));
        let other = Pattern::new(r"other-\d+-once").unwrap();
        assert!(!Arc::ptr_eq(&a.compiled, &other.compiled));
        assert!(a.is_match("same-1-once") && !other.is_match("same-1-once"));
    }

    #[test]
    fn a_rule_over_ten_thousand_elements_is_compiled_once() {
        let before = COMPILED.get();
        // An expression no other test uses: the process-wide cache may hold the others.
        let (expected, actual) = array_of(10_000, "42", r"\d{1,9}4?2?");
        assert_eq!(
            COMPILED.get() - before,
            1,
            "compiled when the contract is read"
        );
        assert!(match_response(&expected, &actual).is_empty());
        assert_eq!(
            COMPILED.get() - before,
            1,
            "not compiled again while matching"
        );
    }

    #[test]
    fn backtracking_over_ten_thousand_elements_stops_at_the_budget() {
        // Each value makes this expression reach its step limit.
        let (expected, actual) = array_of(10_000, &format!("{}c", "a".repeat(30)), "(?=a)(a|aa)+b");
        let runs = budget::RUNS.get();
        let mismatches = match_response(&expected, &actual);
        let ran = budget::RUNS.get() - runs;
        assert!(ran < 10_000, "{ran} backtracking runs");
        assert_eq!(mismatches.len(), 10_000);
        let last = &mismatches[9_999].message;
        assert!(last.contains("budget"), "{last}");
    }

    #[test]
    fn an_expression_over_the_size_limit_is_refused_with_the_reason() {
        let reason = Pattern::new(r"\w{1,300}").unwrap_err();
        assert_eq!(
            reason,
            "the expression compiles to more than 10485760 bytes (the size limit)"
        );
    }
}
