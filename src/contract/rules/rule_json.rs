//! One rule's JSON form, shared by every layout: reading any version's form (V2's implicit
//! `{"regex": ..}` too) and writing the canonical V4 one.

use serde_json::{json, Map, Value};

use super::category;
use super::error::RuleError;
use super::pattern::Pattern;
use super::rule::{ArrayVariant, MatchingRule};
use super::rule_category::RuleCategory;
use super::rule_list::{Logic, RuleList};
use super::status::StatusClass;
use super::v3::{category_to_json, read_v3_category};
use crate::contract::datetime::DateTimePattern;

/// Reads one rule in any version's form (`{"match": "regex", "regex": ".."}`, V2's implicit
/// `{"regex": ".."}` and `{"min": 1}`).
pub fn rule_from_json(value: &Value) -> Result<MatchingRule, RuleError> {
    let obj = value
        .as_object()
        .ok_or_else(|| RuleError::Shape("a rule object".into()))?;
    let name = match obj.get("match").and_then(Value::as_str) {
        Some(n) => n,
        None if obj.contains_key("regex") => "regex",
        None if obj.contains_key("min") || obj.contains_key("max") => "type",
        None => return Err(RuleError::Shape("a rule with a `match` attribute".into())),
    };
    named_rule(name, obj)
}

fn named_rule(name: &str, obj: &Map<String, Value>) -> Result<MatchingRule, RuleError> {
    use MatchingRule as R;
    Ok(match name {
        "equality" => R::Equality,
        "regex" => R::Regex(pattern(attr_str(obj, name, "regex")?)?),
        "type" | "min" | "max" => R::Type {
            min: attr_usize(obj, name, "min")?,
            max: attr_usize(obj, name, "max")?,
        },
        "include" => R::Include(attr_str(obj, name, "value")?.to_string()),
        "integer" => R::Integer,
        "decimal" | "real" => R::Decimal,
        "number" => R::Number,
        "boolean" => R::Boolean,
        "null" => R::Null,
        "date" => R::Date(format_attr(obj, name)?),
        "time" => R::Time(format_attr(obj, name)?),
        "timestamp" | "datetime" => R::Timestamp(format_attr(obj, name)?),
        "contentType" => R::ContentType(attr_str(obj, name, "value")?.to_string()),
        "values" => R::Values,
        "arrayContains" => R::ArrayContains(variants(obj)?),
        "statusCode" => R::StatusCode(
            obj.get("status")
                .and_then(StatusClass::from_json)
                .ok_or_else(|| RuleError::BadAttribute {
                    matcher: name.into(),
                    expected: "`status`: a status class name or an array of codes".into(),
                })?,
        ),
        "notEmpty" => R::NotEmpty,
        "semver" => R::Semver,
        "eachKey" => R::EachKey(nested_rules(obj, name)?),
        "eachValue" => R::EachValue(nested_rules(obj, name)?),
        other => return Err(RuleError::UnknownMatcher(other.to_string())),
    })
}

fn nested_rules(obj: &Map<String, Value>, name: &str) -> Result<RuleList, RuleError> {
    let rules =
        obj.get("rules")
            .and_then(Value::as_array)
            .ok_or_else(|| RuleError::BadAttribute {
                matcher: name.into(),
                expected: "`rules`: an array of rules".into(),
            })?;
    Ok(RuleList {
        rules: rules.iter().map(rule_from_json).collect::<Result<_, _>>()?,
        logic: Logic::And,
    })
}

fn variants(obj: &Map<String, Value>) -> Result<Vec<ArrayVariant>, RuleError> {
    let bad = || RuleError::BadAttribute {
        matcher: "arrayContains".into(),
        expected: "`variants`: an array of {index, rules}".into(),
    };
    let list = obj
        .get("variants")
        .and_then(Value::as_array)
        .ok_or_else(bad)?;
    list.iter()
        .map(|v| {
            let index = v.get("index").and_then(Value::as_u64).ok_or_else(bad)? as usize;
            let mut rules = RuleCategory::default();
            if let Some(r) = v.get("rules") {
                read_v3_category(category::BODY, r, &mut rules).map_err(|e| e.error)?;
            }
            let generators = v.get("generators").cloned().unwrap_or(Value::Null);
            Ok(ArrayVariant {
                index,
                rules,
                generators,
            })
        })
        .collect()
}

