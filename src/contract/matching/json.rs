//! Matching JSON documents: a walk over expected and actual trees that applies the
//! best-fitting rule at every node and compares structure where no rule applies.

use serde_json::{Map, Value};

use super::mismatch::{Mismatch, MismatchKind};
use super::value::{check_rules, show, type_name, values_equal};
use crate::contract::path::{location_string, RulePath, Segment, Token};
use crate::contract::rules::{ArrayVariant, MatchingRule, RuleCategory, RuleList};

/// Compares two JSON documents under a category of body rules.
///
/// `allow_unexpected_keys` is true for responses and messages (extra fields are fine) and
/// false for requests. `label` names the document in locations (`body` → `$.body.a[1]`).
///
/// ```
/// use serde_json::json;
/// use shakedown::contract::{match_json, RuleCategory};
/// let m = match_json(&json!({"a": 1}), &json!({"a": 2}), &RuleCategory::default(), true, "body");
/// assert_eq!(m[0].location, "$.body.a");
/// ```
pub fn match_json(
    expected: &Value,
    actual: &Value,
    rules: &RuleCategory,
    allow_unexpected_keys: bool,
    label: &str,
) -> Vec<Mismatch> {
    let mut walker = Walker {
        rules,
        allow_unexpected_keys,
        label,
        out: Vec::new(),
    };
    walker.compare(&mut Vec::new(), expected, actual);
    walker.out
}

/// How deep the walk goes before it reports a mismatch instead of recursing further (JSON
/// parsed from text is already limited to 128 levels; this guards built documents).
const MAX_DEPTH: usize = 256;

/// The inner rules of an `eachValue` rule in a list, if it has one.
fn each_value(rules: &RuleList) -> Option<&RuleList> {
    rules.rules.iter().find_map(|r| match r {
        MatchingRule::EachValue(inner) => Some(inner),
        _ => None,
    })
}

struct Walker<'a> {
    rules: &'a RuleCategory,
    allow_unexpected_keys: bool,
    label: &'a str,
    out: Vec<Mismatch>,
}

impl<'a> Walker<'a> {
    fn location(&self, path: &[Segment]) -> String {
        let rest = location_string(path);
        if self.label.is_empty() {
            rest
        } else {
            format!("$.{}{}", self.label, &rest[1..])
        }
    }

    fn push(
        &mut self,
        path: &[Segment],
        expected: Option<&Value>,
        actual: Option<&Value>,
        message: String,
    ) -> &mut Mismatch {
        let mut m = Mismatch::new(MismatchKind::Body, self.location(path), message);
        m.expected = expected.cloned();
        m.actual = actual.cloned();
        self.out.push(m);
        self.out.last_mut().expect("just pushed")
    }

    fn compare(&mut self, path: &mut Vec<Segment>, expected: &Value, actual: &Value) {
        if path.len() > MAX_DEPTH {
            let msg = format!(
                "the document is nested more than {MAX_DEPTH} levels deep; not compared further"
            );
            self.push(path, None, None, msg);
            return;
        }
        let category: &'a RuleCategory = self.rules;
        match category.resolve(path) {
            Some(resolved) => self.compare_with_rules(path, resolved.rules, expected, actual),
            None => self.compare_structure(path, expected, actual),
        }
    }

    fn compare_with_rules(
        &mut self,
        path: &mut Vec<Segment>,
        rules: &RuleList,
        expected: &Value,
        actual: &Value,
    ) {
        if let Err(failures) = check_rules(rules, expected, actual) {
            for f in failures {
                self.push(path, Some(expected), Some(actual), f.reason).rule = Some(f.rule);
            }
            return;
        }
        match (expected, actual) {
            (Value::Array(e), Value::Array(a)) => self.array_with_rules(path, rules, e, a),
            (Value::Object(e), Value::Object(a)) => self.object_with_rules(path, rules, e, a),
            _ => {}
        }
    }

    fn array_with_rules(
        &mut self,
        path: &mut Vec<Segment>,
        rules: &RuleList,
        e: &[Value],
        a: &[Value],
    ) {
        if let Some(variants) = rules.rules.iter().find_map(|r| match r {
            MatchingRule::ArrayContains(v) => Some(v),
            _ => None,
        }) {
            return self.array_contains(path, variants, e, a);
        }
        let children = a
            .iter()
            .enumerate()
            .map(|(i, v)| (Segment::Index(i), e.get(i).or(e.first()), v));
        self.compare_children(path, each_value(rules), children);
    }

