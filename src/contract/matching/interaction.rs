//! Matching whole requests, responses and messages: method, path, query, headers, status,
//! body and metadata, collected into one list of mismatches.

use serde_json::{Map, Value};

use super::body::{match_body, BodyContext};
use super::headers::match_headers;
use super::mismatch::{Mismatch, MismatchKind};
use super::query::match_query;
use super::value::{check_rules, check_text_rules, show, values_equal};
use crate::contract::http::{content_type, percent_decode, HttpRequest, HttpResponse};
use crate::contract::message::{metadata_content_type, Message};
use crate::contract::path::RulePath;
use crate::contract::rules::{category, with_budget, BACKTRACKING_BUDGET};

/// Every way `actual` differs from the `expected` request; empty when it matches.
/// Backtracking regex rules share [`BACKTRACKING_BUDGET`] for the whole request (likewise
/// for answers and messages): past it, they are mismatches saying so.
///
/// ```
/// use shakedown::contract::{match_request, HttpRequest};
/// let expected = HttpRequest { path: "/orders".into(), ..Default::default() };
/// let actual = HttpRequest { path: "/order".into(), ..Default::default() };
/// assert_eq!(match_request(&expected, &actual)[0].location, "path");
/// ```
pub fn match_request(expected: &HttpRequest, actual: &HttpRequest) -> Vec<Mismatch> {
    with_budget(BACKTRACKING_BUDGET, || request_mismatches(expected, actual))
}

fn request_mismatches(expected: &HttpRequest, actual: &HttpRequest) -> Vec<Mismatch> {
    let rules = &expected.matching_rules;
    let mut out = Vec::new();
    if !expected.method.eq_ignore_ascii_case(&actual.method) {
        let msg = format!(
            "expected method {} but received {}",
            expected.method.to_uppercase(),
            actual.method.to_uppercase()
        );
        out.push(
            Mismatch::new(MismatchKind::Method, "method", msg)
                .expected(expected.method.as_str())
                .actual(actual.method.as_str()),
        );
    }
    out.extend(match_path(expected, actual));
    match (&expected.raw_query, &actual.raw_query) {
        (Some(e), Some(a)) if percent_decode(e) != percent_decode(a) => out.push(
            Mismatch::new(
                MismatchKind::Query,
                "query",
                format!("expected query string {e:?} but received {a:?}"),
            )
            .expected(e.as_str())
            .actual(a.as_str()),
        ),
        (Some(_), Some(_)) => {}
        _ => out.extend(match_query(
            &expected.query,
            &actual.query,
            rules.category(category::QUERY),
        )),
    }
    out.extend(match_headers(
        &expected.headers,
        &actual.headers,
        rules.category(category::HEADER),
    ));
    out.extend(match_http_body(
        (&expected.body, &expected.headers),
        (&actual.body, &actual.headers),
        rules,
        false,
    ));
    out
}

fn match_path(expected: &HttpRequest, actual: &HttpRequest) -> Vec<Mismatch> {
    let rules = expected.matching_rules.category(category::PATH);
    let mismatch = |msg: String, rule: Option<String>| {
        let mut m = Mismatch::new(MismatchKind::Path, "path", msg)
            .expected(expected.path.as_str())
            .actual(actual.path.as_str());
        m.rule = rule;
        vec![m]
    };
    match rules.get(&RulePath::root()) {
        Some(list) => match check_text_rules(list, &expected.path, &actual.path) {
            Ok(()) => vec![],
            Err(fs) => fs
                .into_iter()
                .flat_map(|f| mismatch(f.reason, Some(f.rule)))
                .collect(),
        },
        None if same_path(&expected.path, &actual.path) => vec![],
        None => mismatch(
            format!(
                "expected path {} but received {}",
                expected.path, actual.path
            ),
            None,
        ),
    }
}

/// Whether two paths are the same path: equal as written, or once percent-decoded (a contract
/// may write `/pacticipants/Pricing%20Service` where a server sees `Pricing Service`).
fn same_path(expected: &str, actual: &str) -> bool {
    let decoded = percent_decode(expected);
    expected == actual || decoded == actual || decoded == percent_decode(actual)
}

/// Every way `actual` differs from the `expected` response; empty when it matches.
pub fn match_response(expected: &HttpResponse, actual: &HttpResponse) -> Vec<Mismatch> {
    with_budget(BACKTRACKING_BUDGET, || {
        response_mismatches(expected, actual)
    })
}

fn response_mismatches(expected: &HttpResponse, actual: &HttpResponse) -> Vec<Mismatch> {
    let rules = &expected.matching_rules;
    let mut out = match_status(expected, actual);
    out.extend(match_headers(
        &expected.headers,
        &actual.headers,
        rules.category(category::HEADER),
    ));
    out.extend(match_http_body(
        (&expected.body, &expected.headers),
        (&actual.body, &actual.headers),
        rules,
        true,
    ));
    out
}

