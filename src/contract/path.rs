//! Rule paths: the JSON-path-like expressions (`$.items[*].price`) that matching rules and
//! generators are keyed by, and the spec's weighting of how well one fits a concrete location.

use std::fmt;
use std::sync::Arc;

use super::intern::{Interner, CAPACITY};

/// Every rule path parsed in this process, by expression: parsed once, shared.
static PARSED: Interner<RulePath> = Interner::new(CAPACITY);

/// One step of a concrete location inside a document: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An object key (or an XML element / `@attribute` / `#text` name).
    Key(String),
    /// An array position.
    Index(usize),
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Key(k) if is_plain_identifier(k) => write!(f, ".{k}"),
            Segment::Key(k) => write!(f, "['{}']", k.replace('\\', "\\\\").replace('\'', "\\'")),
            Segment::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Renders a concrete location as `$.a.b[2]`.
pub fn location_string(segments: &[Segment]) -> String {
    let mut out = String::from("$");
    for s in segments {
        out.push_str(&s.to_string());
    }
    out
}

fn is_plain_identifier(k: &str) -> bool {
    !k.is_empty()
        && k.chars().all(|c| {
            c.is_alphanumeric() || c == '_' || c == '-' || c == '@' || c == '#' || c == ':'
        })
        && !k.starts_with(|c: char| c.is_ascii_digit())
}

/// One token of a rule path expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Token {
    /// `$`
    Root,
    /// `.name` or `['name']`
    Field(String),
    /// `[3]`
    Index(usize),
    /// `.*` or `['*']`: any key or index
    Star,
    /// `[*]`: any index
    StarIndex,
}

/// A parsed rule path such as `$.items[*].price`.
///
/// ```
/// use shakedown::contract::{RulePath, Segment};
/// let p = RulePath::parse("$.items[*].price").unwrap();
/// let at = [Segment::Key("items".into()), Segment::Index(2), Segment::Key("price".into())];
/// assert_eq!(p.weight(&at), 2 * 2 * 1 * 2);
/// assert_eq!(p.to_string(), "$.items[*].price");
/// ```
///
/// Each distinct expression is parsed once per process; its tokens are shared by `Arc`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RulePath {
    tokens: Arc<[Token]>,
}

/// Why a rule path expression could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path expression `{expr}` at character {position}: {reason}")]
pub struct PathError {
    /// The whole expression.
    pub expr: String,
    /// Character offset of the problem.
    pub position: usize,
    /// What was expected.
    pub reason: String,
}

impl RulePath {
    /// The path `$` (the whole document).
    pub fn root() -> Self {
        RulePath {
            tokens: Arc::new([Token::Root]),
        }
    }

    /// The path that names exactly this location (`[a, 0]` → `$.a[0]`).
    pub fn from_location(location: &[Segment]) -> Self {
        let mut tokens = vec![Token::Root];
        tokens.extend(location.iter().map(|s| match s {
            Segment::Key(k) => Token::Field(k.clone()),
            Segment::Index(i) => Token::Index(*i),
        }));
        RulePath {
            tokens: tokens.into(),
        }
    }

    /// Parses an expression (or shares its earlier parse). A bare name without `$` (as
    /// header and query rules are keyed) is read as a single field, `$['name']`.
    pub fn parse(expr: &str) -> Result<Self, PathError> {
        PARSED
            .get_or_try(expr, |e| Parser::new(e).parse())
            .map(|p| RulePath::clone(&p))
    }

    /// A path made of the root and one field (used for header, query and metadata names).
    pub fn field(name: &str) -> Self {
        RulePath {
            tokens: Arc::new([Token::Root, Token::Field(name.to_string())]),
        }
    }

    /// The tokens, starting with [`Token::Root`].
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// Number of tokens after the root.
    pub fn depth(&self) -> usize {
        self.tokens.len().saturating_sub(1)
    }

    /// A new path with one more token.
    pub fn join(&self, token: Token) -> Self {
        let mut tokens = self.tokens.to_vec();
        tokens.push(token);
        RulePath {
            tokens: tokens.into(),
        }
    }