fn attr_str<'a>(
    obj: &'a Map<String, Value>,
    matcher: &str,
    key: &str,
) -> Result<&'a str, RuleError> {
    obj.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| RuleError::BadAttribute {
            matcher: matcher.to_string(),
            expected: format!("`{key}`: a string"),
        })
}

fn attr_usize(
    obj: &Map<String, Value>,
    matcher: &str,
    key: &str,
) -> Result<Option<usize>, RuleError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .map(|n| Some(n as usize))
            .ok_or_else(|| RuleError::BadAttribute {
                matcher: matcher.to_string(),
                expected: format!("`{key}`: a non-negative integer"),
            }),
    }
}

fn format_attr(
    obj: &Map<String, Value>,
    matcher: &str,
) -> Result<Option<DateTimePattern>, RuleError> {
    let key = ["format", matcher, "date", "time", "timestamp", "datetime"]
        .into_iter()
        .find(|k| obj.get(*k).is_some_and(Value::is_string));
    let Some(key) = key else { return Ok(None) };
    let format = attr_str(obj, matcher, key)?;
    DateTimePattern::parse(format)
        .map(Some)
        .map_err(|e| RuleError::BadFormat {
            format: format.to_string(),
            reason: e.to_string(),
        })
}

fn pattern(source: &str) -> Result<Pattern, RuleError> {
    Pattern::new(source).map_err(|reason| RuleError::BadRegex {
        regex: source.to_string(),
        reason,
    })
}

impl MatchingRule {
    /// The canonical V4 JSON form.
    pub fn to_json(&self) -> Value {
        use MatchingRule as R;
        let mut obj = Map::new();
        obj.insert("match".into(), json!(self.name()));
        let fmt = |obj: &mut Map<String, Value>, f: &Option<DateTimePattern>| {
            if let Some(f) = f {
                obj.insert("format".into(), json!(f.source()));
            }
        };
        match self {
            R::Regex(p) => {
                obj.insert("regex".into(), json!(p.source()));
            }
            R::Type { min, max } => {
                if let Some(m) = min {
                    obj.insert("min".into(), json!(m));
                }
                if let Some(m) = max {
                    obj.insert("max".into(), json!(m));
                }
            }
            R::Include(v) | R::ContentType(v) => {
                obj.insert("value".into(), json!(v));
            }
            R::Date(f) | R::Time(f) | R::Timestamp(f) => fmt(&mut obj, f),
            R::StatusCode(c) => {
                obj.insert("status".into(), c.to_json());
            }
            R::EachKey(list) | R::EachValue(list) => {
                let rules: Vec<Value> = list.rules.iter().map(MatchingRule::to_json).collect();
                obj.insert("rules".into(), json!(rules));
            }
            R::ArrayContains(vs) => {
                obj.insert(
                    "variants".into(),
                    json!(vs.iter().map(variant_to_json).collect::<Vec<_>>()),
                );
            }
            _ => {}
        }
        Value::Object(obj)
    }
}

fn variant_to_json(v: &ArrayVariant) -> Value {
    let mut obj = Map::new();
    obj.insert("index".into(), json!(v.index));
    obj.insert("rules".into(), category_to_json(category::BODY, &v.rules));
    if !v.generators.is_null() {
        obj.insert("generators".into(), v.generators.clone());
    }
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn every_rule_round_trips() {
        let rules = [
            json!({"match": "equality"}),
            json!({"match": "regex", "regex": "a+"}),
            json!({"match": "type", "min": 1, "max": 3}),
            json!({"match": "include", "value": "x"}),
            json!({"match": "integer"}),
            json!({"match": "decimal"}),
            json!({"match": "number"}),
            json!({"match": "boolean"}),
            json!({"match": "null"}),
            json!({"match": "date", "format": "yyyy-MM-dd"}),
            json!({"match": "time", "format": "HH:mm"}),
            json!({"match": "timestamp"}),
            json!({"match": "contentType", "value": "image/png"}),
            json!({"match": "values"}),
            json!({"match": "statusCode", "status": [200, 201]}),
            json!({"match": "statusCode", "status": "clientError"}),
            json!({"match": "notEmpty"}),
            json!({"match": "semver"}),
            json!({"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]}),
            json!({"match": "eachValue", "rules": [{"match": "type"}]}),
            json!({"match": "arrayContains", "variants": [{"index": 0, "rules": {"$.id": {"combine": "AND", "matchers": [{"match": "integer"}]}}}]}),
        ];
        for r in rules {
            let rule = rule_from_json(&r).unwrap();
            assert_eq!(rule.to_json(), r, "{r}");
        }
    }
}
