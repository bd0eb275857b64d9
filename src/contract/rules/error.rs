//! RuleError: why matching rules could not be read, and where (LocatedRuleError).

use crate::contract::path::PathError;

/// Why a set of matching rules could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// The `match` value names no known matcher.
    #[error("unknown matcher `{0}`")]
    UnknownMatcher(String),
    /// A regular expression does not compile.
    #[error("invalid regex `{regex}`: {reason}")]
    BadRegex {
        /// The expression.
        regex: String,
        /// The compiler's complaint.
        reason: String,
    },
    /// A date/time format does not parse.
    #[error("invalid date/time format `{format}`: {reason}")]
    BadFormat {
        /// The format.
        format: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A matcher lacks an attribute it needs, or has one of the wrong type.
    #[error("matcher `{matcher}` needs {expected}")]
    BadAttribute {
        /// The matcher.
        matcher: String,
        /// What it needs.
        expected: String,
    },
    /// A rule path does not parse.
    #[error(transparent)]
    BadPath(#[from] PathError),
    /// The JSON is not shaped as rules are.
    #[error("expected {0}")]
    Shape(String),
}

/// A rule error and where, as JSON keys below the `matchingRules` object.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedRuleError {
    /// Keys from the `matchingRules` object down to the offending value.
    pub pointer: Vec<String>,
    /// The error.
    pub error: RuleError,
}

pub(super) fn located(pointer: Vec<String>, error: RuleError) -> LocatedRuleError {
    LocatedRuleError { pointer, error }
}
