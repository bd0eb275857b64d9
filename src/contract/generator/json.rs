//! The Pact V3/V4 JSON form of a generator: reading (numbers may be numeric strings) and the
//! canonical V4 writer.

use serde_json::{json, Map, Value};

use super::error::GeneratorError;
use super::model::{DataType, Generator, UuidFormat, MAX_SIZE};

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
pub(super) fn json_to_i64(value: &Value) -> Option<i64> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::generator::fixtures::{all_variants, arb_generator, gen_with, REGEXES};
    use proptest::prelude::*;

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

    }
}
