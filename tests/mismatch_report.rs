//! What a person sees when a response breaks its contract: every mismatch located, with the
//! rule, the expected and the received values (snapshot), coloured only when asked.

use serde_json::json;
use shakedown::contract::{
    match_response, render_mismatches, HttpResponse, MismatchKind, SpecVersion,
};

fn expected() -> HttpResponse {
    HttpResponse::from_json(
        &json!({
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "body": {"id": 1, "status": "placed", "items": [{"sku": "SKU-000001", "price": 9.99}], "customer": {"email": "a@b.c"}},
            "matchingRules": {
                "body": {
                    "$.id": {"matchers": [{"match": "integer"}]},
                    "$.items": {"matchers": [{"match": "type", "min": 1}]},
                    "$.items[*].sku": {"matchers": [{"match": "regex", "regex": "SKU-\\d{6}"}]},
                    "$.items[*].price": {"matchers": [{"match": "decimal"}]}
                }
            }
        }),
        SpecVersion::V3,
    )
    .unwrap()
}

fn broken() -> HttpResponse {
    HttpResponse::from_json(
        &json!({
            "status": 500,
            "headers": {"Content-Type": "text/html"},
            "body": {"id": "1", "items": [{"sku": "SKU-000001", "price": 9.99}, {"sku": "sku-2", "price": "12.50"}], "customer": {}}
        }),
        SpecVersion::V3,
    )
    .unwrap()
}

#[test]
fn should_locate_every_mismatch_with_its_rule() {
    let mismatches = match_response(&expected(), &broken());
    let summary: Vec<(MismatchKind, &str, Option<&str>)> = mismatches
        .iter()
        .map(|m| (m.kind, m.location.as_str(), m.rule.as_deref()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (MismatchKind::Status, "status", None),
            (MismatchKind::Header, "header Content-Type", None),
            (MismatchKind::Body, "$.body.customer.email", None),
            (MismatchKind::Body, "$.body.id", Some("integer")),
            (MismatchKind::Body, "$.body.items[1].price", Some("decimal")),
            (
                MismatchKind::Body,
                "$.body.items[1].sku",
                Some("regex 'SKU-\\d{6}'")
            ),
            (MismatchKind::Body, "$.body.status", None),
        ]
    );
}

#[test]
fn should_render_a_readable_report() {
    let text = render_mismatches(&match_response(&expected(), &broken()), false);
    insta::assert_snapshot!(text);
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when colour is off"
    );
}

#[test]
fn should_colour_the_report_on_request() {
    let text = render_mismatches(&match_response(&expected(), &broken()), true);
    assert!(
        text.contains("\u{1b}["),
        "ANSI colour codes when colour is on"
    );
}

#[test]
fn should_serialise_mismatches_as_json_data() {
    let mismatches = match_response(&expected(), &broken());
    let v = serde_json::to_value(&mismatches).unwrap();
    assert_eq!(
        v[3],
        json!({
            "kind": "body", "location": "$.body.id", "expected": 1, "actual": "1", "rule": "integer",
            "message": "expected an integer but found string \"1\""
        })
    );
}
