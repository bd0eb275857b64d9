//! Pact generators (`{"type": "RandomInt", "min": 0, "max": 10}`): their V3/V4 JSON form,
//! validation, and generating values (seeded, so a run can be reproduced), including Pact's
//! date expression language (`today + 1 day @ noon`).

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveTime, TimeDelta, Weekday};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};
use serde_json::{json, Map, Number, Value};

use super::datetime::{DateTimePattern, DEFAULT_DATE, DEFAULT_DATETIME, DEFAULT_TIME};

/// The largest `digits`/`size` a generator accepts, to keep generated values reasonable.
pub const MAX_SIZE: usize = 65_536;
/// How many extra repeats `*`, `+` and `{n,}` may produce in a `Regex` generator.
const MAX_REPEAT: u32 = 10;
/// How many samples a `Regex` generator tries before giving up on a matching value.
const REGEX_TRIES: usize = 20;

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
        [
            DataType::String,
            DataType::Integer,
            DataType::Decimal,
            DataType::Float,
            DataType::Boolean,
            DataType::Raw,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(name))
    }
}

/// Why a generator could not be read or could not generate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeneratorError {
    /// The JSON is not an object with a string `type`.
    #[error("a generator must be a JSON object with a string \"type\", got {0}")]
    NotAGenerator(String),
    /// The `type` is not a known generator.
    #[error("unknown generator type '{0}'")]
    UnknownType(String),
    /// An attribute is missing or has a bad value.
    #[error("bad {generator} generator: {reason}")]
    BadAttribute {
        /// The generator type.
        generator: String,
        /// What is wrong.
        reason: String,
    },
    /// A regex that does not compile or cannot be generated from.
    #[error("bad regex '{regex}': {reason}")]
    BadRegex {
        /// The regex.
        regex: String,
        /// What is wrong.
        reason: String,
    },
    /// A date/time format that does not parse.
    #[error("bad date/time format '{format}': {reason}")]
    BadFormat {
        /// The format.
        format: String,
        /// What is wrong.
        reason: String,
    },
    /// A date expression or provider-state expression that does not parse or evaluate.
    #[error("bad expression '{expression}': {reason}")]
    BadExpression {
        /// The expression.
        expression: String,
        /// What is wrong.
        reason: String,
    },
    /// A `${name}` with no such value in the provider state.
    #[error("the provider state has no value for '{0}'")]
    MissingProviderStateValue(String),
    /// A provider-state value that cannot be converted to the requested data type.
    #[error("cannot convert {value} to {data_type}")]
    Conversion {
        /// The value, as JSON.
        value: String,
        /// The requested data type.
        data_type: &'static str,
    },
    /// A `MockServerURL` generator used with no mock server running.
    #[error("no mock server URL is available for a MockServerURL generator")]
    NoMockServerUrl,
    /// A `MockServerURL` regex that does not match its example.
    #[error("regex '{regex}' does not match the example '{example}'")]
    NoMatch {
        /// The regex.
        regex: String,
        /// The example.
        example: String,
    },
}

/// What a generator may draw on: provider-state values, the mock server URL, and the time.
#[derive(Debug, Clone)]
pub struct GeneratorContext<'a> {
    /// Values set up by the provider state (for `ProviderState` generators).
    pub provider_state: &'a Map<String, Value>,
    /// The base URL of the running mock server (for `MockServerURL` generators).
    pub mock_server_url: Option<&'a str>,
    /// The current time, that date expressions start from.
    pub now: DateTime<FixedOffset>,
}

/// A seeded RNG, so that a run can be reproduced.
///
/// ```
/// use serde_json::{json, Map};
/// use shakedown::contract::generator::{rng_from_seed, Generator, GeneratorContext};
/// let state = Map::new();
/// let now = chrono::Utc::now().fixed_offset();
/// let ctx = GeneratorContext { provider_state: &state, mock_server_url: None, now };
/// let g = Generator::RandomString { size: 8 };
/// let a = g.generate(&json!("x"), &ctx, &mut rng_from_seed(7)).unwrap();
/// let b = g.generate(&json!("x"), &ctx, &mut rng_from_seed(7)).unwrap();
/// assert_eq!(a, b);
/// ```
pub fn rng_from_seed(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

// ---------------------------------------------------------------------------------------------
// JSON

impl Generator {
    /// Reads the Pact V3/V4 JSON form. Numeric attributes may be numbers or numeric strings;
    /// regexes, formats and expressions are checked here.
    ///
    /// ```
    /// use serde_json::json;
    /// use shakedown::contract::generator::{Generator, UuidFormat};
    /// let g = Generator::from_json(&json!({"type": "Uuid", "format": "URN"})).unwrap();
    /// assert_eq!(g, Generator::Uuid { format: UuidFormat::Urn });
    /// assert!(Generator::from_json(&json!({"type": "Regex", "regex": "("})).is_err());
    /// ```
    pub fn from_json(value: &Value) -> Result<Self, GeneratorError> {
        let obj = value
            .as_object()
            .ok_or_else(|| GeneratorError::NotAGenerator(json_kind(value).to_string()))?;
        let ty = obj
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| GeneratorError::NotAGenerator("an object without a \"type\"".into()))?;
        let generator = Self::from_attributes(ty, obj)?;
        generator.validate()?;
        Ok(generator)
    }

    fn from_attributes(ty: &str, obj: &Map<String, Value>) -> Result<Self, GeneratorError> {
        let a = Attrs { ty, obj };
        Ok(match ty {
            "RandomInt" => Generator::RandomInt {
                min: a.int("min", 0)?,
                max: a.int("max", 10)?,
            },
            "RandomDecimal" => Generator::RandomDecimal {
                digits: a.size("digits", 10)?,
            },
            "RandomHexadecimal" => Generator::RandomHexadecimal {
                digits: a.size("digits", 10)?,
            },
            "RandomString" => Generator::RandomString {
                size: a.size("size", 10)?,
            },
            "Regex" => Generator::Regex {
                regex: a.string("regex")?,
            },
            "Uuid" => Generator::Uuid {
                format: a.uuid_format()?,
            },
            "Date" => Generator::Date {
                format: a.opt_string("format")?,
                expression: a.opt_string("expression")?,
            },
            "Time" => Generator::Time {
                format: a.opt_string("format")?,
                expression: a.opt_string("expression")?,
            },
            "DateTime" | "Timestamp" => Generator::DateTime {
                format: a.opt_string("format")?,
                expression: a.opt_string("expression")?,
            },
            "RandomBoolean" => Generator::RandomBoolean,
            "ProviderState" => Generator::ProviderState {
                expression: a.string("expression")?,
                data_type: a.data_type()?,
            },
            "MockServerURL" | "MockServerUrl" => Generator::MockServerUrl {
                example: a.string("example")?,
                regex: a.string("regex")?,
            },
            other => return Err(GeneratorError::UnknownType(other.to_string())),
        })
    }

    /// The canonical Pact V4 JSON form; [`Generator::from_json`] reads it back.
    ///
    /// ```
    /// use serde_json::json;
    /// use shakedown::contract::generator::Generator;
    /// let g = Generator::Date { format: None, expression: Some("tomorrow".into()) };
    /// assert_eq!(g.to_json(), json!({"type": "Date", "expression": "tomorrow"}));
    /// ```
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("type".into(), json!(self.type_name()));
        for (key, value) in self.attributes() {
            obj.insert(key.into(), value);
        }
        Value::Object(obj)
    }

    fn attributes(&self) -> Vec<(&'static str, Value)> {
        match self {
            Generator::RandomInt { min, max } => vec![("min", json!(min)), ("max", json!(max))],
            Generator::RandomDecimal { digits } | Generator::RandomHexadecimal { digits } => {
                vec![("digits", json!(digits))]
            }
            Generator::RandomString { size } => vec![("size", json!(size))],
            Generator::Regex { regex } => vec![("regex", json!(regex))],
            Generator::Uuid { format } => vec![("format", json!(format.as_str()))],
            Generator::Date { format, expression }
            | Generator::Time { format, expression }
            | Generator::DateTime { format, expression } => {
                [("format", format), ("expression", expression)]
                    .into_iter()
                    .filter_map(|(k, v)| v.as_ref().map(|v| (k, json!(v))))
                    .collect()
            }
            Generator::RandomBoolean => vec![],
            Generator::ProviderState {
                expression,
                data_type,
            } => vec![
                ("expression", json!(expression)),
                ("dataType", json!(data_type.as_str())),
            ],
            Generator::MockServerUrl { example, regex } => {
                vec![("example", json!(example)), ("regex", json!(regex))]
            }
        }
    }

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
            Generator::Regex { regex } => regex_generator(regex).map(drop),
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
    fn check_numbers(&self) -> Result<(), GeneratorError> {
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

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads the attributes of one generator object.
struct Attrs<'a> {
    ty: &'a str,
    obj: &'a Map<String, Value>,
}

