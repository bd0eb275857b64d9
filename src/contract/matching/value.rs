//! Applying one matching rule, or a list of them, to a single value.

use serde_json::Value;

use crate::contract::datetime::{check_iso, DateKind, DateTimePattern};
use crate::contract::rules::{Logic, MatchingRule, RuleList};

/// A rule that did not hold, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFailure {
    /// The rule, as displayed to people.
    pub rule: String,
    /// Why it failed.
    pub reason: String,
}

/// Applies a rule list (AND or OR) to `actual`, with `expected` as the example. Container-only
/// rules (values, eachKey, eachValue, arrayContains) are left to the tree walkers and pass here.
pub fn check_rules(
    list: &RuleList,
    expected: &Value,
    actual: &Value,
) -> Result<(), Vec<RuleFailure>> {
    let mut failures = Vec::new();
    for rule in &list.rules {
        match check_rule(rule, expected, actual) {
            Ok(()) if list.logic == Logic::Or => return Ok(()),
            Ok(()) => {}
            Err(reason) => failures.push(RuleFailure {
                rule: rule.to_string(),
                reason,
            }),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

/// Applies a rule list to text (a header, query value, path or metadata string): numbers and
/// booleans written as text count as numbers and booleans.
pub fn check_text_rules(
    list: &RuleList,
    expected: &str,
    actual: &str,
) -> Result<(), Vec<RuleFailure>> {
    let typed_rules = list.rules.iter().any(|r| {
        matches!(
            r,
            MatchingRule::Integer
                | MatchingRule::Decimal
                | MatchingRule::Number
                | MatchingRule::Boolean
        )
    });
    let as_value = |s: &str| -> Value {
        match serde_json::from_str::<Value>(s) {
            Ok(v @ (Value::Number(_) | Value::Bool(_))) if typed_rules => v,
            _ => Value::String(s.to_string()),
        }
    };
    check_rules(list, &as_value(expected), &as_value(actual))
}

/// A short rendering of a value for messages.
pub fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// The JSON type's name, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "decimal",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Equality, with numbers compared by value (`1` equals `1.0`).
pub fn values_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => {
            match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => x == y,
                _ => a.as_f64() == b.as_f64(),
            }
        }
        _ => expected == actual,
    }
}

fn same_type(expected: &Value, actual: &Value) -> bool {
    matches!(
        (expected, actual),
        (Value::Null, Value::Null)
            | (Value::Bool(_), Value::Bool(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::String(_), Value::String(_))
            | (Value::Array(_), Value::Array(_))
            | (Value::Object(_), Value::Object(_))
    )
}

fn as_text(actual: &Value) -> Result<String, String> {
    match actual {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!(
            "expected a string value but found {}",
            type_name(other)
        )),
    }
}

/// Applies one rule.
pub fn check_rule(rule: &MatchingRule, expected: &Value, actual: &Value) -> Result<(), String> {
    use MatchingRule as R;
    match rule {
        R::Equality if values_equal(expected, actual) => Ok(()),
        R::Equality => Err(format!(
            "expected {} to equal {}",
            show(actual),
            show(expected)
        )),
        R::Regex(p) => {
            let text = as_text(actual)?;
            let matched = p
                .check(&text)
                .map_err(|over| format!("regex '{}' on {}: {over}", p.source(), show(actual)))?;
            ok_if(matched, || {
                format!("expected {} to match regex '{}'", show(actual), p.source())
            })
        }
        R::Type { min, max } => check_type(expected, actual, *min, *max),
        R::Include(needle) => {
            let text = as_text(actual)?;
            ok_if(text.contains(needle.as_str()), || {
                format!("expected {} to include {needle:?}", show(actual))
            })
        }
        R::Integer => ok_if(actual.is_i64() || actual.is_u64(), || {
            expected_kind("an integer", actual)
        }),
        R::Decimal => ok_if(actual.is_f64(), || {
            expected_kind("a decimal number", actual)
        }),
        R::Number => ok_if(actual.is_number(), || expected_kind("a number", actual)),
        R::Boolean => ok_if(
            actual.is_boolean() || matches!(actual.as_str(), Some("true" | "false")),
            || expected_kind("a boolean", actual),
        ),
        R::Null => ok_if(actual.is_null(), || expected_kind("null", actual)),
        R::Date(f) => check_date(DateKind::Date, f.as_ref(), actual),
        R::Time(f) => check_date(DateKind::Time, f.as_ref(), actual),
        R::Timestamp(f) => check_date(DateKind::DateTime, f.as_ref(), actual),
        R::StatusCode(class) => {
            let ok = actual
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .is_some_and(|s| class.contains(s));
            ok_if(ok, || {
                format!("expected a status in {rule} but found {}", show(actual))
            })
        }
        R::NotEmpty => check_not_empty(actual),
        R::Semver => {
            let text = as_text(actual)?;
            semver::Version::parse(&text)
                .map(|_| ())
                .map_err(|e| format!("expected {} to be a semantic version: {e}", show(actual)))
        }
        R::ContentType(_) | R::Values | R::ArrayContains(_) | R::EachKey(_) | R::EachValue(_) => {
            Ok(())
        }
    }
}

