//! Matching headers: names case-insensitive, comma-separated values compared in order with
//! whitespace ignored, media types compared by essence and parameters, rules per name.

use super::mismatch::{Mismatch, MismatchKind};
use super::value::check_text_rules;
use crate::contract::content_type::ContentType;
use crate::contract::http::{header, Headers};
use crate::contract::path::Token;
use crate::contract::rules::{RuleCategory, RuleList};

/// Compares expected headers with actual ones; extra actual headers are fine.
pub fn match_headers(expected: &Headers, actual: &Headers, rules: &RuleCategory) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for (name, exp_values) in expected {
        let exp = exp_values.join(", ");
        let at = format!("header {name}");
        let Some(act_values) = header(actual, name) else {
            out.push(
                Mismatch::new(
                    MismatchKind::Header,
                    at,
                    format!("expected header `{name}` but it was missing"),
                )
                .expected(exp),
            );
            continue;
        };
        let act = act_values.join(", ");
        if let Some(list) = rule_for(rules, name) {
            if let Err(failures) = check_header_rules(list, &exp, act_values) {
                out.extend(failures.into_iter().map(|f| {
                    Mismatch::new(MismatchKind::Header, at.clone(), f.reason)
                        .expected(exp.as_str())
                        .actual(act.as_str())
                        .rule(f.rule)
                }));
            }
        } else if !values_match(name, &exp, &act) {
            let msg = format!("expected `{name}: {exp}` but received `{name}: {act}`");
            out.push(
                Mismatch::new(MismatchKind::Header, at, msg)
                    .expected(exp)
                    .actual(act),
            );
        }
    }
    out
}

/// Applies header rules to the whole value; failing that, to every value (each received
/// value, split at commas), all of which must pass.
fn check_header_rules(
    list: &RuleList,
    expected: &str,
    actual: &[String],
) -> Result<(), Vec<super::value::RuleFailure>> {
    let whole = check_text_rules(list, expected, &actual.join(", "));
    let parts: Vec<&str> = actual
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if whole.is_ok() || parts.len() < 2 {
        return whole;
    }
    let first_part_failure = parts
        .iter()
        .map(|p| check_text_rules(list, expected, p))
        .find(Result::is_err);
    first_part_failure.unwrap_or(Ok(()))
}

/// The rules for a header name, looked up case-insensitively.
fn rule_for<'a>(rules: &'a RuleCategory, name: &str) -> Option<&'a RuleList> {
    rules.iter().find_map(|(path, list)| match path.tokens() {
        [Token::Root, Token::Field(n)] if n.eq_ignore_ascii_case(name) => Some(list),
        _ => None,
    })
}

fn values_match(name: &str, expected: &str, actual: &str) -> bool {
    let split = |s: &str| -> Vec<String> { s.split(',').map(|p| p.trim().to_string()).collect() };
    let media = name.eq_ignore_ascii_case("content-type") || name.eq_ignore_ascii_case("accept");
    if media && name.eq_ignore_ascii_case("content-type") {
        if let (Some(e), Some(a)) = (ContentType::parse(expected), ContentType::parse(actual)) {
            return e.accepts(&a);
        }
    }
    let (e, a) = (split(expected), split(actual));
    e.len() == a.len()
        && e.iter().zip(&a).all(|(x, y)| {
            x == y || (media && matches!((ContentType::parse(x), ContentType::parse(y)), (Some(cx), Some(cy)) if cx.accepts(&cy)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Headers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect()
    }

    #[test]
    fn names_are_case_insensitive_values_are_not() {
        let rules = RuleCategory::default();
        assert!(
            match_headers(&h(&[("Accept", "a/b")]), &h(&[("accept", "a/b")]), &rules).is_empty()
        );
        assert_eq!(
            match_headers(&h(&[("X", "abc")]), &h(&[("X", "ABC")]), &rules).len(),
            1
        );
        assert!(match_headers(&h(&[("X", "a, b")]), &h(&[("X", "a,b")]), &rules).is_empty());
        assert_eq!(
            match_headers(&h(&[("X", "a, b")]), &h(&[("X", "b, a")]), &rules).len(),
            1
        );
    }

    #[test]
    fn rules_apply_to_each_value() {
        use crate::contract::rules::{MatchingRule, Pattern};
        let mut rules = RuleCategory::default();
        rules.add(
            crate::contract::RulePath::field("X-Ids"),
            MatchingRule::Regex(Pattern::new("\\d+").unwrap()),
        );
        let exp = h(&[("X-Ids", "1")]);
        let mut act = Headers::new();
        act.insert("x-ids".into(), vec!["1".into(), "2".into()]);
        assert!(match_headers(&exp, &act, &rules).is_empty());
        assert!(match_headers(&exp, &h(&[("X-Ids", "1, 22")]), &rules).is_empty());
        assert_eq!(
            match_headers(&exp, &h(&[("X-Ids", "1, b")]), &rules).len(),
            1
        );
    }

    #[test]
    fn content_type_parameters() {
        let rules = RuleCategory::default();
        let exp = h(&[("Content-Type", "application/json; charset=UTF-8")]);
        assert!(match_headers(
            &exp,
            &h(&[("Content-Type", "application/json;charset=utf-8")]),
            &rules
        )
        .is_empty());
        assert_eq!(
            match_headers(&exp, &h(&[("Content-Type", "application/json")]), &rules).len(),
            1
        );
    }
}
