//! Matching JSON documents: a walk over expected and actual trees that applies the
//! best-fitting rule at every node and compares structure where no rule applies.

use serde_json::{Map, Value};

use super::mismatch::{Mismatch, MismatchKind};
use super::value::{check_rules, show, type_name, values_equal};
use crate::contract::path::{location_string, Segment};
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
            Some(resolved) => self.compare_with_rules(path, &resolved.rules, expected, actual),
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
        let mut contains = false;
        for rule in &rules.rules {
            match rule {
                MatchingRule::EachValue(inner) => self.each_value(
                    path,
                    inner,
                    e.first(),
                    a.iter().enumerate().map(|(i, v)| (Segment::Index(i), v)),
                ),
                MatchingRule::ArrayContains(variants) => {
                    contains = true;
                    self.array_contains(path, variants, e, a);
                }
                _ => {}
            }
        }
        if contains {
            return;
        }
        for (i, item) in a.iter().enumerate() {
            if let Some(template) = e.get(i).or(e.first()) {
                path.push(Segment::Index(i));
                self.compare(path, template, item);
                path.pop();
            }
        }
    }

    fn object_with_rules(
        &mut self,
        path: &mut Vec<Segment>,
        rules: &RuleList,
        e: &Map<String, Value>,
        a: &Map<String, Value>,
    ) {
        let mut ignore_keys = false;
        for rule in &rules.rules {
            match rule {
                MatchingRule::Values => ignore_keys = true,
                MatchingRule::EachKey(inner) => {
                    ignore_keys = true;
                    for key in a.keys() {
                        path.push(Segment::Key(key.clone()));
                        let k = Value::String(key.clone());
                        self.check_list(path, inner, &k, &k);
                        path.pop();
                    }
                }
                MatchingRule::EachValue(inner) => {
                    ignore_keys = true;
                    self.each_value(
                        path,
                        inner,
                        e.values().next(),
                        a.iter().map(|(k, v)| (Segment::Key(k.clone()), v)),
                    );
                }
                _ => {}
            }
        }
        if !ignore_keys {
            return self.compare_maps(path, e, a);
        }
        for (key, value) in a {
            if let Some(template) = e.get(key).or_else(|| e.values().next()) {
                path.push(Segment::Key(key.clone()));
                self.compare(path, template, value);
                path.pop();
            }
        }
    }

    fn each_value<'v>(
        &mut self,
        path: &mut Vec<Segment>,
        rules: &RuleList,
        template: Option<&Value>,
        items: impl Iterator<Item = (Segment, &'v Value)>,
    ) {
        let template = template.cloned().unwrap_or(Value::Null);
        for (seg, item) in items {
            path.push(seg);
            self.check_list(path, rules, &template, item);
            path.pop();
        }
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
                Some(resolved) => self.compare_with_rules(path, &resolved.rules, value, value),
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
