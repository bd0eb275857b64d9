//! Matching benchmarks: a 1 MB JSON body under type and regex rules, and a 1,000-interaction
//! contract matched against its own examples. Run with `cargo bench --bench matching`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};
use shakedown::contract::datetime::DateTimePattern;
use shakedown::contract::{
    category, match_request, match_response, Body, HttpRequest, HttpResponse, Interaction,
    InteractionKind, MatchingRule, Pact, Pattern, ProviderState, RulePath,
};

/// A JSON document of about `bytes` bytes: an object with an `items` array of records.
fn big_document(bytes: usize, salt: u64) -> Value {
    let mut items = Vec::new();
    let mut size = 0;
    let mut i = 0u64;
    while size < bytes {
        let item = json!({
            "id": i + salt,
            "sku": format!("SKU-{:06}", (i * 7 + salt) % 1_000_000),
            "name": format!("product number {i} of the catalogue"),
            "email": format!("buyer{}@example.com", i + salt),
            "price": (i as f64) * 1.25 + 0.5,
            "inStock": !i.is_multiple_of(3),
            "tags": ["red", "large", "sale"],
            "createdAt": "2024-05-01T10:00:00Z",
        });
        size += item.to_string().len() + 1;
        items.push(item);
        i += 1;
    }
    json!({"page": 1, "items": items})
}

fn big_response(salt: u64, with_rules: bool) -> HttpResponse {
    let mut r = HttpResponse {
        body: Body::json(&big_document(1 << 20, salt)),
        ..Default::default()
    };
    r.headers
        .insert("Content-Type".into(), vec!["application/json".into()]);
    if with_rules {
        let body = r.matching_rules.category_mut(category::BODY);
        let p = |s: &str| RulePath::parse(s).expect("static path");
        body.add(
            p("$.items"),
            MatchingRule::Type {
                min: Some(1),
                max: None,
            },
        );
        body.add(p("$.items[*].id"), MatchingRule::Integer);
        body.add(
            p("$.items[*].sku"),
            MatchingRule::Regex(Pattern::new(r"SKU-\d{6}").expect("static regex")),
        );
        body.add(
            p("$.items[*].email"),
            MatchingRule::Regex(Pattern::new(r"[a-z0-9]+@[a-z.]+").expect("static regex")),
        );
        body.add(
            p("$.items[*].createdAt"),
            MatchingRule::Timestamp(Some(
                DateTimePattern::parse("yyyy-MM-dd'T'HH:mm:ssX").expect("static format"),
            )),
        );
    }
    r
}

fn one_megabyte(c: &mut Criterion) {
    let expected = big_response(0, true);
    let actual = big_response(17, false);
    assert!(actual.body.bytes().len() >= 1 << 20);
    assert!(
        match_response(&expected, &actual).is_empty(),
        "the benchmark body must match"
    );
    let mut group = c.benchmark_group("json_1mb");
    group.sample_size(20);
    group.bench_function("match_response_type_regex_rules", |b| {
        b.iter(|| black_box(match_response(black_box(&expected), black_box(&actual))))
    });
    group.finish();
}

fn thousand_interactions() -> Pact {
    let mut pact = Pact::new("web", "orders");
    for i in 0..1000u64 {
        let mut request = HttpRequest {
            method: if i.is_multiple_of(2) {
                "GET".into()
            } else {
                "POST".into()
            },
            path: format!("/orders/{i}"),
            ..Default::default()
        };
        request
            .query
            .insert("page".into(), vec![(i % 10).to_string()]);
        request
            .headers
            .insert("Accept".into(), vec!["application/json".into()]);
        if i % 2 == 1 {
            request.body = Body::json(&json!({"sku": format!("SKU-{i}"), "qty": i % 5 + 1}));
            request
                .headers
                .insert("Content-Type".into(), vec!["application/json".into()]);
        }
        let mut response = HttpResponse {
            body: Body::json(
                &json!({"id": i, "status": "placed", "lines": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]}),
            ),
            ..Default::default()
        };
        response.headers.insert(
            "Content-Type".into(),
            vec!["application/json; charset=utf-8".into()],
        );
        let rules = response.matching_rules.category_mut(category::BODY);
        rules.add(
            RulePath::parse("$.id").expect("static path"),
            MatchingRule::Integer,
        );
        rules.add(
            RulePath::parse("$.lines").expect("static path"),
            MatchingRule::Type {
                min: Some(1),
                max: None,
            },
        );
        pact.interactions.push(Interaction {
            provider_states: vec![ProviderState::named(format!("order {i} exists"))],
            ..Interaction::new(
                format!("order {i}"),
                InteractionKind::Http { request, response },
            )
        });
    }
    pact
}

fn contract_against_itself(c: &mut Criterion) {
    let text = thousand_interactions().to_pretty_string();
    let mut group = c.benchmark_group("contract_1000");
    group.sample_size(20);
    group.bench_function("parse_v4", |b| {
        b.iter(|| black_box(Pact::from_str(black_box(&text)).expect("valid")))
    });
    let pact = Pact::from_str(&text).expect("valid");
    group.bench_function("match_every_interaction", |b| {
        b.iter(|| {
            let mut total = 0;
            for i in &pact.interactions {
                if let InteractionKind::Http { request, response } = &i.kind {
                    total += match_request(request, request).len()
                        + match_response(response, response).len();
                }
            }
            assert_eq!(total, 0);
            black_box(total)
        })
    });
    group.finish();
}

criterion_group!(benches, one_megabyte, contract_against_itself);
criterion_main!(benches);