/// Matches an HTTP body, with content types declared by each side's headers.
fn match_http_body(
    (expected, expected_headers): (&crate::contract::Body, &crate::contract::Headers),
    (actual, actual_headers): (&crate::contract::Body, &crate::contract::Headers),
    rules: &crate::contract::MatchingRules,
    allow_unexpected_keys: bool,
) -> Vec<Mismatch> {
    let (et, at) = (content_type(expected_headers), content_type(actual_headers));
    let ctx = BodyContext {
        rules: rules.category(category::BODY),
        allow_unexpected_keys,
        label: "body",
        expected_type: et.as_ref(),
        actual_type: at.as_ref(),
    };
    match_body(expected, actual, &ctx)
}

fn match_status(expected: &HttpResponse, actual: &HttpResponse) -> Vec<Mismatch> {
    let (e, a) = (Value::from(expected.status), Value::from(actual.status));
    let rules = expected.matching_rules.category(category::STATUS);
    let failure = match rules.get(&RulePath::root()) {
        Some(list) => check_rules(list, &e, &a)
            .err()
            .and_then(|fs| fs.into_iter().next())
            .map(|f| (f.reason, Some(f.rule))),
        None if expected.status == actual.status => None,
        None => Some((
            format!(
                "expected status {} but received {}",
                expected.status, actual.status
            ),
            None,
        )),
    };
    failure
        .map(|(msg, rule)| {
            let mut m = Mismatch::new(MismatchKind::Status, "status", msg)
                .expected(e)
                .actual(a);
            m.rule = rule;
            m
        })
        .into_iter()
        .collect()
}

/// Every way `actual` differs from the `expected` message (contents and metadata).
pub fn match_message(expected: &Message, actual: &Message) -> Vec<Mismatch> {
    with_budget(BACKTRACKING_BUDGET, || message_mismatches(expected, actual))
}

fn message_mismatches(expected: &Message, actual: &Message) -> Vec<Mismatch> {
    let rules = &expected.matching_rules;
    let (et, at) = (
        metadata_content_type(&expected.metadata),
        metadata_content_type(&actual.metadata),
    );
    let ctx = BodyContext {
        rules: rules.category(category::BODY),
        allow_unexpected_keys: true,
        label: "contents",
        expected_type: et.as_ref(),
        actual_type: at.as_ref(),
    };
    let mut out = match_body(&expected.contents, &actual.contents, &ctx);
    out.extend(match_metadata(
        &expected.metadata,
        &actual.metadata,
        rules.category(category::METADATA),
    ));
    out
}

fn match_metadata(
    expected: &Map<String, Value>,
    actual: &Map<String, Value>,
    rules: &crate::contract::rules::RuleCategory,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for (key, exp) in expected {
        let at = format!("metadata {key}");
        let Some(act) = actual.get(key) else {
            out.push(
                Mismatch::new(
                    MismatchKind::Metadata,
                    at,
                    format!("expected metadata `{key}` but it was missing"),
                )
                .expected(exp.clone()),
            );
            continue;
        };
        let result = match rules.get(&RulePath::field(key)) {
            Some(list) => check_rules(list, exp, act)
                .map_err(|fs| fs.into_iter().map(|f| (f.reason, Some(f.rule))).collect()),
            None if values_equal(exp, act) || same_content_type(key, exp, act) => Ok(()),
            None => Err(vec![(
                format!("expected {} but received {}", show(exp), show(act)),
                None,
            )]),
        };
        for (msg, rule) in result.err().into_iter().flatten() {
            let mut m = Mismatch::new(MismatchKind::Metadata, at.clone(), msg)
                .expected(exp.clone())
                .actual(act.clone());
            m.rule = rule;
            out.push(m);
        }
    }
    out
}

fn same_content_type(key: &str, exp: &Value, act: &Value) -> bool {
    let is_ct = key.eq_ignore_ascii_case("contentType") || key.eq_ignore_ascii_case("content-type");
    let parse = |v: &Value| v.as_str().and_then(crate::contract::ContentType::parse);
    is_ct && matches!((parse(exp), parse(act)), (Some(e), Some(a)) if e.accepts(&a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path: path.into(),
            ..HttpRequest::default()
        }
    }

    #[test]
    fn should_match_a_path_written_encoded_against_the_decoded_request() {
        let expected = get("/pacticipants/Pricing%20Service");
        assert!(match_request(&expected, &get("/pacticipants/Pricing Service")).is_empty());
        assert!(match_request(&expected, &get("/pacticipants/Pricing%20Service")).is_empty());
        assert_eq!(
            match_request(&expected, &get("/pacticipants/Pricing")).len(),
            1
        );
    }
}
