//! Test fixtures shared by the generator tests: a fixed time and provider state, one of each
//! generator, and a proptest strategy over all of them.

use chrono::{DateTime, FixedOffset};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::{
    rng_from_seed, DataType, Generator, GeneratorContext, GeneratorError, UuidFormat, MAX_SIZE,
};

pub(super) fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2024-01-31T10:30:15.250+01:00").expect("valid timestamp")
}

pub(super) fn state() -> Map<String, Value> {
    let value = json!({
        "id": 42, "name": "Ann", "price": "9.5", "ok": "true", "user": {"tags": ["a", "b"]}
    });
    value.as_object().cloned().unwrap_or_default()
}

pub(super) fn gen_with(
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

pub(super) fn gen(g: &Generator, seed: u64) -> Value {
    gen_with(g, &Value::Null, None, seed).expect("generates")
}

pub(super) fn all_variants() -> Vec<Generator> {
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

pub(super) const REGEXES: &[&str] = &[
    r"\d{3}",
    r"^[a-f0-9]{8}$",
    "(foo|bar)+",
    r"[A-Z][a-z]*\s\w+",
];
pub(super) const FORMATS: &[&str] = &[
    "yyyy-MM-dd",
    "HH:mm:ss.SSS",
    "EEE, dd MMM yyyy HH:mm:ss zzz",
    "MM/dd/yyyy hh:mm a",
];
pub(super) const EXPRESSIONS: &[&str] = &[
    "now",
    "today + 1 day",
    "@ noon",
    "next month - 2 hours",
    "last friday @ 9 o'clock am",
];

pub(super) fn arb_generator() -> impl Strategy<Value = Generator> {
    let opt_format = proptest::option::of(prop::sample::select(FORMATS).prop_map(String::from));
    let opt_expr = proptest::option::of(prop::sample::select(EXPRESSIONS).prop_map(String::from));
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
    let data_type = prop::sample::select(DataType::ALL.to_vec());
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