impl Attrs<'_> {
    fn bad(&self, key: &str, expected: &str) -> GeneratorError {
        let got = self
            .obj
            .get(key)
            .map_or_else(|| "nothing".to_string(), Value::to_string);
        GeneratorError::BadAttribute {
            generator: self.ty.to_string(),
            reason: format!("'{key}' must be {expected}, got {got}"),
        }
    }

    /// Present and not null.
    fn get(&self, key: &str) -> Option<&Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn int(&self, key: &str, default: i64) -> Result<i64, GeneratorError> {
        let Some(value) = self.get(key) else {
            return Ok(default);
        };
        json_to_i64(value).ok_or_else(|| self.bad(key, "an integer"))
    }

    fn size(&self, key: &str, default: usize) -> Result<usize, GeneratorError> {
        let n = self.int(key, default as i64)?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_SIZE)
            .ok_or_else(|| self.bad(key, &format!("an integer from 0 to {MAX_SIZE}")))
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>, GeneratorError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.bad(key, "a string")),
        }
    }

    fn string(&self, key: &str) -> Result<String, GeneratorError> {
        self.opt_string(key)?
            .ok_or_else(|| self.bad(key, "a string"))
    }

    fn uuid_format(&self) -> Result<UuidFormat, GeneratorError> {
        let expected = "simple, lower-case-hyphenated, upper-case-hyphenated or URN";
        match self
            .opt_string("format")
            .map_err(|_| self.bad("format", expected))?
        {
            None => Ok(UuidFormat::default()),
            Some(name) => UuidFormat::from_name(&name).ok_or_else(|| self.bad("format", expected)),
        }
    }

    fn data_type(&self) -> Result<DataType, GeneratorError> {
        let expected = "STRING, INTEGER, DECIMAL, FLOAT, BOOLEAN or RAW";
        match self
            .opt_string("dataType")
            .map_err(|_| self.bad("dataType", expected))?
        {
            None => Ok(DataType::default()),
            Some(name) => DataType::from_name(&name).ok_or_else(|| self.bad("dataType", expected)),
        }
    }
}

/// An integer from a JSON number (integral) or a numeric string.
fn json_to_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(f64_to_i64)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(f64_to_i64))
        }
        _ => None,
    }
}

fn f64_to_i64(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
}

// ---------------------------------------------------------------------------------------------
// Generating

impl Generator {
    /// A new value to replace `current`. Numbers and booleans are JSON numbers and booleans,
    /// except that they stay strings when `current` is a string; `ProviderState` converts per
    /// its data type; everything else is a string.
    ///
    /// ```
    /// use serde_json::{json, Map};
    /// use shakedown::contract::generator::{rng_from_seed, Generator, GeneratorContext};
    /// let state = Map::new();
    /// let now = chrono::DateTime::parse_from_rfc3339("2024-01-31T10:00:00Z").unwrap();
    /// let ctx = GeneratorContext { provider_state: &state, mock_server_url: None, now };
    /// let g = Generator::Date { format: None, expression: Some("+ 1 month".into()) };
    /// let value = g.generate(&json!(""), &ctx, &mut rng_from_seed(1)).unwrap();
    /// assert_eq!(value, json!("2024-02-29"));
    /// ```
    pub fn generate(
        &self,
        current: &Value,
        ctx: &GeneratorContext,
        rng: &mut StdRng,
    ) -> Result<Value, GeneratorError> {
        // Regexes, formats and expressions are checked as they are used.
        self.check_numbers()?;
        let value = match self {
            Generator::RandomInt { min, max } => json!(rng.random_range(*min..=*max)),
            Generator::RandomDecimal { digits } => decimal_value(&random_decimal(*digits, rng)),
            Generator::RandomHexadecimal { digits } => json!(random_chars(*digits, HEX, rng)),
            Generator::RandomString { size } => json!(random_chars(*size, ALPHANUMERIC, rng)),
            Generator::Regex { regex } => json!(random_matching(regex, rng)?),
            Generator::Uuid { format } => json!(random_uuid(*format, rng)),
            Generator::Date { format, expression } => {
                json!(date_value(format, expression, DEFAULT_DATE, ctx)?)
            }
            Generator::Time { format, expression } => {
                json!(date_value(format, expression, DEFAULT_TIME, ctx)?)
            }
            Generator::DateTime { format, expression } => {
                json!(date_value(format, expression, DEFAULT_DATETIME, ctx)?)
            }
            Generator::RandomBoolean => json!(rng.random::<bool>()),
            Generator::ProviderState {
                expression,
                data_type,
            } => return provider_state_value(expression, *data_type, ctx.provider_state),
            Generator::MockServerUrl { example, regex } => {
                json!(mock_server_url(example, regex, ctx.mock_server_url)?)
            }
        };
        Ok(keep_string(current, value))
    }
}

/// Numbers and booleans replacing a string example are written as strings.
fn keep_string(current: &Value, value: Value) -> Value {
    match (current, value) {
        (Value::String(_), v @ (Value::Number(_) | Value::Bool(_))) => Value::String(v.to_string()),
        (_, v) => v,
    }
}

