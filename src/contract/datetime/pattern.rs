//! DateTimePattern: a Java-style format pattern parsed into tokens, with its errors and the
//! default formats; checking and formatting values with it.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use super::fields::Fields;
use super::format::format_tokens;
use super::resolve::resolve;
use super::scan::scan_tokens;
use super::scanner::Scanner;
use super::token::{letter_of, Field, Token};
use crate::contract::intern::{Interner, CAPACITY};

/// Every pattern parsed in this process, by source: parsed once, shared by `Arc`.
static PARSED: Interner<Parsed> = Interner::new(CAPACITY);

/// The default format of a date matcher or generator.
pub const DEFAULT_DATE: &str = "yyyy-MM-dd";
/// The default format of a time matcher or generator.
pub const DEFAULT_TIME: &str = "HH:mm:ss";
/// The default format of a date-time matcher or generator.
pub const DEFAULT_DATETIME: &str = "yyyy-MM-dd'T'HH:mm:ss";

/// Why a format pattern is not valid. Positions count characters from 0.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PatternError {
    /// A letter that is not a pattern letter (letters must be quoted to be literal).
    #[error("unknown pattern letter '{letter}' at position {pos} (quote it to use it literally)")]
    UnknownLetter {
        /// The letter.
        letter: char,
        /// Where it is.
        pos: usize,
    },
    /// A `'` with no closing `'`.
    #[error("unclosed quote starting at position {pos}")]
    UnclosedQuote {
        /// Where the opening quote is.
        pos: usize,
    },
    /// A letter repeated a number of times that means nothing (e.g. `ddd`, `V`, `OO`).
    #[error("pattern letter '{letter}' cannot be repeated {count} times (at position {pos})")]
    BadLetterCount {
        /// The letter.
        letter: char,
        /// How many times it is repeated.
        count: usize,
        /// Where the run starts.
        pos: usize,
    },
    /// One of the reserved characters `#`, `{`, `}`.
    #[error("reserved character '{ch}' at position {pos}")]
    ReservedChar {
        /// The character.
        ch: char,
        /// Where it is.
        pos: usize,
    },
    /// A `]` with no `[`, or a `[` with no `]`.
    #[error("unbalanced optional section bracket at position {pos}")]
    UnbalancedBracket {
        /// Where the offending bracket is.
        pos: usize,
    },
}

/// A parsed Java-style date/time format pattern.
///
/// ```
/// use shakedown::contract::datetime::DateTimePattern;
/// let p = DateTimePattern::parse("yyyy-MM-dd").unwrap();
/// assert!(p.check("2024-02-29").is_ok());
/// assert!(p.check("2023-02-29").is_err());
/// ```
///
/// Each distinct pattern is parsed once per process; clones and equal patterns share it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimePattern {
    parsed: Arc<Parsed>,
}

/// A pattern as written and its tokens.
#[derive(Debug, PartialEq, Eq)]
struct Parsed {
    source: String,
    tokens: Vec<Token>,
}

impl std::str::FromStr for DateTimePattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl DateTimePattern {
    /// Parses a pattern such as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`.
    ///
    /// ```
    /// use shakedown::contract::datetime::{DateTimePattern, PatternError};
    /// assert!(DateTimePattern::parse("EEE, dd MMM yyyy HH:mm:ss zzz").is_ok());
    /// assert_eq!(
    ///     DateTimePattern::parse("yyyy-MM-ddTHH"),
    ///     Err(PatternError::UnknownLetter { letter: 'T', pos: 10 })
    /// );
    /// ```
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        let parsed = PARSED.get_or_try(pattern, parse_pattern)?;
        Ok(DateTimePattern { parsed })
    }

    /// The pattern as written.
    ///
    /// ```
    /// use shakedown::contract::datetime::DateTimePattern;
    /// assert_eq!(DateTimePattern::parse("HH:mm").unwrap().source(), "HH:mm");
    /// ```
    pub fn source(&self) -> &str {
        &self.parsed.source
    }

    /// `Ok(())` when the whole of `value` is a valid date/time in this pattern (field ranges
    /// and calendar checked: month 13 or Feb 30 fail), `Err(reason)` otherwise.
    ///
    /// ```
    /// use shakedown::contract::datetime::DateTimePattern;
    /// let p = DateTimePattern::parse("MM/dd/yyyy hh:mm a").unwrap();
    /// assert!(p.check("02/29/2024 11:59 PM").is_ok());
    /// assert!(p.check("13/01/2024 11:59 PM").is_err());
    /// ```
    pub fn check(&self, value: &str) -> Result<(), String> {
        let mut sc = Scanner { s: value, pos: 0 };
        let mut fields = Fields::default();
        scan_tokens(&self.parsed.tokens, &mut sc, &mut fields)?;
        if sc.pos < value.len() {
            return Err(format!(
                "unexpected text '{}' at position {}",
                sc.rest(),
                sc.pos
            ));
        }
        resolve(&mut fields)
    }

    /// Formats a date-time with this pattern.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use shakedown::contract::datetime::DateTimePattern;
    /// let at = DateTime::parse_from_rfc3339("2024-03-05T14:07:09.123+01:00").unwrap();
    /// let p = DateTimePattern::parse("EEE, d MMM yyyy hh:mm:ss.SSS a XXX").unwrap();
    /// assert_eq!(p.format(&at), "Tue, 5 Mar 2024 02:07:09.123 PM +01:00");
    /// ```
    pub fn format(&self, at: &DateTime<FixedOffset>) -> String {
        let mut out = String::new();
        format_tokens(&self.parsed.tokens, at, &mut out);
        out
    }
}