    /// The spec's path weight against a concrete location (segments after the root): the
    /// product of 2 for every exact token and 1 for every wildcard, 0 when any token does not
    /// fit or the expression is deeper than the location. A rule applies at a location (and
    /// cascades below it) when its weight is non-zero.
    pub fn weight(&self, location: &[Segment]) -> u64 {
        if self.depth() > location.len() {
            return 0;
        }
        let mut weight = 2u64;
        for (token, seg) in self.tokens.iter().skip(1).zip(location) {
            let w = token_weight(token, seg);
            if w == 0 {
                return 0;
            }
            weight = weight.saturating_mul(w);
        }
        weight
    }

    /// True when the first tokens of this path fit a (shorter or equal) location, i.e. the
    /// path may still match something below it.
    pub fn prefix_fits(&self, location: &[Segment]) -> bool {
        location.len() <= self.depth()
            && self
                .tokens
                .iter()
                .skip(1)
                .zip(location)
                .all(|(t, s)| token_weight(t, s) > 0)
    }

    /// True when this path fits the location exactly (same depth, non-zero weight).
    pub fn fits_exactly(&self, location: &[Segment]) -> bool {
        self.depth() == location.len() && self.weight(location) > 0
    }

    /// True when the last token is a wildcard (`*` or `[*]`).
    pub fn ends_with_wildcard(&self) -> bool {
        matches!(self.tokens.last(), Some(Token::Star | Token::StarIndex))
    }
}

fn token_weight(token: &Token, seg: &Segment) -> u64 {
    match (token, seg) {
        (Token::Field(name), Segment::Key(k)) if name == k => 2,
        (Token::Field(name), Segment::Index(i)) if name.parse::<usize>().ok() == Some(*i) => 2,
        (Token::Index(n), Segment::Index(i)) if n == i => 2,
        (Token::Index(n), Segment::Key(k)) if k.parse::<usize>().ok() == Some(*n) => 2,
        (Token::Star, _) => 1,
        (Token::StarIndex, Segment::Index(_)) => 1,
        _ => 0,
    }
}