const HEX: &[u8] = b"0123456789abcdef";
const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn random_chars(n: usize, alphabet: &[u8], rng: &mut StdRng) -> String {
    (0..n)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

fn random_digit(min: u8, rng: &mut StdRng) -> char {
    char::from(b'0' + rng.random_range(min..=9))
}

/// `digits` digits with a `.` somewhere inside (none for 1 digit): no leading zero before
/// another digit, no trailing zero, and at least `0.1`, so the number prints the same.
fn random_decimal(digits: usize, rng: &mut StdRng) -> String {
    if digits <= 1 {
        return random_digit(0, rng).to_string();
    }
    let int_len = rng.random_range(1..digits);
    let mut s = String::with_capacity(digits + 1);
    s.push(random_digit(u8::from(int_len > 1), rng));
    (1..int_len).for_each(|_| s.push(random_digit(0, rng)));
    let zero_int = s == "0";
    s.push('.');
    for i in int_len..digits {
        let nonzero = i + 1 == digits || (zero_int && i == int_len);
        s.push(random_digit(u8::from(nonzero), rng));
    }
    s
}

/// A JSON number when it prints back the same (up to 15 digits), otherwise a string.
fn decimal_value(text: &str) -> Value {
    let number = match text.parse::<u64>() {
        Ok(n) => Some(Number::from(n)),
        Err(_) => text.parse::<f64>().ok().and_then(Number::from_f64),
    }
    .filter(|n| n.to_string() == text);
    number.map_or_else(|| json!(text), Value::Number)
}

fn random_uuid(format: UuidFormat, rng: &mut StdRng) -> String {
    let id = uuid::Builder::from_random_bytes(rng.random::<[u8; 16]>()).into_uuid();
    match format {
        UuidFormat::Simple => id.simple().to_string(),
        UuidFormat::LowerCaseHyphenated => id.hyphenated().to_string(),
        UuidFormat::UpperCaseHyphenated => id.hyphenated().to_string().to_uppercase(),
        UuidFormat::Urn => id.urn().to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Regex

/// A sampler for `regex` and a whole-string matcher to check its samples.
fn regex_generator(regex: &str) -> Result<(rand_regex::Regex, regex::Regex), GeneratorError> {
    let bad = |reason: String| GeneratorError::BadRegex {
        regex: regex.to_string(),
        reason,
    };
    let hir = regex_syntax::Parser::new()
        .parse(regex)
        .map_err(|e| bad(e.to_string()))?;
    let whole = regex::Regex::new(&format!("^(?:{regex})$")).map_err(|e| bad(e.to_string()))?;
    let sampler =
        rand_regex::Regex::with_hir(readable(hir), MAX_REPEAT).map_err(|e| bad(e.to_string()))?;
    Ok((sampler, whole))
}

/// Narrows character classes to printable ASCII where they allow it, and drops anchors and
/// word boundaries (the samples are checked against the real regex afterwards).
fn readable(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(class)) => Hir::class(Class::Unicode(printable(class))),
        HirKind::Class(class) => Hir::class(class),
        HirKind::Look(_) | HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(readable(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(readable(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(readable).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(readable).collect()),
    }
}

fn printable(class: ClassUnicode) -> ClassUnicode {
    let mut narrowed = class.clone();
    narrowed.intersect(&ClassUnicode::new([ClassUnicodeRange::new(' ', '~')]));
    if narrowed.ranges().is_empty() {
        class
    } else {
        narrowed
    }
}

fn random_matching(regex: &str, rng: &mut StdRng) -> Result<String, GeneratorError> {
    let (sampler, whole) = regex_generator(regex)?;
    for _ in 0..REGEX_TRIES {
        let sample: Result<String, _> = rng.sample(&sampler);
        if let Some(s) = sample.ok().filter(|s| whole.is_match(s)) {
            return Ok(s);
        }
    }
    Err(GeneratorError::BadRegex {
        regex: regex.to_string(),
        reason: "could not generate a value that matches it".into(),
    })
}

// ---------------------------------------------------------------------------------------------
// Dates

fn check_date_attrs(
    format: &Option<String>,
    expression: &Option<String>,
    default: &str,
) -> Result<(), GeneratorError> {
    pattern(format.as_deref().unwrap_or(default))?;
    if let Some(expr) = expression {
        parse_expression(expr).map_err(|reason| bad_expression(expr, reason))?;
    }
    Ok(())
}

fn pattern(format: &str) -> Result<DateTimePattern, GeneratorError> {
    DateTimePattern::parse(format).map_err(|e| GeneratorError::BadFormat {
        format: format.to_string(),
        reason: e.to_string(),
    })
}

fn bad_expression(expression: &str, reason: String) -> GeneratorError {
    GeneratorError::BadExpression {
        expression: expression.to_string(),
        reason,
    }
}

fn date_value(
    format: &Option<String>,
    expression: &Option<String>,
    default: &str,
    ctx: &GeneratorContext,
) -> Result<String, GeneratorError> {
    let pattern = pattern(format.as_deref().unwrap_or(default))?;
    let at = eval_date_expression(expression.as_deref().unwrap_or(""), ctx.now)?;
    Ok(pattern.format(&at))
}

/// Evaluates a Pact date/time expression relative to `now`. An expression is an optional
/// date part and an optional `@ time` part; each is an optional base then `+`/`-` steps:
///
/// * bases: `now`, `today`, `tomorrow`, `yesterday`, `midnight`, `noon`, `10 o'clock`
///   (`am`/`pm` optional; without them the hour is 0-23), `next week`, `last month`,
///   `next fortnight`, `next monday`, `last january`, ...;
/// * steps: `+ 1 day`, `- 2 hours`, in years, months, weeks, fortnights, days, hours,
///   minutes, seconds or milliseconds (singular or plural).
///
/// The empty expression is `now`. Month steps keep the day where they can (Jan 31 + 1 month
/// is the last day of February).
///
/// ```
/// use shakedown::contract::generator::eval_date_expression;
/// let now = chrono::DateTime::parse_from_rfc3339("2024-01-31T10:30:00+01:00").unwrap();
/// let at = eval_date_expression("today + 1 day @ noon", now).unwrap();
/// assert_eq!(at.to_rfc3339(), "2024-02-01T12:00:00+01:00");
/// assert!(eval_date_expression("the day after", now).is_err());
/// ```
pub fn eval_date_expression(
    expression: &str,
    now: DateTime<FixedOffset>,
) -> Result<DateTime<FixedOffset>, GeneratorError> {
    let bad = |reason: String| bad_expression(expression, reason);
    let expr = parse_expression(expression).map_err(bad)?;
    let at = apply_part(&expr.date, now).map_err(bad)?;
    match &expr.time {
        Some(time) => apply_part(time, at).map_err(bad),
        None => Ok(at),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Word(String),
    Plus,
    Minus,
    At,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Month,
    Day,
    Millisecond,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Anchor {
    Now,
    Days(i64),
    Hour(u32),
    Step(Unit, i64),
    Weekday(Weekday, bool),
    Month(u32, bool),
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Part {
    anchor: Option<Anchor>,
    steps: Vec<(Unit, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
struct Expr {
    date: Part,
    time: Option<Part>,
}

fn tokenize(expr: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = expr.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        let mut take = |first: char, ok: fn(char) -> bool| {
            let mut s = String::from(first);
            while let Some((_, c)) = chars.next_if(|(_, c)| ok(*c)) {
                s.push(c);
            }
            s
        };
        match c {
            c if c.is_whitespace() => {}
            '+' => toks.push(Tok::Plus),
            '-' => toks.push(Tok::Minus),
            '@' => toks.push(Tok::At),
            c if c.is_ascii_digit() => {
                let digits = take(c, |c| c.is_ascii_digit());
                let n = digits
                    .parse()
                    .map_err(|_| format!("the number {digits} is too large"))?;
                toks.push(Tok::Num(n));
            }
            c if c.is_alphabetic() => {
                let word = take(c, |c| c.is_alphabetic() || c == '\'' || c == '’');
                toks.push(Tok::Word(word.to_lowercase().replace('’', "'")));
            }
            c => return Err(format!("unexpected '{c}' at position {pos}")),
        }
    }
    Ok(toks)
}

fn parse_expression(expression: &str) -> Result<Expr, String> {
    let toks = tokenize(expression)?;
    let mut parts = toks.split(|t| *t == Tok::At);
    let date = parse_part(parts.next().unwrap_or(&[]))?;
    let time = match parts.next() {
        Some([]) => return Err("expected a time after '@'".into()),
        Some(toks) => Some(parse_part(toks)?),
        None => None,
    };
    if parts.next().is_some() {
        return Err("more than one '@'".into());
    }
    Ok(Expr { date, time })
}

fn parse_part(toks: &[Tok]) -> Result<Part, String> {
    let mut rest = toks;
    let anchor = parse_anchor(&mut rest)?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        steps.push(parse_step(&mut rest)?);
    }
    Ok(Part { anchor, steps })
}

fn describe(tok: Option<&Tok>) -> String {
    match tok {
        None => "the end".into(),
        Some(Tok::Num(n)) => n.to_string(),
        Some(Tok::Word(w)) => format!("'{w}'"),
        Some(Tok::Plus) => "'+'".into(),
        Some(Tok::Minus) => "'-'".into(),
        Some(Tok::At) => "'@'".into(),
    }
}

fn parse_step(rest: &mut &[Tok]) -> Result<(Unit, i64), String> {
    let sign = match rest.first() {
        Some(Tok::Plus) => 1,
        Some(Tok::Minus) => -1,
        other => return Err(format!("expected '+' or '-' but found {}", describe(other))),
    };
    let Some(Tok::Num(n)) = rest.get(1) else {
        return Err(format!(
            "expected a number after the sign but found {}",
            describe(rest.get(1))
        ));
    };
    let Some((unit, per)) = rest.get(2).and_then(unit_of) else {
        return Err(format!(
            "expected a unit (day, hours, ...) but found {}",
            describe(rest.get(2))
        ));
    };
    *rest = &rest[3..];
    let amount = n.checked_mul(per).ok_or("the amount is too large")?;
    Ok((unit, sign * amount))
}

/// A unit word, as a base unit and how many of it.
fn unit_of(tok: &Tok) -> Option<(Unit, i64)> {
    let Tok::Word(word) = tok else { return None };
    let singular = word.strip_suffix('s').unwrap_or(word);
    Some(match singular {
        "year" => (Unit::Month, 12),
        "month" => (Unit::Month, 1),
        "fortnight" => (Unit::Day, 14),
        "week" => (Unit::Day, 7),
        "day" => (Unit::Day, 1),
        "hour" => (Unit::Millisecond, 3_600_000),
        "minute" => (Unit::Millisecond, 60_000),
        "second" => (Unit::Millisecond, 1000),
        "millisecond" => (Unit::Millisecond, 1),
        _ => return None,
    })
}

fn parse_anchor(rest: &mut &[Tok]) -> Result<Option<Anchor>, String> {
    let (anchor, used) = match rest {
        [Tok::Num(h), Tok::Word(w), more @ ..] if w == "o'clock" => clock(*h, more.first())?,
        [Tok::Num(h), ..] => return Err(format!("expected o'clock after {h}")),
        [Tok::Word(w), next, ..] if w == "next" || w == "last" => (relative(next, w == "next")?, 2),
        [Tok::Word(w), ..] => (named_anchor(w)?, 1),
        _ => return Ok(None),
    };
    *rest = &rest[used..];
    Ok(Some(anchor))
}

fn named_anchor(word: &str) -> Result<Anchor, String> {
    Ok(match word {
        "now" | "today" => Anchor::Now,
        "tomorrow" => Anchor::Days(1),
        "yesterday" => Anchor::Days(-1),
        "midnight" => Anchor::Hour(0),
        "noon" => Anchor::Hour(12),
        "next" | "last" => return Err(format!("expected a unit, day or month after '{word}'")),
        _ => return Err(format!("unknown word '{word}'")),
    })
}

/// `N o'clock [am|pm]`, with how many tokens it takes.
fn clock(hour: i64, suffix: Option<&Tok>) -> Result<(Anchor, usize), String> {
    let twelve = (1..=12).contains(&hour);
    let (hour, used) = match suffix {
        Some(Tok::Word(w)) if w == "am" && twelve => (hour % 12, 3),
        Some(Tok::Word(w)) if w == "pm" && twelve => (hour % 12 + 12, 3),
        Some(Tok::Word(w)) if w == "am" || w == "pm" => {
            return Err(format!("{hour} o'clock {w} is not a time"))
        }
        _ if (0..=23).contains(&hour) => (hour, 2),
        _ => return Err(format!("{hour} o'clock is not a time")),
    };
    Ok((Anchor::Hour(hour as u32), used))
}

fn relative(tok: &Tok, next: bool) -> Result<Anchor, String> {
    let sign = if next { 1 } else { -1 };
    if let Some((unit, per)) = unit_of(tok) {
        return Ok(Anchor::Step(unit, sign * per));
    }
    let Tok::Word(word) = tok else {
        return Err(format!(
            "expected a unit, day or month but found {}",
            describe(Some(tok))
        ));
    };
    if let Some(day) = weekday_of(word) {
        return Ok(Anchor::Weekday(day, next));
    }
    month_of(word)
        .map(|m| Anchor::Month(m, next))
        .ok_or_else(|| format!("expected a unit, day or month but found '{word}'"))
}

fn weekday_of(word: &str) -> Option<Weekday> {
    const DAYS: [(&str, &str, Weekday); 7] = [
        ("mon", "monday", Weekday::Mon),
        ("tue", "tuesday", Weekday::Tue),
        ("wed", "wednesday", Weekday::Wed),
        ("thu", "thursday", Weekday::Thu),
        ("fri", "friday", Weekday::Fri),
        ("sat", "saturday", Weekday::Sat),
        ("sun", "sunday", Weekday::Sun),
    ];
    DAYS.iter()
        .find(|(short, full, _)| word.starts_with(short) && full.starts_with(word))
        .map(|(_, _, d)| *d)
}

fn month_of(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .position(|m| word.len() >= 3 && m.starts_with(word))
        .map(|i| i as u32 + 1)
}

fn apply_part(part: &Part, start: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, String> {
    let mut at = match part.anchor {
        Some(anchor) => apply_anchor(anchor, start)?,
        None => start,
    };
    for (unit, amount) in &part.steps {
        at = shift(at, *unit, *amount)?;
    }
    Ok(at)
}

fn apply_anchor(
    anchor: Anchor,
    at: DateTime<FixedOffset>,
) -> Result<DateTime<FixedOffset>, String> {
    match anchor {
        Anchor::Now => Ok(at),
        Anchor::Days(n) => shift(at, Unit::Day, n),
        Anchor::Step(unit, n) => shift(at, unit, n),
        Anchor::Hour(h) => at_hour(at, h),
        Anchor::Weekday(day, next) => {
            let (a, b) = (
                at.weekday().num_days_from_monday(),
                day.num_days_from_monday(),
            );
            let ahead = if next {
                (b + 7 - a) % 7
            } else {
                (a + 7 - b) % 7
            };
            let days = i64::from(if ahead == 0 { 7 } else { ahead });
            shift(at, Unit::Day, if next { days } else { -days })
        }
        Anchor::Month(month, next) => {
            let current = at.month();
            let ahead = if next {
                (month + 12 - current) % 12
            } else {
                (current + 12 - month) % 12
            };
            let months = i64::from(if ahead == 0 { 12 } else { ahead });
            shift(at, Unit::Month, if next { months } else { -months })
        }
    }
}

fn at_hour(at: DateTime<FixedOffset>, hour: u32) -> Result<DateTime<FixedOffset>, String> {
    let time =
        NaiveTime::from_hms_opt(hour, 0, 0).ok_or_else(|| format!("{hour} is not an hour"))?;
    at.date_naive()
        .and_time(time)
        .and_local_timezone(*at.offset())
        .single()
        .ok_or_else(|| "the result is out of range".to_string())
}

fn shift(
    at: DateTime<FixedOffset>,
    unit: Unit,
    amount: i64,
) -> Result<DateTime<FixedOffset>, String> {
    let out_of_range = || "the result is out of range".to_string();
    match unit {
        Unit::Month => {
            let months =
                Months::new(u32::try_from(amount.unsigned_abs()).map_err(|_| out_of_range())?);
            if amount >= 0 {
                at.checked_add_months(months)
            } else {
                at.checked_sub_months(months)
            }
        }
        Unit::Day => TimeDelta::try_days(amount).and_then(|d| at.checked_add_signed(d)),
        Unit::Millisecond => {
            TimeDelta::try_milliseconds(amount).and_then(|d| at.checked_add_signed(d))
        }
    }
    .ok_or_else(out_of_range)
}

// ---------------------------------------------------------------------------------------------
// Provider state

/// A piece of a provider-state expression: text, or a `${name}` placeholder.
#[derive(Debug, Clone, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Name(&'a str),
}

fn placeholders(expression: &str) -> Result<Vec<Piece<'_>>, GeneratorError> {
    let mut pieces = Vec::new();
    let mut rest = expression;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            return Err(bad_expression(expression, "missing '}' after '${'".into()));
        };
        if start > 0 {
            pieces.push(Piece::Text(&rest[..start]));
        }
        pieces.push(Piece::Name(rest[start + 2..start + 2 + len].trim()));
        rest = &rest[start + 3 + len..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// A value by key, or by a dotted path (`user.id`, `items.0.id`) through objects and arrays.
fn lookup<'v>(state: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    if let Some(v) = state.get(name) {
        return Some(v);
    }
    let (first, path) = name.split_once('.')?;
    path.split('.')
        .try_fold(state.get(first)?, |v, key| match v {
            Value::Object(map) => map.get(key),
            Value::Array(items) => items.get(key.parse::<usize>().ok()?),
            _ => None,
        })
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn provider_state_value(
    expression: &str,
    data_type: DataType,
    state: &Map<String, Value>,
) -> Result<Value, GeneratorError> {
    let missing = |name: &str| GeneratorError::MissingProviderStateValue(name.to_string());
    let raw = match placeholders(expression)?.as_slice() {
        [Piece::Name(name)] => lookup(state, name).ok_or_else(|| missing(name))?.clone(),
        [Piece::Text(text)] => lookup(state, text).cloned().unwrap_or_else(|| json!(text)),
        pieces => {
            let mut out = String::new();
            for piece in pieces {
                match piece {
                    Piece::Text(text) => out.push_str(text),
                    Piece::Name(name) => {
                        out.push_str(&text_of(lookup(state, name).ok_or_else(|| missing(name))?))
                    }
                }
            }
            Value::String(out)
        }
    };
    convert(raw, data_type)
}

fn convert(value: Value, data_type: DataType) -> Result<Value, GeneratorError> {
    let converted = match data_type {
        DataType::Raw => Some(value.clone()),
        DataType::String => Some(Value::String(text_of(&value))),
        DataType::Integer => json_to_i64(&value).map(Value::from),
        DataType::Decimal | DataType::Float => {
            to_f64(&value).and_then(Number::from_f64).map(Value::Number)
        }
        DataType::Boolean => to_bool(&value).map(Value::Bool),
    };
    converted.ok_or_else(|| GeneratorError::Conversion {
        value: value.to_string(),
        data_type: data_type.as_str(),
    })
}

fn to_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn to_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Mock server URL

fn url_regex(regex: &str) -> Result<regex::Regex, GeneratorError> {
    let bad = |reason: String| GeneratorError::BadRegex {
        regex: regex.to_string(),
        reason,
    };
    let re = regex::Regex::new(regex).map_err(|e| bad(e.to_string()))?;
    if re.captures_len() < 2 {
        return Err(bad(
            "it needs a group, e.g. .*(/orders/\\d+)$, for the part after the mock server URL"
                .into(),
        ));
    }
    Ok(re)
}

/// The example with the regex's match replaced by the mock server URL and the first group.
fn mock_server_url(
    example: &str,
    regex: &str,
    url: Option<&str>,
) -> Result<String, GeneratorError> {
    let url = url.ok_or(GeneratorError::NoMockServerUrl)?;
    let re = url_regex(regex)?;
    let caps = re
        .captures(example)
        .ok_or_else(|| GeneratorError::NoMatch {
            regex: regex.to_string(),
            example: example.to_string(),
        })?;
    let (whole, tail) = (caps.get(0), caps.get(1).map_or("", |m| m.as_str()));
    let base = if tail.starts_with('/') {
        url.trim_end_matches('/')
    } else {
        url
    };
    let (start, end) = whole.map_or((0, 0), |m| (m.start(), m.end()));
    Ok(format!(
        "{}{base}{tail}{}",
        &example[..start],
        &example[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::datetime::check_iso;
    use crate::contract::datetime::DateKind;
    use proptest::prelude::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2024-01-31T10:30:15.250+01:00").expect("valid timestamp")
    }

    fn state() -> Map<String, Value> {
        let value = json!({
            "id": 42, "name": "Ann", "price": "9.5", "ok": "true", "user": {"tags": ["a", "b"]}
        });
        value.as_object().cloned().unwrap_or_default()
    }

    fn gen_with(
        g: &Generator,
        current: &Value,
        url: Option<&str>,
        seed: u64,
    ) -> Result<Value, GeneratorError> {
        let state = state();
        let ctx = GeneratorContext {
            provider_state: &state,
            mock_server_url: url,
            now: now(),
        };
        g.generate(current, &ctx, &mut rng_from_seed(seed))
    }

    fn gen(g: &Generator, seed: u64) -> Value {
        gen_with(g, &Value::Null, None, seed).expect("generates")
    }

    fn all_variants() -> Vec<Generator> {
        vec![
            Generator::RandomInt { min: -5, max: 5 },
            Generator::RandomDecimal { digits: 6 },
            Generator::RandomHexadecimal { digits: 8 },
            Generator::RandomString { size: 12 },
            Generator::Regex {
                regex: r"^[A-Z]{3}-\d{4}$".into(),
            },
            Generator::Uuid {
                format: UuidFormat::Urn,
            },
            Generator::Date {
                format: Some("dd/MM/yyyy".into()),
                expression: Some("+ 1 day".into()),
            },
            Generator::Time {
                format: None,
                expression: None,
            },
            Generator::DateTime {
                format: None,
                expression: Some("tomorrow @ noon".into()),
            },
            Generator::RandomBoolean,
            Generator::ProviderState {
                expression: "/orders/${id}".into(),
                data_type: DataType::String,
            },
            Generator::MockServerUrl {
                example: "http://localhost:1234/orders/10".into(),
                regex: r".*(/orders/\d+)$".into(),
            },
        ]
    }

    #[test]
    fn reads_v3_and_v4_shapes() {
        let cases = [
            (
                json!({"type": "RandomInt"}),
                Generator::RandomInt { min: 0, max: 10 },
            ),
            (
                json!({"type": "RandomInt", "min": "-3", "max": 7.0}),
                Generator::RandomInt { min: -3, max: 7 },
            ),
            (
                json!({"type": "RandomDecimal", "digits": "4"}),
                Generator::RandomDecimal { digits: 4 },
            ),
            (
                json!({"type": "RandomHexadecimal"}),
                Generator::RandomHexadecimal { digits: 10 },
            ),
            (
                json!({"type": "RandomString", "size": 3}),
                Generator::RandomString { size: 3 },
            ),
            (
                json!({"type": "Uuid"}),
                Generator::Uuid {
                    format: UuidFormat::LowerCaseHyphenated,
                },
            ),
            (
                json!({"type": "Uuid", "format": "simple"}),
                Generator::Uuid {
                    format: UuidFormat::Simple,
                },
            ),
            (
                json!({"type": "Timestamp", "format": "yyyy"}),
                Generator::DateTime {
                    format: Some("yyyy".into()),
                    expression: None,
                },
            ),
            (
                json!({"type": "ProviderState", "expression": "${id}"}),
                Generator::ProviderState {
                    expression: "${id}".into(),
                    data_type: DataType::Raw,
                },
            ),
            (
                json!({"type": "ProviderState", "expression": "${id}", "dataType": "INTEGER"}),
                Generator::ProviderState {
                    expression: "${id}".into(),
                    data_type: DataType::Integer,
                },
            ),
            (
                json!({"type": "MockServerURL", "example": "http://x/a", "regex": ".*(/a)"}),
                Generator::MockServerUrl {
                    example: "http://x/a".into(),
                    regex: ".*(/a)".into(),
                },
            ),
        ];
        for (value, want) in cases {
            assert_eq!(Generator::from_json(&value), Ok(want), "{value}");
        }
    }

    #[test]
    fn rejects_bad_generators() {
        let bad = |v: Value| Generator::from_json(&v).unwrap_err();
        assert_eq!(
            bad(json!({"type": "Nope"})),
            GeneratorError::UnknownType("Nope".into())
        );
        assert!(matches!(
            bad(json!("RandomInt")),
            GeneratorError::NotAGenerator(_)
        ));
        assert!(matches!(
            bad(json!({"min": 1})),
            GeneratorError::NotAGenerator(_)
        ));
        assert!(matches!(
            bad(json!({"type": "RandomInt", "min": "x"})),
            GeneratorError::BadAttribute { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "RandomInt", "min": 9, "max": 1})),
            GeneratorError::BadAttribute { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "RandomString", "size": -1})),
            GeneratorError::BadAttribute { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "RandomDecimal", "digits": 0})),
            GeneratorError::BadAttribute { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "Regex"})),
            GeneratorError::BadAttribute { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "Regex", "regex": "(a"})),
            GeneratorError::BadRegex { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "Uuid", "format": "weird"})),
            GeneratorError::BadAttribute { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "Date", "format": "yyyy-MM-ddTHH"})),
            GeneratorError::BadFormat { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "Date", "expression": "soon"})),
            GeneratorError::BadExpression { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "ProviderState", "expression": "${id"})),
            GeneratorError::BadExpression { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "ProviderState", "expression": "x", "dataType": "TEXT"})),
            GeneratorError::BadAttribute { .. }
        ));
        assert!(matches!(
            bad(json!({"type": "MockServerURL", "example": "x", "regex": "x"})),
            GeneratorError::BadRegex { .. }
        ));
        let msg = bad(json!({"type": "RandomInt", "min": [1]})).to_string();
        assert_eq!(
            msg,
            "bad RandomInt generator: 'min' must be an integer, got [1]"
        );
    }

    #[test]
    fn writes_canonical_v4_json() {
        let names: Vec<_> = all_variants().iter().map(Generator::type_name).collect();
        assert_eq!(names[11], "MockServerURL");
        assert_eq!(
            Generator::Uuid {
                format: UuidFormat::default()
            }
            .to_json(),
            json!({"type": "Uuid", "format": "lower-case-hyphenated"})
        );
        assert_eq!(
            Generator::ProviderState {
                expression: "${id}".into(),
                data_type: DataType::Raw
            }
            .to_json(),
            json!({"type": "ProviderState", "expression": "${id}", "dataType": "RAW"})
        );
        for g in all_variants() {
            assert_eq!(Generator::from_json(&g.to_json()), Ok(g.clone()));
        }
    }

    #[test]
    fn same_seed_same_values_different_seeds_differ() {
        for g in all_variants() {
            assert_eq!(
                gen_with(&g, &json!(1), Some("http://m"), 9),
                gen_with(&g, &json!(1), Some("http://m"), 9)
            );
        }
        let g = Generator::RandomString { size: 20 };
        assert_ne!(gen(&g, 1), gen(&g, 2));
        let seq = |seed| {
            let mut rng = rng_from_seed(seed);
            let state = state();
            let ctx = GeneratorContext {
                provider_state: &state,
                mock_server_url: None,
                now: now(),
            };
            (0..5)
                .map(|_| {
                    Generator::RandomInt {
                        min: 0,
                        max: 1_000_000,
                    }
                    .generate(&Value::Null, &ctx, &mut rng)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(seq(5), seq(5));
        assert_ne!(seq(5), seq(6));
    }

    #[test]
    fn random_values_keep_their_constraints() {
        for seed in 0..200 {
            let n = gen(&Generator::RandomInt { min: -3, max: 4 }, seed)
                .as_i64()
                .unwrap_or(99);
            assert!((-3..=4).contains(&n));
            let d = gen(&Generator::RandomDecimal { digits: 7 }, seed).to_string();
            assert_eq!(d.chars().filter(char::is_ascii_digit).count(), 7, "{d}");
            assert_eq!(d.matches('.').count(), 1, "{d}");
            let h = text_of(&gen(&Generator::RandomHexadecimal { digits: 9 }, seed));
            assert!(
                h.len() == 9 && h.chars().all(|c| c.is_ascii_hexdigit()),
                "{h}"
            );
            let s = text_of(&gen(&Generator::RandomString { size: 11 }, seed));
            assert!(
                s.len() == 11 && s.chars().all(|c| c.is_ascii_alphanumeric()),
                "{s}"
            );
            assert!(gen(&Generator::RandomBoolean, seed).is_boolean());
        }
        assert_eq!(gen(&Generator::RandomInt { min: 7, max: 7 }, 0), json!(7));
        assert!(gen(
            &Generator::RandomInt {
                min: i64::MIN,
                max: i64::MAX
            },
            0
        )
        .is_i64());
        assert_eq!(
            gen(&Generator::RandomDecimal { digits: 1 }, 0)
                .to_string()
                .len(),
            1
        );
        assert!(gen(&Generator::RandomDecimal { digits: 30 }, 0)
            .as_str()
            .is_some_and(|s| s.len() == 31));
    }

    #[test]
    fn keeps_string_examples_as_strings() {
        let v = gen_with(
            &Generator::RandomInt { min: 1, max: 1 },
            &json!("5"),
            None,
            0,
        );
        assert_eq!(v, Ok(json!("1")));
        let v = gen_with(&Generator::RandomBoolean, &json!("true"), None, 0).unwrap_or_default();
        assert!(v == json!("true") || v == json!("false"));
        assert!(gen_with(
            &Generator::RandomDecimal { digits: 4 },
            &json!("1.0"),
            None,
            0
        )
        .unwrap_or_default()
        .is_string());
    }

    #[test]
    fn regex_values_match() {
        let regexes = [
            r"^[A-Z]{3}-\d{4}$",
            r"\d+",
            r"(red|green|blue)",
            r"\w+@\w+\.com",
            r"[^a-z]{5}",
            r".*",
            r"^\bword\b$",
            r"(?i)abc",
            r"\p{Greek}{2}",
            r"[\t\n]x",
        ];
        for regex in regexes {
            let whole = regex::Regex::new(&format!("^(?:{regex})$")).unwrap();
            for seed in 0..50 {
                let g = Generator::Regex {
                    regex: regex.into(),
                };
                let v = text_of(&gen(&g, seed));
                assert!(whole.is_match(&v), "{regex} generated {v:?}");
            }
        }
        let g = Generator::Regex {
            regex: "a^b".into(),
        };
        assert!(matches!(
            gen_with(&g, &Value::Null, None, 0),
            Err(GeneratorError::BadRegex { .. })
        ));
    }

    #[test]
    fn uuids_in_each_format() {
        for seed in 0..50 {
            let simple = text_of(&gen(
                &Generator::Uuid {
                    format: UuidFormat::Simple,
                },
                seed,
            ));
            assert!(
                simple.len() == 32
                    && simple
                        .chars()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
            );
            let lower = text_of(&gen(
                &Generator::Uuid {
                    format: UuidFormat::LowerCaseHyphenated,
                },
                seed,
            ));
            assert!(
                lower.len() == 36
                    && lower == lower.to_lowercase()
                    && uuid::Uuid::parse_str(&lower).is_ok()
            );
            let upper = text_of(&gen(
                &Generator::Uuid {
                    format: UuidFormat::UpperCaseHyphenated,
                },
                seed,
            ));
            assert!(
                upper.len() == 36
                    && upper == upper.to_uppercase()
                    && uuid::Uuid::parse_str(&upper).is_ok()
            );
            let urn = text_of(&gen(
                &Generator::Uuid {
                    format: UuidFormat::Urn,
                },
                seed,
            ));
            assert!(urn.starts_with("urn:uuid:") && uuid::Uuid::parse_str(&urn).is_ok());
            assert_eq!(
                uuid::Uuid::parse_str(&simple).map(|u| u.get_version_num()),
                Ok(4)
            );
        }
    }

    #[test]
    fn dates_check_against_their_format() {
        let cases = [
            (
                Generator::Date {
                    format: None,
                    expression: None,
                },
                "2024-01-31",
            ),
            (
                Generator::Time {
                    format: None,
                    expression: Some("+ 2 hours".into()),
                },
                "12:30:15",
            ),
            (
                Generator::DateTime {
                    format: None,
                    expression: Some("now + 1 day - 2 hours".into()),
                },
                "2024-02-01T08:30:15",
            ),
            (
                Generator::DateTime {
                    format: Some("yyyy-MM-dd'T'HH:mm:ss.SSSXXX".into()),
                    expression: None,
                },
                "2024-01-31T10:30:15.250+01:00",
            ),
            (
                Generator::Date {
                    format: Some("EEE, d MMM yyyy".into()),
                    expression: Some("next monday".into()),
                },
                "Mon, 5 Feb 2024",
            ),
        ];
        for (g, want) in cases {
            let v = text_of(&gen(&g, 0));
            assert_eq!(v, want);
            let (format, default) = match &g {
                Generator::Date { format, .. } => (format, DEFAULT_DATE),
                Generator::Time { format, .. } => (format, DEFAULT_TIME),
                Generator::DateTime { format, .. } => (format, DEFAULT_DATETIME),
                _ => (&None, ""),
            };
            let pattern = DateTimePattern::parse(format.as_deref().unwrap_or(default)).unwrap();
            assert_eq!(pattern.check(&v), Ok(()), "{v}");
        }
        assert_eq!(
            check_iso(DateKind::DateTime, &text_of(&gen(&all_variants()[8], 0))),
            Ok(())
        );
    }

    #[test]
    fn date_expressions() {
        let eval = |e: &str| {
            eval_date_expression(e, now()).map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        };
        let cases = [
            ("", "2024-01-31 10:30:15.250"),
            ("now", "2024-01-31 10:30:15.250"),
            ("today", "2024-01-31 10:30:15.250"),
            ("tomorrow", "2024-02-01 10:30:15.250"),
            ("yesterday", "2024-01-30 10:30:15.250"),
            ("+ 1 day", "2024-02-01 10:30:15.250"),
            ("- 2 hours", "2024-01-31 08:30:15.250"),
            ("+1 month", "2024-02-29 10:30:15.250"),
            ("next week", "2024-02-07 10:30:15.250"),
            ("last month", "2023-12-31 10:30:15.250"),
            ("next fortnight", "2024-02-14 10:30:15.250"),
            ("last year + 2 days", "2023-02-02 10:30:15.250"),
            ("next Wednesday", "2024-02-07 10:30:15.250"),
            ("last wed", "2024-01-24 10:30:15.250"),
            ("next jan", "2025-01-31 10:30:15.250"),
            ("last march", "2023-03-31 10:30:15.250"),
            ("@ 10 o'clock", "2024-01-31 10:00:00.000"),
            ("@ 3 o'clock pm", "2024-01-31 15:00:00.000"),
            ("@ 12 o'clock am", "2024-01-31 00:00:00.000"),
            ("today + 1 day @ noon", "2024-02-01 12:00:00.000"),
            ("midnight", "2024-01-31 00:00:00.000"),
            (
                "noon + 30 minutes - 5 seconds + 7 milliseconds",
                "2024-01-31 12:29:55.007",
            ),
            ("now + 1 day - 2 hours", "2024-02-01 08:30:15.250"),
            ("NOW + 1 DAY", "2024-02-01 10:30:15.250"),
            ("tomorrow @ midnight + 1 hour", "2024-02-01 01:00:00.000"),
        ];
        for (expr, want) in cases {
            assert_eq!(eval(expr).as_deref(), Ok(want), "{expr}");
        }
        for bad in [
            "soon",
            "noon pm",
            "10 o'clock + am",
            "+ 1",
            "+ 1 dayz",
            "1 day",
            "@",
            "today @ noon @ noon",
            "next",
            "next blue",
            "25 o'clock",
            "13 o'clock pm",
            "now + 99999999999 years",
            "today ! 1",
            "+ 99999999999999999999 days",
        ] {
            assert!(
                matches!(
                    eval_date_expression(bad, now()),
                    Err(GeneratorError::BadExpression { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn provider_state_values() {
        let ps = |e: &str, t| {
            gen_with(
                &Generator::ProviderState {
                    expression: e.into(),
                    data_type: t,
                },
                &Value::Null,
                None,
                0,
            )
        };
        assert_eq!(ps("${id}", DataType::Raw), Ok(json!(42)));
        assert_eq!(ps("id", DataType::Raw), Ok(json!(42)));
        assert_eq!(ps("/orders/${id}", DataType::Raw), Ok(json!("/orders/42")));
        assert_eq!(ps("${ name }-${id}", DataType::String), Ok(json!("Ann-42")));
        assert_eq!(ps("${id}", DataType::String), Ok(json!("42")));
        assert_eq!(ps("${user.tags.1}", DataType::Raw), Ok(json!("b")));
        assert_eq!(ps("${price}", DataType::Decimal), Ok(json!(9.5)));
        assert_eq!(ps("${id}", DataType::Float), Ok(json!(42.0)));
        assert_eq!(ps("${ok}", DataType::Boolean), Ok(json!(true)));
        assert_eq!(ps("1${id}", DataType::Integer), Ok(json!(142)));
        assert_eq!(ps("plain text", DataType::Raw), Ok(json!("plain text")));
        assert_eq!(
            ps("${missing}", DataType::Raw),
            Err(GeneratorError::MissingProviderStateValue("missing".into()))
        );
        assert!(matches!(
            ps("${name}", DataType::Integer),
            Err(GeneratorError::Conversion {
                data_type: "INTEGER",
                ..
            })
        ));
        assert!(matches!(
            ps("${name}", DataType::Boolean),
            Err(GeneratorError::Conversion { .. })
        ));
    }

    #[test]
    fn mock_server_urls() {
        let g = |example: &str, regex: &str| Generator::MockServerUrl {
            example: example.into(),
            regex: regex.into(),
        };
        let orders = g("http://localhost:1234/orders/10", r".*(/orders/\d+)$");
        assert_eq!(
            gen_with(&orders, &Value::Null, Some("http://127.0.0.1:5555"), 0),
            Ok(json!("http://127.0.0.1:5555/orders/10"))
        );
        assert_eq!(
            gen_with(&orders, &Value::Null, Some("http://127.0.0.1:5555/"), 0),
            Ok(json!("http://127.0.0.1:5555/orders/10"))
        );
        assert_eq!(
            gen_with(&orders, &Value::Null, None, 0),
            Err(GeneratorError::NoMockServerUrl)
        );
        let link = g("see http://x:1/a/b now", r"http://[^/]+(/\S+)");
        assert_eq!(
            gen_with(&link, &Value::Null, Some("http://m:2"), 0),
            Ok(json!("see http://m:2/a/b now"))
        );
        let nomatch = g("ftp://x", r"http://.*(/x)");
        assert!(matches!(
            gen_with(&nomatch, &Value::Null, Some("http://m"), 0),
            Err(GeneratorError::NoMatch { .. })
        ));
    }

    const REGEXES: &[&str] = &[
        r"\d{3}",
        r"^[a-f0-9]{8}$",
        "(foo|bar)+",
        r"[A-Z][a-z]*\s\w+",
    ];
    const FORMATS: &[&str] = &[
        "yyyy-MM-dd",
        "HH:mm:ss.SSS",
        "EEE, dd MMM yyyy HH:mm:ss zzz",
        "MM/dd/yyyy hh:mm a",
    ];
    const EXPRESSIONS: &[&str] = &[
        "now",
        "today + 1 day",
        "@ noon",
        "next month - 2 hours",
        "last friday @ 9 o'clock am",
    ];

    fn arb_generator() -> impl Strategy<Value = Generator> {
        let opt_format = proptest::option::of(prop::sample::select(FORMATS).prop_map(String::from));
        let opt_expr =
            proptest::option::of(prop::sample::select(EXPRESSIONS).prop_map(String::from));
        let dates =
            (0..3usize, opt_format, opt_expr).prop_map(|(kind, format, expression)| match kind {
                0 => Generator::Date { format, expression },
                1 => Generator::Time { format, expression },
                _ => Generator::DateTime { format, expression },
            });
        let uuid = prop::sample::select(vec![
            UuidFormat::Simple,
            UuidFormat::LowerCaseHyphenated,
            UuidFormat::UpperCaseHyphenated,
            UuidFormat::Urn,
        ]);
        let data_type = prop::sample::select(vec![
            DataType::String,
            DataType::Integer,
            DataType::Decimal,
            DataType::Float,
            DataType::Boolean,
            DataType::Raw,
        ]);
        prop_oneof![
            (any::<i64>(), any::<i64>()).prop_map(|(a, b)| Generator::RandomInt {
                min: a.min(b),
                max: a.max(b)
            }),
            (1..=MAX_SIZE).prop_map(|digits| Generator::RandomDecimal { digits }),
            (0..=MAX_SIZE).prop_map(|digits| Generator::RandomHexadecimal { digits }),
            (0..=MAX_SIZE).prop_map(|size| Generator::RandomString { size }),
            prop::sample::select(REGEXES).prop_map(|r| Generator::Regex { regex: r.into() }),
            uuid.prop_map(|format| Generator::Uuid { format }),
            dates,
            Just(Generator::RandomBoolean),
            ("[a-z/]{0,5}(\\$\\{[a-z.]{0,6}\\})?[a-z/]{0,5}", data_type).prop_map(
                |(expression, data_type)| Generator::ProviderState {
                    expression,
                    data_type
                }
            ),
            (
                "\\PC{0,20}",
                prop::sample::select(vec![r".*(/orders/\d+)$", "(.*)", r"https?://[^/]+(/.*)"])
            )
                .prop_map(|(example, regex)| Generator::MockServerUrl {
                    example,
                    regex: regex.into()
                }),
        ]
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
            prop::sample::select(REGEXES).prop_map(Value::from),
        ];
        leaf.prop_recursive(2, 8, 4, |inner| {
            prop::collection::vec(inner, 0..3).prop_map(Value::from)
        })
    }

    const TYPES: &[&str] = &[
        "RandomInt",
        "RandomDecimal",
        "RandomHexadecimal",
        "RandomString",
        "Regex",
        "Uuid",
        "Date",
        "Time",
        "DateTime",
        "RandomBoolean",
        "ProviderState",
        "MockServerURL",
        "Other",
    ];
    const KEYS: &[&str] = &[
        "min",
        "max",
        "digits",
        "size",
        "regex",
        "format",
        "expression",
        "dataType",
        "example",
    ];

    /// Keeps generated sizes small, so that the property runs stay quick.
    fn small(g: Generator) -> Generator {
        match g {
            Generator::RandomDecimal { digits } => Generator::RandomDecimal {
                digits: digits % 40 + 1,
            },
            Generator::RandomHexadecimal { digits } => Generator::RandomHexadecimal {
                digits: digits % 40,
            },
            Generator::RandomString { size } => Generator::RandomString { size: size % 40 },
            other => other,
        }
    }

    proptest! {
        #[test]
        fn json_round_trips(g in arb_generator()) {
            prop_assert_eq!(Generator::from_json(&g.to_json()), Ok(g.clone()));
        }

        #[test]
        fn from_json_never_panics(
            ty in prop::sample::select(TYPES),
            attrs in prop::collection::btree_map(prop::sample::select(KEYS), arb_json(), 0..4),
        ) {
            let mut obj: Map<String, Value> =
                attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            obj.insert("type".into(), json!(ty));
            if let Ok(g) = Generator::from_json(&Value::Object(obj)) {
                prop_assert_eq!(Generator::from_json(&g.to_json()), Ok(g.clone()));
                let _ = gen_with(&g, &json!("x"), Some("http://m"), 1);
            }
        }

        #[test]
        fn expressions_never_panic(
            expr in "[a-z0-9 +@'-]{0,30}",
            secs in -8_000_000_000i64..8_000_000_000,
        ) {
            let at = DateTime::from_timestamp(secs, 0).unwrap_or_default().fixed_offset();
            let _ = eval_date_expression(&expr, at);
        }

        #[test]
        fn generated_values_meet_constraints(g in arb_generator(), seed in any::<u64>()) {
            let g = small(g);
            let value = gen_with(&g, &Value::Null, Some("http://m"), seed);
            match (&g, value) {
                (Generator::RandomInt { min, max }, Ok(v)) => {
                    prop_assert!(v.as_i64().is_some_and(|n| (*min..=*max).contains(&n)))
                }
                (Generator::Regex { regex }, Ok(v)) => {
                    let whole = regex::Regex::new(&format!("^(?:{regex})$")).unwrap();
                    prop_assert!(whole.is_match(&text_of(&v)));
                }
                (Generator::Date { format, .. }, Ok(v)) => {
                    let pattern = DateTimePattern::parse(format.as_deref().unwrap_or(DEFAULT_DATE));
                    prop_assert_eq!(pattern.unwrap().check(&text_of(&v)), Ok(()));
                }
                (Generator::ProviderState { .. } | Generator::MockServerUrl { .. }, _) => {}
                (_, v) => prop_assert!(v.is_ok()),
            }
        }
    }
}
