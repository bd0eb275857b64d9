//! MatchingRule: one matcher of the Pact V1–V4 vocabulary, its name and how it reads to
//! people.

use std::fmt;

use serde_json::Value;

use super::pattern::Pattern;
use super::rule_category::RuleCategory;
use super::rule_list::RuleList;
use super::status::StatusClass;
use crate::contract::datetime::DateTimePattern;

/// One `arrayContains` variant: the example element at `index` must be matched (with its own
/// rules) by at least one element of the actual array.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayVariant {
    /// Index of the example element in the expected array.
    pub index: usize,
    /// Rules for that element, with paths relative to the element (`$` is the element).
    pub rules: RuleCategory,
    /// Generators for the element, kept as written.
    pub generators: Value,
}

/// One matcher of the Pact specification.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchingRule {
    /// Values must be equal.
    Equality,
    /// The value (as a string) must match the regular expression.
    Regex(Pattern),
    /// Same type as the example; arrays may be bounded in length.
    Type {
        /// Fewest elements allowed.
        min: Option<usize>,
        /// Most elements allowed.
        max: Option<usize>,
    },
    /// The value (as a string) must contain this text.
    Include(String),
    /// An integer.
    Integer,
    /// A number with a fractional part.
    Decimal,
    /// Any number.
    Number,
    /// A boolean.
    Boolean,
    /// JSON null.
    Null,
    /// A date in the given format (ISO-8601 when absent).
    Date(Option<DateTimePattern>),
    /// A time in the given format (ISO-8601 when absent).
    Time(Option<DateTimePattern>),
    /// A date and time in the given format (ISO-8601 when absent).
    Timestamp(Option<DateTimePattern>),
    /// The content is of this MIME type (detected from its bytes).
    ContentType(String),
    /// Map keys are ignored: every value is matched against the example value.
    Values,
    /// The array contains elements matching each variant, in any order.
    ArrayContains(Vec<ArrayVariant>),
    /// The HTTP status is in this class.
    StatusCode(StatusClass),
    /// Not null, not empty; same type as the example.
    NotEmpty,
    /// A semantic version.
    Semver,
    /// Every key of a map matches these rules.
    EachKey(RuleList),
    /// Every value of a map or array matches these rules.
    EachValue(RuleList),
}

impl MatchingRule {
    /// The rule's name as written in contracts (`"type"`, `"regex"`, …).
    pub fn name(&self) -> &'static str {
        use MatchingRule as R;
        match self {
            R::Equality => "equality",
            R::Regex(_) => "regex",
            R::Type { .. } => "type",
            R::Include(_) => "include",
            R::Integer => "integer",
            R::Decimal => "decimal",
            R::Number => "number",
            R::Boolean => "boolean",
            R::Null => "null",
            R::Date(_) => "date",
            R::Time(_) => "time",
            R::Timestamp(_) => "timestamp",
            R::ContentType(_) => "contentType",
            R::Values => "values",
            R::ArrayContains(_) => "arrayContains",
            R::StatusCode(_) => "statusCode",
            R::NotEmpty => "notEmpty",
            R::Semver => "semver",
            R::EachKey(_) => "eachKey",
            R::EachValue(_) => "eachValue",
        }
    }
}

impl fmt::Display for MatchingRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MatchingRule as R;
        match self {
            R::Regex(p) => write!(f, "regex '{}'", p.source()),
            R::Type {
                min: None,
                max: None,
            } => f.write_str("type"),
            R::Type { min, max } => {
                f.write_str("type")?;
                if let Some(m) = min {
                    write!(f, " min {m}")?;
                }
                if let Some(m) = max {
                    write!(f, " max {m}")?;
                }
                Ok(())
            }
            R::Include(v) => write!(f, "include {v:?}"),
            R::Date(Some(x)) | R::Time(Some(x)) | R::Timestamp(Some(x)) => {
                write!(f, "{} '{}'", self.name(), x.source())
            }
            R::ContentType(v) => write!(f, "contentType {v}"),
            R::StatusCode(c) => write!(f, "statusCode {}", c.to_json()),
            other => f.write_str(other.name()),
        }
    }
}
