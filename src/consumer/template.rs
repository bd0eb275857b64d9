//! Templates: values with inline matcher and generator markers, split into the plain example,
//! the matching rules and the generators, each keyed by its path.

use serde_json::{Map, Value};

use super::matchers::{GENERATOR_KEY, MATCHER_KEY};
use crate::contract::{
    check_rules, rule_from_json, ArrayVariant, Generator, GeneratorError, Logic, MatchingRule,
    RuleCategory, RuleError, RuleList, RulePath, Token,
};

/// A template split into its parts.
#[derive(Debug, Default)]
pub struct Extracted {
    /// The example value, with every marker replaced by its example.
    pub example: Value,
    /// The rules, keyed by path from the template's root (`$`).
    pub rules: RuleCategory,
    /// The generators, keyed the same way.
    pub generators: Vec<(RulePath, Generator)>,
}

/// A template that cannot be turned into a contract.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// A matcher marker is malformed.
    #[error("matcher at {path}: {error}")]
    Rule {
        /// Where.
        path: String,
        /// What is wrong.
        error: RuleError,
    },
    /// A generator marker is malformed.
    #[error("generator at {path}: {error}")]
    Generator {
        /// Where.
        path: String,
        /// What is wrong.
        error: GeneratorError,
    },
    /// The example does not satisfy its own matcher, so no provider could honour it.
    #[error("the example at {path} does not satisfy its own matcher: {reason}")]
    ExampleBreaksRule {
        /// Where.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Splits a template into example, rules and generators.
///
/// ```
/// use serde_json::json;
/// use shakedown::consumer::{extract, matchers::*};
/// let t = extract(&json!({"id": integer(7), "tags": each_like("a", 2)})).unwrap();
/// assert_eq!(t.example, json!({"id": 7, "tags": ["a", "a"]}));
/// assert_eq!(t.rules.iter().count(), 2);
/// ```
pub fn extract(template: &Value) -> Result<Extracted, TemplateError> {
    let mut out = Extracted::default();
    out.example = walk(template, &RulePath::root(), &mut out)?;
    Ok(out)
}

fn walk(node: &Value, path: &RulePath, out: &mut Extracted) -> Result<Value, TemplateError> {
    match node {
        Value::Object(obj) if obj.contains_key(MATCHER_KEY) || obj.contains_key(GENERATOR_KEY) => {
            marker(obj, path, out)
        }
        Value::Object(obj) => {
            let mut example = Map::new();
            for (k, v) in obj {
                example.insert(
                    k.clone(),
                    walk(v, &path.join(Token::Field(k.clone())), out)?,
                );
            }
            Ok(Value::Object(example))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| walk(v, &path.join(Token::Index(i)), out))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

fn marker(
    obj: &Map<String, Value>,
    path: &RulePath,
    out: &mut Extracted,
) -> Result<Value, TemplateError> {
    if let Some(kind) = obj.get(GENERATOR_KEY).and_then(Value::as_str) {
        let mut def = obj.clone();
        def.insert("type".into(), Value::String(kind.to_string()));
        let g = Generator::from_json(&Value::Object(def)).map_err(|error| {
            TemplateError::Generator {
                path: path.to_string(),
                error,
            }
        })?;
        out.generators.push((path.clone(), g));
    }
    let Some(kind) = obj.get(MATCHER_KEY).and_then(Value::as_str) else {
        return walk(obj.get("value").unwrap_or(&Value::Null), path, out);
    };
    let (list, example) = match kind {
        "arrayContains" => array_contains_list(obj, path)?,
        "or" => or_list(obj, path)?,
        _ => (
            RuleList::single(rule(kind, obj, path)?),
            obj.get("value").cloned().unwrap_or(Value::Null),
        ),
    };
    let children = match &list.rules[..] {
        [MatchingRule::Type { min, max }]
            if example.is_array() && (min.is_some() || max.is_some()) =>
        {
            walk_elements(&example, path, out)?
        }
        [MatchingRule::EachValue(_)] => walk_values(&example, path, out)?,
        [MatchingRule::ArrayContains(_)] => example,
        _ => walk(&example, path, out)?,
    };
    if let Err(failures) = check_rules(&list, &children, &children) {
        let reason = failures
            .into_iter()
            .map(|f| format!("{}: {}", f.rule, f.reason))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(TemplateError::ExampleBreaksRule {
            path: path.to_string(),
            reason,
        });
    }
    out.rules.insert(path.clone(), list);
    Ok(children)
}

/// Element templates of an `each_like` array: their rules go under `path[*]`.
fn walk_elements(
    example: &Value,
    path: &RulePath,
    out: &mut Extracted,
) -> Result<Value, TemplateError> {
    let items = example.as_array().cloned().unwrap_or_default();
    let Some(first) = items.first() else {
        return Ok(Value::Array(vec![]));
    };
    let element = walk(first, &path.join(Token::StarIndex), out)?;
    Ok(Value::Array(vec![element; items.len()]))
}

/// Values of an `each_value` map: their rules go under `path.*`.
fn walk_values(
    example: &Value,
    path: &RulePath,
    out: &mut Extracted,
) -> Result<Value, TemplateError> {
    let star = path.join(Token::Star);
    match example {
        Value::Object(map) => {
            let mut first = true;
            let mut result = Map::new();
            for (k, v) in map {
                let mut scratch = Extracted::default();
                let target = if first { &mut *out } else { &mut scratch };
                result.insert(k.clone(), walk(v, &star, target)?);
                first = false;
            }
            Ok(Value::Object(result))
        }
        other => walk(other, &star, out),
    }
}

fn rule(
    kind: &str,
    obj: &Map<String, Value>,
    path: &RulePath,
) -> Result<MatchingRule, TemplateError> {
    let mut def: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), MATCHER_KEY | GENERATOR_KEY | "value"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    def.insert("match".into(), Value::String(kind.to_string()));
    if kind == "include" {
        def.insert(
            "value".into(),
            obj.get("include").cloned().unwrap_or(Value::Null),
        );
    }
    rule_from_json(&Value::Object(def)).map_err(|error| TemplateError::Rule {
        path: path.to_string(),
        error,
    })
}

fn array_contains_list(
    obj: &Map<String, Value>,
    path: &RulePath,
) -> Result<(RuleList, Value), TemplateError> {
    let variants = obj
        .get("variants")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut examples = Vec::new();
    let mut rules = Vec::new();
    for (index, v) in variants.iter().enumerate() {
        let inner = extract(v).map_err(|e| TemplateError::Rule {
            path: path.to_string(),
            error: RuleError::Shape(e.to_string()),
        })?;
        examples.push(inner.example);
        rules.push(ArrayVariant {
            index,
            rules: inner.rules,
            generators: Value::Null,
        });
    }
    Ok((
        RuleList::single(MatchingRule::ArrayContains(rules)),
        Value::Array(examples),
    ))
}

fn or_list(obj: &Map<String, Value>, path: &RulePath) -> Result<(RuleList, Value), TemplateError> {
    let alternatives = obj
        .get("alternatives")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let rules = alternatives
        .iter()
        .filter_map(|a| {
            a.as_object().map(|o| {
                (
                    o.get(MATCHER_KEY)
                        .and_then(Value::as_str)
                        .unwrap_or("equality"),
                    o,
                )
            })
        })
        .map(|(kind, o)| rule(kind, o, path))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        RuleList {
            rules,
            logic: Logic::Or,
        },
        obj.get("value").cloned().unwrap_or(Value::Null),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consumer::matchers::*;
    use serde_json::json;

    fn rule_at(t: &Extracted, path: &str) -> Vec<MatchingRule> {
        t.rules
            .get(&RulePath::parse(path).unwrap())
            .map(|l| l.rules.clone())
            .unwrap_or_default()
    }

    #[test]
    fn nested_matchers_get_their_paths() {
        let t = extract(&json!({"lines": each_like(json!({"sku": regex("SKU-\\d+", "SKU-1"), "qty": integer(2)}), 2)})).unwrap();
        assert_eq!(
            t.example,
            json!({"lines": [{"sku": "SKU-1", "qty": 2}, {"sku": "SKU-1", "qty": 2}]})
        );
        assert_eq!(
            rule_at(&t, "$.lines"),
            vec![MatchingRule::Type {
                min: Some(2),
                max: None
            }]
        );
        assert_eq!(rule_at(&t, "$.lines[*].qty"), vec![MatchingRule::Integer]);
        assert!(matches!(
            &rule_at(&t, "$.lines[*].sku")[0],
            MatchingRule::Regex(_)
        ));
    }

    #[test]
    fn examples_must_satisfy_their_matchers() {
        assert!(matches!(
            extract(&regex("\\d+", "abc")),
            Err(TemplateError::ExampleBreaksRule { .. })
        ));
        assert!(matches!(
            extract(&date("yyyy-MM-dd", "2024-13-01")),
            Err(TemplateError::ExampleBreaksRule { .. })
        ));
        assert!(matches!(
            extract(&regex("(", "x")),
            Err(TemplateError::Rule { .. })
        ));
    }

    #[test]
    fn generators_and_or_and_include() {
        let t = extract(&json!({"id": random_int(1, 9), "n": or(vec![null(), integer(3)]), "s": include("ell", "hello")})).unwrap();
        assert_eq!(t.generators.len(), 1);
        assert_eq!(t.example["s"], json!("hello"));
        let n = t.rules.get(&RulePath::parse("$.n").unwrap()).unwrap();
        assert_eq!(n.logic, Logic::Or);
        assert_eq!(
            rule_at(&t, "$.s"),
            vec![MatchingRule::Include("ell".into())]
        );
    }

    #[test]
    fn array_contains_and_each_key() {
        let t = extract(&json!({"a": array_contains(vec![json!({"id": integer(1)})]), "m": each_key(json!({"k1": 1}), "k\\d")})).unwrap();
        assert_eq!(t.example, json!({"a": [{"id": 1}], "m": {"k1": 1}}));
        assert!(matches!(&rule_at(&t, "$.a")[0], MatchingRule::ArrayContains(v) if v.len() == 1));
        assert!(matches!(&rule_at(&t, "$.m")[0], MatchingRule::EachKey(_)));
    }
}