fn ok_if(ok: bool, reason: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(reason())
    }
}

fn expected_kind(what: &str, actual: &Value) -> String {
    format!(
        "expected {what} but found {} {}",
        type_name(actual),
        show(actual)
    )
}

fn check_type(
    expected: &Value,
    actual: &Value,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<(), String> {
    if !same_type(expected, actual) {
        return Err(format!(
            "expected a value of type {} (like {}) but found {} {}",
            type_name(expected),
            show(expected),
            type_name(actual),
            show(actual)
        ));
    }
    let (len, what) = match actual {
        Value::Array(items) => (items.len(), "an array of"),
        Value::Object(map) => (map.len(), "an object with"),
        _ => return Ok(()),
    };
    let unit = if what.starts_with("an array") {
        "elements"
    } else {
        "entries"
    };
    if let Some(min) = min.filter(|m| len < *m) {
        return Err(format!(
            "expected {what} at least {min} {unit} but found {len}"
        ));
    }
    if let Some(max) = max.filter(|m| len > *m) {
        return Err(format!(
            "expected {what} at most {max} {unit} but found {len}"
        ));
    }
    Ok(())
}

fn check_date(
    kind: DateKind,
    format: Option<&DateTimePattern>,
    actual: &Value,
) -> Result<(), String> {
    let text = as_text(actual)?;
    match format {
        None => check_iso(kind, &text),
        Some(f) => f.check(&text),
    }
    .map_err(|reason| {
        let name = format.map_or("ISO-8601", DateTimePattern::source);
        format!(
            "expected {} to be a date/time in {name}: {reason}",
            show(actual)
        )
    })
}

fn check_not_empty(actual: &Value) -> Result<(), String> {
    let empty = match actual {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    ok_if(!empty, || {
        format!("expected a non-empty value but found {}", show(actual))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::rules::{rule_from_json, Pattern, StatusClass};
    use proptest::prelude::*;
    use serde_json::json;

    fn rule(v: Value) -> MatchingRule {
        rule_from_json(&v).unwrap()
    }

    #[test]
    fn type_rule_checks_kind_and_bounds() {
        let r = MatchingRule::Type {
            min: Some(2),
            max: Some(3),
        };
        assert!(check_rule(&r, &json!([1]), &json!([1, 2])).is_ok());
        assert!(check_rule(&r, &json!([1]), &json!([1])).is_err());
        assert!(check_rule(&r, &json!([1]), &json!([1, 2, 3, 4])).is_err());
        assert!(check_rule(&r, &json!("a"), &json!(1)).is_err());
        assert!(check_rule(&r, &json!(1), &json!(2.5)).is_ok());
        assert!(
            check_rule(&r, &json!({}), &json!({"a": 1})).is_err(),
            "bounds apply to maps too"
        );
        assert!(check_rule(&r, &json!({}), &json!({"a": 1, "b": 2})).is_ok());
    }

    #[test]
    fn numeric_rules() {
        assert!(check_rule(&MatchingRule::Integer, &json!(1), &json!(42)).is_ok());
        assert!(check_rule(&MatchingRule::Integer, &json!(1), &json!(4.2)).is_err());
        assert!(check_rule(&MatchingRule::Decimal, &json!(1.5), &json!(4.2)).is_ok());
        assert!(check_rule(&MatchingRule::Decimal, &json!(1.5), &json!(4)).is_err());
        assert!(check_rule(&MatchingRule::Number, &json!(1), &json!("4")).is_err());
        assert!(check_text_rules(&RuleList::single(MatchingRule::Integer), "1", "12").is_ok());
        assert!(check_text_rules(&RuleList::single(MatchingRule::Integer), "1", "1x").is_err());
    }

    #[test]
    fn regex_is_whole_value() {
        let r = MatchingRule::Regex(Pattern::new("\\d+").unwrap());
        assert!(check_rule(&r, &json!("1"), &json!("123")).is_ok());
        assert!(check_rule(&r, &json!("1"), &json!("a123")).is_err());
        assert!(check_rule(&r, &json!("1"), &json!(123)).is_ok());
        assert!(check_rule(&r, &json!("1"), &json!({})).is_err());
    }

    #[test]
    fn other_leaf_rules() {
        assert!(check_rule(
            &rule(json!({"match": "include", "value": "ell"})),
            &json!(""),
            &json!("hello")
        )
        .is_ok());
        assert!(check_rule(&MatchingRule::Null, &json!(null), &json!(0)).is_err());
        assert!(check_rule(&MatchingRule::Boolean, &json!(true), &json!(false)).is_ok());
        assert!(check_rule(&MatchingRule::NotEmpty, &json!("x"), &json!("")).is_err());
        assert!(check_rule(&MatchingRule::NotEmpty, &json!([1]), &json!([2])).is_ok());
        assert!(check_rule(
            &MatchingRule::Semver,
            &json!("1.0.0"),
            &json!("2.10.3-rc.1")
        )
        .is_ok());
        assert!(check_rule(&MatchingRule::Semver, &json!("1.0.0"), &json!("2.10")).is_err());
        let status = MatchingRule::StatusCode(StatusClass::Success);
        assert!(check_rule(&status, &json!(200), &json!(204)).is_ok());
        assert!(check_rule(&status, &json!(200), &json!(404)).is_err());
        let date = rule(json!({"match": "date", "format": "yyyy-MM-dd"}));
        assert!(check_rule(&date, &json!(""), &json!("2024-02-29")).is_ok());
        assert!(check_rule(&date, &json!(""), &json!("2023-02-29")).is_err());
        assert!(check_rule(
            &MatchingRule::Timestamp(None),
            &json!(""),
            &json!("2024-01-02T03:04:05Z")
        )
        .is_ok());
    }

    #[test]
    fn or_passes_when_one_rule_holds() {
        let list = RuleList {
            rules: vec![MatchingRule::Null, MatchingRule::Integer],
            logic: Logic::Or,
        };
        assert!(check_rules(&list, &json!(1), &json!(5)).is_ok());
        assert!(check_rules(&list, &json!(1), &json!("x")).is_err());
        let and = RuleList {
            logic: Logic::And,
            ..list
        };
        assert_eq!(
            check_rules(&and, &json!(1), &json!(5)).unwrap_err().len(),
            1
        );
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            ".{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-c]{1,2}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn no_rule_panics_on_any_value(e in arb_json(), a in arb_json(), text in ".{0,12}") {
            let rules = [
                json!({"match": "regex", "regex": ".*"}), json!({"match": "type", "min": 1, "max": 2}),
                json!({"match": "include", "value": "a"}), json!({"match": "integer"}),
                json!({"match": "decimal"}), json!({"match": "number"}), json!({"match": "boolean"}),
                json!({"match": "null"}), json!({"match": "date"}), json!({"match": "time", "format": "HH:mm"}),
                json!({"match": "timestamp", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}),
                json!({"match": "statusCode", "status": "error"}), json!({"match": "notEmpty"}),
                json!({"match": "semver"}), json!({"match": "equality"}),
            ];
            for r in rules {
                let r = rule(r);
                let _ = check_rule(&r, &e, &a);
                let _ = check_text_rules(&RuleList::single(r), &text, &text);
            }
        }
    }
}