    fn object_with_rules(
        &mut self,
        path: &mut Vec<Segment>,
        rules: &RuleList,
        e: &Map<String, Value>,
        a: &Map<String, Value>,
    ) {
        let each_key = rules.rules.iter().find_map(|r| match r {
            MatchingRule::EachKey(inner) => Some(inner),
            _ => None,
        });
        if let Some(inner) = each_key {
            for key in a.keys() {
                path.push(Segment::Key(key.clone()));
                let k = Value::String(key.clone());
                self.check_list(path, inner, &k, &k);
                path.pop();
            }
        }
        let values = rules
            .rules
            .iter()
            .any(|r| matches!(r, MatchingRule::Values));
        let inner = each_value(rules);
        if !values && inner.is_none() && each_key.is_none() {
            return self.compare_maps(path, e, a);
        }
        // `values` and `eachValue` match every actual value against the example (its own
        // key's, or the first); `eachKey` alone compares only the keys the example has.
        let any = values || inner.is_some();
        let children = a.iter().map(|(k, v)| {
            (
                Segment::Key(k.clone()),
                e.get(k).or_else(|| e.values().next().filter(|_| any)),
                v,
            )
        });
        self.compare_children(path, inner, children);
    }

    /// Compares each child with its template; with `each` rules, those rules apply at every
    /// child (`path.*`) and cascade below it.
    fn compare_children<'v>(
        &mut self,
        path: &mut Vec<Segment>,
        each: Option<&RuleList>,
        children: impl Iterator<Item = (Segment, Option<&'v Value>, &'v Value)>,
    ) {
        let derived;
        let mut walker = match each {
            Some(inner) => {
                let mut category = self.rules.clone();
                category.insert(
                    RulePath::from_location(path).join(Token::Star),
                    inner.clone(),
                );
                derived = category;
                Walker {
                    rules: &derived,
                    allow_unexpected_keys: self.allow_unexpected_keys,
                    label: self.label,
                    out: Vec::new(),
                }
            }
            None => Walker {
                rules: self.rules,
                allow_unexpected_keys: self.allow_unexpected_keys,
                label: self.label,
                out: Vec::new(),
            },
        };
        for (seg, template, value) in children {
            let Some(template) = template else { continue };
            path.push(seg);
            walker.compare(path, template, value);
            path.pop();
        }
        self.out.append(&mut walker.out);
    }

    fn check_list(&mut self, path: &[Segment], rules: &RuleList, expected: &Value, actual: &Value) {
        if let Err(failures) = check_rules(rules, expected, actual) {
            for f in failures {
                self.push(path, Some(expected), Some(actual), f.reason).rule = Some(f.rule);
            }
        }
    }

    fn array_contains(
        &mut self,
        path: &[Segment],
        variants: &[ArrayVariant],
        e: &[Value],
        a: &[Value],
    ) {
        // No variants: every expected element must be present, compared by equality.
        let implicit: Vec<ArrayVariant>;
        let variants = if variants.is_empty() {
            implicit = (0..e.len())
                .map(|index| ArrayVariant {
                    index,
                    rules: RuleCategory::default(),
                    generators: Value::Null,
                })
                .collect();
            &implicit[..]
        } else {
            variants
        };
        for variant in variants {
            let Some(example) = e.get(variant.index) else {
                let msg = format!(
                    "arrayContains variant {} has no example element",
                    variant.index
                );
                self.push(path, None, None, msg);
                continue;
            };
            let found = a.iter().any(|item| {
                match_json(
                    example,
                    item,
                    &variant.rules,
                    self.allow_unexpected_keys,
                    "",
                )
                .is_empty()
            });
            if !found {
                let msg = format!(
                    "expected the array to contain an element matching {}",
                    show(example)
                );
                self.push(path, Some(example), None, msg).rule =
                    Some(format!("arrayContains variant {}", variant.index));
            }
        }
    }

    fn compare_structure(&mut self, path: &mut Vec<Segment>, expected: &Value, actual: &Value) {
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => self.compare_maps(path, e, a),
            (Value::Array(e), Value::Array(a)) => self.compare_lists(path, e, a),
            (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => {
                let msg = format!(
                    "expected {} but found {} {}",
                    type_name(expected),
                    type_name(actual),
                    show(actual)
                );
                self.push(path, Some(expected), Some(actual), msg);
            }
            _ if values_equal(expected, actual) => {}
            _ => {
                let msg = format!("expected {} but found {}", show(expected), show(actual));
                self.push(path, Some(expected), Some(actual), msg);
            }
        }
    }

    fn compare_maps(
        &mut self,
        path: &mut Vec<Segment>,
        e: &Map<String, Value>,
        a: &Map<String, Value>,
    ) {
        let wildcard = self.rules.wildcard_child(path);
        for (key, value) in e {
            path.push(Segment::Key(key.clone()));
            match a.get(key) {
                Some(found) => self.compare(path, value, found),
                None => {
                    let msg = format!("expected key `{key}` but it was missing");
                    self.push(path, Some(value), None, msg);
                }
            }
            path.pop();
        }
        for (key, value) in a.iter().filter(|(k, _)| !e.contains_key(*k)) {
            path.push(Segment::Key(key.clone()));
            let category: &'a RuleCategory = self.rules;
            match category.resolve(path).filter(|_| wildcard) {
                // A wildcard rule covers keys the example lacks: rules that need no example
                // (regex, integer, …) are checked against the value itself.
                Some(resolved) => self.compare_with_rules(path, resolved.rules, value, value),
                _ if self.allow_unexpected_keys => {}
                _ => {
                    let msg = format!("unexpected key `{key}` with value {}", show(value));
                    self.push(path, None, Some(value), msg);
                }
            }
            path.pop();
        }
    }

    fn compare_lists(&mut self, path: &mut Vec<Segment>, e: &[Value], a: &[Value]) {
        for (i, item) in e.iter().enumerate() {
            path.push(Segment::Index(i));
            match a.get(i) {
                Some(found) => self.compare(path, item, found),
                None => {
                    let msg = format!(
                        "expected an element {} at index {i} but it was missing",
                        show(item)
                    );
                    self.push(path, Some(item), None, msg);
                }
            }
            path.pop();
        }
        for (i, item) in a.iter().enumerate().skip(e.len()) {
            path.push(Segment::Index(i));
            let msg = format!(
                "unexpected element {} at index {i} (expected {} elements)",
                show(item),
                e.len()
            );
            self.push(path, None, Some(item), msg);
            path.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::rules::MatchingRules;
    use serde_json::json;

    fn rules(v: Value) -> MatchingRules {
        MatchingRules::from_json(&json!({ "body": v })).unwrap()
    }

    fn check(r: &MatchingRules, e: Value, a: Value) -> Vec<String> {
        match_json(&e, &a, r.category("body"), true, "body")
            .into_iter()
            .map(|m| m.to_string())
            .collect()
    }

    #[test]
    fn each_value_rules_apply_to_every_value_and_cascade() {
        let r = rules(
            json!({"$.a": {"matchers": [{"match": "eachValue", "rules": [{"match": "type"}]}]}}),
        );
        assert!(check(
            &r,
            json!({"a": {"x": "s"}}),
            json!({"a": {"y": "t", "z": "u"}})
        )
        .is_empty());
        assert!(check(&r, json!({"a": ["s"]}), json!({"a": ["t", "u"]})).is_empty());
        assert!(check(
            &r,
            json!({"a": {"x": {"id": 1}}}),
            json!({"a": {"y": {"id": 2}}})
        )
        .is_empty());
        let bad = check(&r, json!({"a": {"x": "s"}}), json!({"a": {"y": 5}}));
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].starts_with("$.body.a.y:"), "{bad:?}");
    }

    #[test]
    fn each_key_checks_keys_and_only_known_values() {
        let r = rules(
            json!({"$.a": {"matchers": [{"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]}]}}),
        );
        assert!(check(&r, json!({"a": {"x": 1}}), json!({"a": {"y": 2, "x": 1}})).is_empty());
        assert_eq!(
            check(&r, json!({"a": {"x": 1}}), json!({"a": {"x": 2}})).len(),
            1,
            "known keys keep their values"
        );
        assert_eq!(
            check(&r, json!({"a": {"x": 1}}), json!({"a": {"X1": 1, "x": 1}})).len(),
            1,
            "keys must match"
        );
    }

    #[test]
    fn array_contains_without_variants_needs_every_example_element() {
        let r = rules(json!({"$.a": {"matchers": [{"match": "arrayContains", "variants": []}]}}));
        assert!(check(&r, json!({"a": [1, 2]}), json!({"a": [3, 2, 1]})).is_empty());
        assert_eq!(
            check(&r, json!({"a": [1, 2]}), json!({"a": [1, 3]})).len(),
            1
        );
    }

    #[test]
    fn values_ignore_keys() {
        let r = rules(
            json!({"$.a": {"matchers": [{"match": "values"}]}, "$.a.*": {"matchers": [{"match": "integer"}]}}),
        );
        assert!(check(&r, json!({"a": {"x": 1}}), json!({"a": {"p": 2, "q": 3}})).is_empty());
        assert_eq!(
            check(&r, json!({"a": {"x": 1}}), json!({"a": {"p": "2"}})).len(),
            1
        );
    }
}
