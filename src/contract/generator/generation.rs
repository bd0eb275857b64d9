//! Generating a value: what a generator may draw on (GeneratorContext), the seeded RNG, and
//! the dispatch to each kind of value.

use chrono::{DateTime, FixedOffset};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{json, Map, Value};

use super::date::date_value;
use super::error::GeneratorError;
use super::mock_server_url::mock_server_url;
use super::model::Generator;
use super::provider_state::provider_state_value;
use super::random::{decimal_value, random_chars, random_decimal, random_uuid, ALPHANUMERIC, HEX};
use super::regex_sample::random_matching;
use crate::contract::datetime::{DEFAULT_DATE, DEFAULT_DATETIME, DEFAULT_TIME};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::datetime::DateTimePattern;
    use crate::contract::generator::fixtures::{
        all_variants, arb_generator, gen, gen_with, now, state,
    };
    use crate::contract::generator::provider_state::text_of;
    use proptest::prelude::*;

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
