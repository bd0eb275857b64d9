//! Matching bodies: missing/empty/null semantics, content types, and dispatch to the JSON,
//! XML, form and text matchers.

use serde_json::Value;

use super::json::match_json;
use super::mismatch::{Mismatch, MismatchKind};
use super::query::match_params;
use super::value::{check_rules, show};
use super::xml::match_xml;
use crate::contract::body::Body;
use crate::contract::content_type::ContentType;
use crate::contract::http::Query;
use crate::contract::rules::{MatchingRule, RuleCategory};

/// How a body is being matched.
#[derive(Debug, Clone, Copy)]
pub struct BodyContext<'a> {
    /// Body rules.
    pub rules: &'a RuleCategory,
    /// Extra object keys allowed (responses, messages) or not (requests).
    pub allow_unexpected_keys: bool,
    /// The label in locations: `body` or `contents`.
    pub label: &'a str,
    /// Content type declared for the expected body by headers or metadata.
    pub expected_type: Option<&'a ContentType>,
    /// Content type declared for the actual body by headers or metadata.
    pub actual_type: Option<&'a ContentType>,
}

impl BodyContext<'_> {
    fn root(&self) -> String {
        format!("$.{}", self.label)
    }

    fn mismatch(&self, kind: MismatchKind, message: String) -> Mismatch {
        Mismatch::new(kind, self.root(), message)
    }
}

/// Compares an expected body with an actual one.
pub fn match_body(expected: &Body, actual: &Body, ctx: &BodyContext) -> Vec<Mismatch> {
    match (expected, actual) {
        (Body::Missing, _) => vec![],
        (Body::Null | Body::Empty, Body::Missing | Body::Null | Body::Empty) => vec![],
        (Body::Null, Body::Present { .. }) if actual.as_json() == Some(Value::Null) => vec![],
        (Body::Null | Body::Empty, Body::Present { .. }) => vec![ctx
            .mismatch(
                MismatchKind::Body,
                format!(
                    "expected an empty body but received {} bytes",
                    actual.bytes().len()
                ),
            )
            .actual(actual.as_text())],
        (Body::Present { .. }, Body::Missing | Body::Null | Body::Empty) => vec![ctx
            .mismatch(
                MismatchKind::Body,
                "expected a body but none was received".into(),
            )
            .expected(expected.as_text())],
        (Body::Present { .. }, Body::Present { .. }) => match_present(expected, actual, ctx),
    }
}

fn match_present(expected: &Body, actual: &Body, ctx: &BodyContext) -> Vec<Mismatch> {
    let exp_type = expected.effective_content_type(ctx.expected_type);
    let act_type = actual.effective_content_type(ctx.actual_type);
    if let Some(list) = ctx.rules.get(&crate::contract::path::RulePath::root()) {
        if let Some(MatchingRule::ContentType(want)) = list
            .rules
            .iter()
            .find(|r| matches!(r, MatchingRule::ContentType(_)))
        {
            return match_content_type(want, actual, ctx);
        }
    }
    if exp_type.is_json() {
        return match_json_bodies(expected, actual, &act_type, ctx);
    }
    if exp_type.is_xml() {
        return match_xml(
            &expected.as_text(),
            &actual.as_text(),
            ctx.rules,
            ctx.label,
            ctx.allow_unexpected_keys,
        );
    }
    if exp_type.is_form() {
        return match_form(expected, actual, ctx);
    }
    match_text(expected, actual, ctx)
}

fn match_content_type(want: &str, actual: &Body, ctx: &BodyContext) -> Vec<Mismatch> {
    let found = ContentType::sniff(actual.bytes());
    let wanted = ContentType::parse(want);
    let ok = wanted
        .as_ref()
        .is_some_and(|w| w.essence() == found.essence());
    if ok {
        return vec![];
    }
    vec![ctx
        .mismatch(
            MismatchKind::BodyType,
            format!(
                "expected content of type {want} but it looks like {}",
                found.essence()
            ),
        )
        .expected(want)
        .actual(found.essence())
        .rule(format!("contentType {want}"))]
}

fn match_json_bodies(
    expected: &Body,
    actual: &Body,
    act_type: &ContentType,
    ctx: &BodyContext,
) -> Vec<Mismatch> {
    let Some(exp) = expected.as_json() else {
        return match_text(expected, actual, ctx);
    };
    match actual.as_json() {
        Some(act) => match_json(&exp, &act, ctx.rules, ctx.allow_unexpected_keys, ctx.label),
        None => vec![ctx
            .mismatch(
                MismatchKind::BodyType,
                format!(
                    "expected a JSON body but received {} that is not JSON",
                    act_type.essence()
                ),
            )
            .expected(exp)
            .actual(actual.as_text())],
    }
}

fn match_form(expected: &Body, actual: &Body, ctx: &BodyContext) -> Vec<Mismatch> {
    let parse = |b: &Body| -> Query {
        let mut q = Query::new();
        for (k, v) in form_urlencoded::parse(b.bytes()) {
            q.entry(k.into_owned()).or_default().push(v.into_owned());
        }
        q
    };
    let mut out = match_params(
        &parse(expected),
        &parse(actual),
        ctx.rules,
        MismatchKind::Body,
    );
    for m in &mut out {
        m.location = format!("{}.{}", ctx.root(), m.location.trim_start_matches("query "));
    }
    out
}

fn match_text(expected: &Body, actual: &Body, ctx: &BodyContext) -> Vec<Mismatch> {
    let (exp, act) = (expected.as_text(), actual.as_text());
    let root = crate::contract::path::RulePath::root();
    if let Some(list) = ctx.rules.get(&root) {
        return match check_rules(
            list,
            &Value::String(exp.clone()),
            &Value::String(act.clone()),
        ) {
            Ok(()) => vec![],
            Err(failures) => failures
                .into_iter()
                .map(|f| {
                    ctx.mismatch(MismatchKind::Body, f.reason)
                        .expected(exp.clone())
                        .actual(act.clone())
                        .rule(f.rule)
                })
                .collect(),
        };
    }
    if expected.bytes() == actual.bytes() {
        return vec![];
    }
    vec![ctx
        .mismatch(
            MismatchKind::Body,
            format!(
                "expected body {} but received {}",
                show(&Value::String(exp.clone())),
                show(&Value::String(act.clone()))
            ),
        )
        .expected(exp)
        .actual(act)]
}
