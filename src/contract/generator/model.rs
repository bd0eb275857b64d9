//! The Generator model: one variant per Pact generator type, with its attributes, its Pact
//! name and its validation.

use super::date::check_date_attrs;
use super::error::GeneratorError;
use super::mock_server_url::url_regex;
use super::provider_state::placeholders;
use super::regex_sample::cached_regex;
use crate::contract::datetime::{DEFAULT_DATE, DEFAULT_DATETIME, DEFAULT_TIME};

/// The largest `digits`/`size` a generator accepts, to keep generated values reasonable.
pub const MAX_SIZE: usize = 65_536;

/// A Pact generator: how to make a fresh value for a part of a request or response.
///
/// ```
/// use serde_json::json;
/// use shakedown::contract::generator::Generator;
/// let g = Generator::from_json(&json!({"type": "RandomInt", "min": 1, "max": "6"})).unwrap();
/// assert_eq!(g, Generator::RandomInt { min: 1, max: 6 });
/// assert_eq!(g.to_json(), json!({"type": "RandomInt", "min": 1, "max": 6}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Generator {
    /// An integer in `min..=max` (defaults 0 and 10).
    RandomInt {
        /// The smallest value.
        min: i64,
        /// The largest value.
        max: i64,
    },
    /// A decimal number with `digits` digits and a `.` (default 10).
    RandomDecimal {
        /// How many digits, not counting the `.`.
        digits: usize,
    },
    /// A lower-case hexadecimal string of `digits` digits (default 10).
    RandomHexadecimal {
        /// How many digits.
        digits: usize,
    },
    /// An alphanumeric string of `size` characters (default 10).
    RandomString {
        /// How many characters.
        size: usize,
    },
    /// A string matching `regex` (anchors are allowed and ignored when generating).
    Regex {
        /// The regular expression.
        regex: String,
    },
    /// A random (version 4) UUID in the given format.
    Uuid {
        /// How it is written.
        format: UuidFormat,
    },
    /// A date (default format `yyyy-MM-dd`), optionally moved by a date expression.
    Date {
        /// A Java-style date format.
        format: Option<String>,
        /// A date expression such as `today + 1 day`.
        expression: Option<String>,
    },
    /// A time (default format `HH:mm:ss`), optionally moved by a time expression.
    Time {
        /// A Java-style time format.
        format: Option<String>,
        /// A time expression such as `now + 2 hours`.
        expression: Option<String>,
    },
    /// A date-time (default format `yyyy-MM-dd'T'HH:mm:ss`), optionally moved by an expression.
    DateTime {
        /// A Java-style date-time format.
        format: Option<String>,
        /// An expression such as `tomorrow @ noon`.
        expression: Option<String>,
    },
    /// `true` or `false`.
    RandomBoolean,
    /// A value from the provider state, such as `${id}` or `/orders/${id}`.
    ProviderState {
        /// The expression with `${name}` placeholders.
        expression: String,
        /// What type of value to produce.
        data_type: DataType,
    },
    /// A URL on the running mock server, from an example URL and a regex whose first group is
    /// the part to keep (e.g. `.*(/orders/\d+)$`).
    MockServerUrl {
        /// An example URL.
        example: String,
        /// A regex matching the example, whose first group is kept after the mock server URL.
        regex: String,
    },
}

/// How a [`Generator::Uuid`] writes its UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UuidFormat {
    /// 32 lower-case hex digits, no hyphens (`simple`).
    Simple,
    /// `xxxxxxxx-xxxx-...` in lower case (`lower-case-hyphenated`, the default).
    #[default]
    LowerCaseHyphenated,
    /// `XXXXXXXX-XXXX-...` in upper case (`upper-case-hyphenated`).
    UpperCaseHyphenated,
    /// `urn:uuid:xxxxxxxx-...` (`URN`).
    Urn,
}

impl UuidFormat {
    /// The name used in Pact JSON.
    ///
    /// ```
    /// use shakedown::contract::generator::UuidFormat;
    /// assert_eq!(UuidFormat::Urn.as_str(), "URN");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            UuidFormat::Simple => "simple",
            UuidFormat::LowerCaseHyphenated => "lower-case-hyphenated",
            UuidFormat::UpperCaseHyphenated => "upper-case-hyphenated",
            UuidFormat::Urn => "URN",
        }
    }

    /// Reads a Pact name (case-insensitive), `None` when unknown.
    ///
    /// ```
    /// use shakedown::contract::generator::UuidFormat;
    /// assert_eq!(UuidFormat::from_name("simple"), Some(UuidFormat::Simple));
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        [
            UuidFormat::Simple,
            UuidFormat::LowerCaseHyphenated,
            UuidFormat::UpperCaseHyphenated,
            UuidFormat::Urn,
        ]
        .into_iter()
        .find(|f| f.as_str().eq_ignore_ascii_case(name))
    }
}

