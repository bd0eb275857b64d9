//! Matching query parameters (and form fields): names exact, values in order, rules per name
//! with bounds on how many values there are.

use serde_json::json;

use super::mismatch::{Mismatch, MismatchKind};
use super::value::check_text_rules;
use crate::contract::http::Query;
use crate::contract::path::{RulePath, Segment};
use crate::contract::rules::{MatchingRule, RuleCategory};

/// Compares query parameters. Missing and unexpected parameters are mismatches.
pub fn match_query(expected: &Query, actual: &Query, rules: &RuleCategory) -> Vec<Mismatch> {
    match_params(expected, actual, rules, MismatchKind::Query)
}

/// Compares named multi-valued parameters (query or form), with locations `query NAME`.
pub(crate) fn match_params(
    expected: &Query,
    actual: &Query,
    rules: &RuleCategory,
    kind: MismatchKind,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for (name, exp) in expected {
        let at = format!("query {name}");
        match actual.get(name) {
            None => out.push(
                Mismatch::new(
                    kind,
                    at,
                    format!("expected query parameter `{name}` but it was missing"),
                )
                .expected(json!(exp)),
            ),
            Some(act) => out.extend(match_values(name, exp, act, rules, kind)),
        }
    }
    for (name, act) in actual.iter().filter(|(n, _)| !expected.contains_key(*n)) {
        out.push(
            Mismatch::new(
                kind,
                format!("query {name}"),
                format!("unexpected query parameter `{name}` = {}", act.join(", ")),
            )
            .actual(json!(act)),
        );
    }
    out
}

fn match_values(
    name: &str,
    exp: &[String],
    act: &[String],
    rules: &RuleCategory,
    kind: MismatchKind,
) -> Vec<Mismatch> {
    let at = format!("query {name}");
    let location = [Segment::Key(name.to_string())];
    let Some(resolved) = rules
        .resolve(&location)
        .filter(|r| r.path == &RulePath::field(name) || r.path.depth() == 1)
    else {
        if exp == act {
            return vec![];
        }
        let msg = format!("expected `{name}` = {:?} but received {:?}", exp, act);
        return vec![Mismatch::new(kind, at, msg)
            .expected(json!(exp))
            .actual(json!(act))];
    };
    let mut out = Vec::new();
    for rule in &resolved.rules.rules {
        if let MatchingRule::Type { min, max } = rule {
            let few = min.is_some_and(|m| act.len() < m);
            let many = max.is_some_and(|m| act.len() > m);
            if few || many {
                let msg = format!(
                    "expected {rule} values for `{name}` but received {}",
                    act.len()
                );
                out.push(
                    Mismatch::new(kind, at.clone(), msg)
                        .actual(json!(act))
                        .rule(rule),
                );
            }
        }
    }
    for (i, value) in act.iter().enumerate() {
        let example = exp.get(i).or(exp.first()).map(String::as_str).unwrap_or("");
        if let Err(failures) = check_text_rules(resolved.rules, example, value) {
            for f in failures {
                out.push(
                    Mismatch::new(kind, at.clone(), f.reason)
                        .expected(example)
                        .actual(value.as_str())
                        .rule(f.rule),
                );
            }
        }
    }
    out
}
