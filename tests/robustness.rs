//! Hostile input: contract readers, the checker and the matchers never panic, whatever the
//! text, the documents or the rules.
#![cfg(feature = "chaos")]

use proptest::prelude::*;
use serde_json::{json, Value};
use shakedown::contract::{
    check_text, match_json, match_message, match_request, match_response, match_xml, HttpRequest,
    HttpResponse, MatchingRules, Message, Pact, SpecVersion,
};

const SEED_CONTRACT: &str = include_str!("../examples/pacts/web-orders-v2.json");

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-z$@#.\\[\\]*'0-9 ]{0,10}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                "[a-z]{1,3}|\\$\\.[a-z]{1,3}(\\[\\*\\])?|matchers|match|body|content|regex|min",
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A rule from the whole vocabulary, with attributes that may be wrong.
fn arb_rule() -> impl Strategy<Value = Value> {
    let names = prop_oneof![
        Just("equality"),
        Just("regex"),
        Just("type"),
        Just("include"),
        Just("integer"),
        Just("decimal"),
        Just("number"),
        Just("boolean"),
        Just("null"),
        Just("date"),
        Just("time"),
        Just("timestamp"),
        Just("contentType"),
        Just("values"),
        Just("arrayContains"),
        Just("statusCode"),
        Just("notEmpty"),
        Just("semver"),
        Just("eachKey"),
        Just("eachValue"),
        Just("bogus"),
    ];
    (names, arb_json(), 0u64..4, "[a-z\\\\d+*.()\\[\\]]{0,6}").prop_map(|(name, value, n, regex)| {
        json!({"match": name, "regex": regex, "min": n, "max": n + 1, "value": value, "format": "yyyy-MM-dd",
               "status": "success", "rules": [{"match": "type"}], "variants": [{"index": n, "rules": {}}]})
    })
}

fn arb_rules() -> impl Strategy<Value = Value> {
    proptest::collection::btree_map(
        "\\$(\\.[a-z]{1,2}|\\[\\*\\]|\\[[0-2]\\]|\\.\\*){0,3}",
        proptest::collection::vec(arb_rule(), 1..3),
        0..4,
    )
    .prop_map(|m| {
        let body: serde_json::Map<String, Value> = m
            .into_iter()
            .map(|(k, v)| (k, json!({"matchers": v})))
            .collect();
        json!({"body": body})
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn readers_never_panic_on_any_document(doc in arb_json()) {
        let _ = Pact::from_json(&doc);
        for v in [SpecVersion::V1, SpecVersion::V2, SpecVersion::V3, SpecVersion::V4] {
            let _ = HttpRequest::from_json(&doc, v);
            let _ = HttpResponse::from_json(&doc, v);
            let _ = Message::from_json(&doc, v);
        }
        let _ = MatchingRules::from_json(&doc);
    }

    #[test]
    fn check_never_panics_on_mangled_text(cuts in proptest::collection::vec((0usize..2000, any::<u8>()), 1..6)) {
        let mut bytes = SEED_CONTRACT.as_bytes().to_vec();
        for (at, b) in cuts {
            let at = at % bytes.len();
            match b % 3 {
                0 => { bytes.remove(at); }
                1 => bytes.insert(at, b),
                _ => bytes[at] = b,
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = check_text(&text, std::path::Path::new("mangled.json"));
    }

    #[test]
    fn json_matching_never_panics(expected in arb_json(), actual in arb_json(), rules in arb_rules(), strict in any::<bool>()) {
        if let Ok(parsed) = MatchingRules::from_json(&rules) {
            let _ = match_json(&expected, &actual, parsed.category("body"), !strict, "body");
            let resp = |body: &Value| json!({"status": 200, "body": body, "matchingRules": rules.clone()});
            if let (Ok(e), Ok(a)) = (HttpResponse::from_json(&resp(&expected), SpecVersion::V3), HttpResponse::from_json(&resp(&actual), SpecVersion::V3)) {
                let _ = match_response(&e, &a);
            }
            let req = |body: &Value| json!({"method": "POST", "path": "/", "query": {"a": ["1"]}, "headers": {"X": "1"}, "body": body, "matchingRules": rules.clone()});
            if let (Ok(e), Ok(a)) = (HttpRequest::from_json(&req(&expected), SpecVersion::V3), HttpRequest::from_json(&req(&actual), SpecVersion::V3)) {
                let _ = match_request(&e, &a);
            }
            let msg = |body: &Value| json!({"contents": body, "metadata": {"k": body}, "matchingRules": rules.clone()});
            if let (Ok(e), Ok(a)) = (Message::from_json(&msg(&expected), SpecVersion::V3), Message::from_json(&msg(&actual), SpecVersion::V3)) {
                let _ = match_message(&e, &a);
            }
        }
    }

    #[test]
    fn xml_matching_never_panics(e in "<[a-z]{1,3}( [a-z]=\"[a-z]{0,2}\")?>([a-z<>/ ]{0,12})</[a-z]{1,3}>", a in ".{0,40}", rules in arb_rules()) {
        if let Ok(parsed) = MatchingRules::from_json(&rules) {
            let _ = match_xml(&e, &a, parsed.category("body"), "body", false);
            let _ = match_xml(&e, &e, parsed.category("body"), "body", true);
        }
    }
}

#[test]
fn should_match_deeply_nested_documents_without_overflowing() {
    let mut doc = json!(1);
    for _ in 0..300 {
        doc = json!([doc]);
    }
    let mismatches = match_json(&doc, &doc, &Default::default(), false, "body");
    assert_eq!(mismatches.len(), 1);
    assert!(mismatches[0]
        .message
        .contains("nested more than 256 levels"));
}

mod chaos_api {
    use proptest::prelude::*;
    use shakedown::chaos::{handle, Registry, Toxic, UpstreamPolicy};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_proxy_api_never_panics(method in "GET|POST|PATCH|DELETE|PUT", path in "(/[a-z{}]{0,8}){0,4}", body in ".{0,60}") {
            let registry = Registry::new(UpstreamPolicy::default(), 1);
            let reply = handle(&registry, &method, &path, body.as_bytes());
            prop_assert!(reply.status().as_u16() >= 200);
            registry.shutdown();
        }

        #[test]
        fn toxic_definitions_never_panic(v in super::arb_json()) {
            let _ = Toxic::from_json(&v);
        }
    }
}