/// What type of value a [`Generator::ProviderState`] produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataType {
    /// A JSON string.
    String,
    /// A JSON integer.
    Integer,
    /// A JSON decimal number.
    Decimal,
    /// A JSON floating-point number.
    Float,
    /// A JSON boolean.
    Boolean,
    /// The value as it is (the default).
    #[default]
    Raw,
}

impl DataType {
    /// The name used in Pact JSON (`STRING`, `INTEGER`, ...).
    ///
    /// ```
    /// use shakedown::contract::generator::DataType;
    /// assert_eq!(DataType::Integer.as_str(), "INTEGER");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            DataType::String => "STRING",
            DataType::Integer => "INTEGER",
            DataType::Decimal => "DECIMAL",
            DataType::Float => "FLOAT",
            DataType::Boolean => "BOOLEAN",
            DataType::Raw => "RAW",
        }
    }

    /// Reads a Pact name (case-insensitive), `None` when unknown.
    ///
    /// ```
    /// use shakedown::contract::generator::DataType;
    /// assert_eq!(DataType::from_name("boolean"), Some(DataType::Boolean));
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(name))
    }

    /// Every data type.
    pub const ALL: [DataType; 6] = [
        DataType::String,
        DataType::Integer,
        DataType::Decimal,
        DataType::Float,
        DataType::Boolean,
        DataType::Raw,
    ];
}

impl Generator {
    /// The Pact `type` name: `RandomInt`, `MockServerURL`, ...
    ///
    /// ```
    /// use shakedown::contract::generator::Generator;
    /// assert_eq!(Generator::RandomBoolean.type_name(), "RandomBoolean");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            Generator::RandomInt { .. } => "RandomInt",
            Generator::RandomDecimal { .. } => "RandomDecimal",
            Generator::RandomHexadecimal { .. } => "RandomHexadecimal",
            Generator::RandomString { .. } => "RandomString",
            Generator::Regex { .. } => "Regex",
            Generator::Uuid { .. } => "Uuid",
            Generator::Date { .. } => "Date",
            Generator::Time { .. } => "Time",
            Generator::DateTime { .. } => "DateTime",
            Generator::RandomBoolean => "RandomBoolean",
            Generator::ProviderState { .. } => "ProviderState",
            Generator::MockServerUrl { .. } => "MockServerURL",
        }
    }

    /// Checks the attributes: `min <= max`, sizes up to [`MAX_SIZE`], regexes, formats and
    /// expressions. [`Generator::from_json`] only returns generators that pass.
    ///
    /// ```
    /// use shakedown::contract::generator::Generator;
    /// assert!(Generator::RandomInt { min: 5, max: 1 }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), GeneratorError> {
        self.check_numbers()?;
        match self {
            Generator::Regex { regex } => cached_regex(regex).map(drop),
            Generator::Date { format, expression } => {
                check_date_attrs(format, expression, DEFAULT_DATE)
            }
            Generator::Time { format, expression } => {
                check_date_attrs(format, expression, DEFAULT_TIME)
            }
            Generator::DateTime { format, expression } => {
                check_date_attrs(format, expression, DEFAULT_DATETIME)
            }
            Generator::ProviderState { expression, .. } => placeholders(expression).map(drop),
            Generator::MockServerUrl { regex, .. } => url_regex(regex).map(drop),
            _ => Ok(()),
        }
    }

    /// The cheap checks: `min <= max` and sizes.
    pub(super) fn check_numbers(&self) -> Result<(), GeneratorError> {
        match self {
            Generator::RandomInt { min, max } if min > max => {
                Err(self.bad(format!("min {min} is greater than max {max}")))
            }
            Generator::RandomDecimal { digits: 0 } => {
                Err(self.bad("digits must be at least 1".into()))
            }
            Generator::RandomDecimal { digits: n }
            | Generator::RandomHexadecimal { digits: n }
            | Generator::RandomString { size: n }
                if *n > MAX_SIZE =>
            {
                Err(self.bad(format!("{n} is more than the maximum of {MAX_SIZE}")))
            }
            _ => Ok(()),
        }
    }

    fn bad(&self, reason: String) -> GeneratorError {
        GeneratorError::BadAttribute {
            generator: self.type_name().to_string(),
            reason,
        }
    }
}