/// Parses a pattern into its tokens (the cache's compile step).
fn parse_pattern(pattern: &str) -> Result<Parsed, PatternError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pos = 0;
    let tokens = parse_tokens(&chars, &mut pos, None)?;
    Ok(Parsed {
        source: pattern.to_string(),
        tokens,
    })
}

fn parse_tokens(
    chars: &[char],
    pos: &mut usize,
    open: Option<usize>,
) -> Result<Vec<Token>, PatternError> {
    let mut tokens = Vec::new();
    while let Some(&ch) = chars.get(*pos) {
        match ch {
            '\'' => push_literal(&mut tokens, &quoted(chars, pos)?),
            '[' => {
                let start = *pos;
                *pos += 1;
                tokens.push(Token::Optional(parse_tokens(chars, pos, Some(start))?));
            }
            ']' if open.is_some() => {
                *pos += 1;
                return Ok(tokens);
            }
            ']' => return Err(PatternError::UnbalancedBracket { pos: *pos }),
            '#' | '{' | '}' => return Err(PatternError::ReservedChar { ch, pos: *pos }),
            c if c.is_ascii_alphabetic() => tokens.push(Token::Field(field(chars, pos)?)),
            c => {
                push_literal(&mut tokens, &c.to_string());
                *pos += 1;
            }
        }
    }
    match open {
        Some(start) => Err(PatternError::UnbalancedBracket { pos: start }),
        None => Ok(tokens),
    }
}

fn push_literal(tokens: &mut Vec<Token>, text: &str) {
    if let Some(Token::Literal(last)) = tokens.last_mut() {
        last.push_str(text);
    } else if !text.is_empty() {
        tokens.push(Token::Literal(text.to_string()));
    }
}

/// Reads `'...'` (with `''` for a quote) starting at the opening quote.
fn quoted(chars: &[char], pos: &mut usize) -> Result<String, PatternError> {
    let start = *pos;
    if chars.get(start + 1) == Some(&'\'') {
        *pos += 2;
        return Ok("'".to_string());
    }
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(PatternError::UnclosedQuote { pos: start }),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            Some('\'') => break,
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
    *pos = i + 1;
    Ok(text)
}

fn field(chars: &[char], pos: &mut usize) -> Result<Field, PatternError> {
    let start = *pos;
    let letter = chars[start];
    let count = chars[start..].iter().take_while(|&&c| c == letter).count();
    *pos += count;
    let (kind, counts) =
        letter_of(letter).ok_or(PatternError::UnknownLetter { letter, pos: start })?;
    if !counts.contains(&count) {
        return Err(PatternError::BadLetterCount {
            letter,
            count,
            pos: start,
        });
    }
    Ok(Field {
        letter: kind,
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::datetime::fixtures::p;
    use proptest::prelude::*;

    #[test]
    fn parses_literals_and_quotes() {
        let pat = p("yyyy-MM-dd'T'HH:mm:ss");
        assert_eq!(pat.source(), "yyyy-MM-dd'T'HH:mm:ss");
        assert!(pat.check("2024-01-31T23:59:59").is_ok());
        let pat = p("hh 'o''clock' a");
        assert!(pat.check("05 o'clock PM").is_ok());
        assert!(p("''").check("'").is_ok());
    }

    #[test]
    fn the_same_pattern_is_parsed_once_and_shared() {
        let a = p("dd.MM.yyyy 'shared'");
        let b = p("dd.MM.yyyy 'shared'");
        assert!(Arc::ptr_eq(&a.parsed, &b.parsed));
        let other = p("dd/MM/yyyy 'shared'");
        assert!(!Arc::ptr_eq(&a.parsed, &other.parsed));
        assert!(a.check("31.01.2024 shared").is_ok() && other.check("31.01.2024 shared").is_err());
    }

    #[test]
    fn pattern_errors() {
        use PatternError::*;
        let err = |s: &str| DateTimePattern::parse(s).unwrap_err();
        assert_eq!(
            err("yyyy-MM-ddTHH"),
            UnknownLetter {
                letter: 'T',
                pos: 10
            }
        );
        assert_eq!(err("yyyy'T"), UnclosedQuote { pos: 4 });
        assert_eq!(
            err("ddd"),
            BadLetterCount {
                letter: 'd',
                count: 3,
                pos: 0
            }
        );
        assert_eq!(
            err("HH V"),
            BadLetterCount {
                letter: 'V',
                count: 1,
                pos: 3
            }
        );
        assert_eq!(err("HH#"), ReservedChar { ch: '#', pos: 2 });
        assert_eq!(err("HH]"), UnbalancedBracket { pos: 2 });
        assert_eq!(err("HH[:mm"), UnbalancedBracket { pos: 2 });
        assert!(err("b").to_string().contains("unknown pattern letter 'b'"));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = DateTimePattern::parse(&s);
        }
    }
}