impl fmt::Display for RulePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in self.tokens.iter() {
            match t {
                Token::Root => f.write_str("$")?,
                Token::Field(n) => write!(f, "{}", Segment::Key(n.clone()))?,
                Token::Index(i) => write!(f, "[{i}]")?,
                Token::Star => f.write_str(".*")?,
                Token::StarIndex => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

struct Parser<'a> {
    expr: &'a str,
    chars: Vec<char>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(expr: &'a str) -> Self {
        Parser {
            expr,
            chars: expr.chars().collect(),
            pos: 0,
        }
    }

    fn error(&self, reason: &str) -> PathError {
        PathError {
            expr: self.expr.to_string(),
            position: self.pos,
            reason: reason.to_string(),
        }
    }

    fn parse(mut self) -> Result<RulePath, PathError> {
        let mut tokens = vec![Token::Root];
        if self.chars.first() == Some(&'$') {
            self.pos = 1;
        } else if self.chars.is_empty() {
            return Err(self.error("expected `$`"));
        } else {
            // A bare name, as used for header/query keys in V3 rules.
            let name: String = self.chars.iter().collect();
            tokens.push(Token::Field(name));
            return Ok(RulePath {
                tokens: tokens.into(),
            });
        }
        while self.pos < self.chars.len() {
            let token = match self.chars[self.pos] {
                '.' => self.dotted()?,
                '[' => self.bracketed()?,
                _ => return Err(self.error("expected `.` or `[`")),
            };
            tokens.push(token);
        }
        Ok(RulePath {
            tokens: tokens.into(),
        })
    }

    fn dotted(&mut self) -> Result<Token, PathError> {
        self.pos += 1;
        let start = self.pos;
        while self.pos < self.chars.len() && !matches!(self.chars[self.pos], '.' | '[') {
            if matches!(self.chars[self.pos], ']' | '\'' | '"') {
                return Err(self.error("unexpected character in a field name (quote it: ['name'])"));
            }
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        match name.as_str() {
            "" => Err(self.error("expected a field name after `.`")),
            "*" => Ok(Token::Star),
            _ => Ok(Token::Field(name)),
        }
    }

    fn bracketed(&mut self) -> Result<Token, PathError> {
        self.pos += 1;
        let token = match self.chars.get(self.pos) {
            Some('\'') | Some('"') => self.quoted()?,
            Some('*') => {
                self.pos += 1;
                Token::StarIndex
            }
            Some(c) if c.is_ascii_digit() => self.index()?,
            _ => return Err(self.error("expected an index, `*` or a quoted name after `[`")),
        };
        if self.chars.get(self.pos) != Some(&']') {
            return Err(self.error("expected `]`"));
        }
        self.pos += 1;
        Ok(token)
    }

    fn quoted(&mut self) -> Result<Token, PathError> {
        let quote = self.chars[self.pos];
        self.pos += 1;
        let mut name = String::new();
        loop {
            match self.chars.get(self.pos) {
                None => return Err(self.error("unterminated quoted name")),
                Some('\\') if matches!(self.chars.get(self.pos + 1), Some(c) if *c == quote || *c == '\\') =>
                {
                    name.push(self.chars[self.pos + 1]);
                    self.pos += 2;
                }
                Some(c) if *c == quote => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    name.push(*c);
                    self.pos += 1;
                }
            }
        }
        Ok(if name == "*" {
            Token::Star
        } else {
            Token::Field(name)
        })
    }

    fn index(&mut self) -> Result<Token, PathError> {
        let start = self.pos;
        while self.pos < self.chars.len() && self.chars[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        digits
            .parse()
            .map(Token::Index)
            .map_err(|_| self.error("index too large"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.into())
    }

    #[test]
    fn the_same_expression_is_parsed_once_and_shared() {
        let a = RulePath::parse("$.shared_once[*].x").unwrap();
        let b = RulePath::parse("$.shared_once[*].x").unwrap();
        assert!(Arc::ptr_eq(&a.tokens, &b.tokens));
        let other = RulePath::parse("$.shared_once[*].y").unwrap();
        assert!(!Arc::ptr_eq(&a.tokens, &other.tokens));
        assert_ne!(a, other);
    }

    #[test]
    fn parses_dots_brackets_and_wildcards() {
        let p = RulePath::parse("$.a['b c'][2].*[*]").unwrap();
        assert_eq!(
            p.tokens(),
            &[
                Token::Root,
                Token::Field("a".into()),
                Token::Field("b c".into()),
                Token::Index(2),
                Token::Star,
                Token::StarIndex
            ]
        );
        assert_eq!(p.to_string(), "$.a['b c'][2].*[*]");
    }

    #[test]
    fn bare_names_are_single_fields() {
        let p = RulePath::parse("Content-Type").unwrap();
        assert_eq!(p, RulePath::field("Content-Type"));
    }

    #[test]
    fn rejects_malformed_expressions() {
        for bad in ["$.", "$[", "$['x", "$x", "$[a]", "$.a]"] {
            assert!(RulePath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exact_tokens_outweigh_wildcards() {
        let at = [key("a"), Segment::Index(1)];
        let exact = RulePath::parse("$.a[1]").unwrap();
        let wild = RulePath::parse("$.a[*]").unwrap();
        let star = RulePath::parse("$.*[*]").unwrap();
        assert!(exact.weight(&at) > wild.weight(&at));
        assert!(wild.weight(&at) > star.weight(&at));
        assert_eq!(RulePath::parse("$.b").unwrap().weight(&at), 0);
        assert_eq!(RulePath::parse("$.a[1].c").unwrap().weight(&at), 0);
    }

    #[test]
    fn star_index_does_not_fit_keys() {
        assert_eq!(RulePath::parse("$[*]").unwrap().weight(&[key("a")]), 0);
        assert_eq!(RulePath::parse("$.*").unwrap().weight(&[key("a")]), 2);
    }

    #[test]
    fn numeric_field_fits_numeric_key() {
        let p = RulePath::parse("$['2'].str").unwrap();
        assert!(p.weight(&[key("2"), key("str")]) > 0);
    }

    #[test]
    fn quoted_names_with_quotes_and_backslashes_round_trip() {
        for name in ["a\\", "it's", "a\\'b", "x y"] {
            let p = RulePath::root().join(Token::Field(name.into()));
            assert_eq!(RulePath::parse(&p.to_string()).unwrap(), p, "{name}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = RulePath::parse(&s);
        }

        #[test]
        fn display_round_trips(fields in proptest::collection::vec("[a-z]{1,5}|\\*|[0-9]{1,3}", 0..5)) {
            let mut p = RulePath::root();
            for f in &fields {
                p = p.join(match f.as_str() {
                    "*" => Token::Star,
                    n if n.chars().all(|c| c.is_ascii_digit()) => Token::Index(n.parse().unwrap()),
                    n => Token::Field(n.to_string()),
                });
            }
            prop_assert_eq!(RulePath::parse(&p.to_string()).unwrap(), p);
        }
    }
}
