//! Behaviour of the mock provider from a consumer's test: serving, explaining mismatches,
//! verifying on drop, and recording the contract (only when the test succeeds).
#![cfg(feature = "consumer")]

use std::panic::{catch_unwind, AssertUnwindSafe};

use reqwest::blocking::Client;
use serde_json::{json, Value};
use shakedown::consumer::matchers::*;
use shakedown::consumer::{Contract, FinishError};
use shakedown::contract::{category, InteractionKind, MatchingRule, Pact, RulePath, SpecVersion};

fn order_contract(dir: &std::path::Path) -> Contract {
    let mut c = Contract::new("web", "orders").output_dir(dir);
    c.interaction("a request for order 1", |i| {
        i.given_with("an order exists", json!({"id": 1}))
            .request(|r| {
                r.get(regex("/orders/\\d+", "/orders/1")).query("include", "lines").header("Accept", "application/json");
            })
            .response(|r| {
                r.status(200).json(json!({
                    "id": integer(1),
                    "lines": each_like(json!({"sku": regex("SKU-\\d+", "SKU-1"), "qty": integer(2)}), 1),
                }));
            });
    });
    c
}

fn get_order(base: &str, path: &str) -> reqwest::blocking::Response {
    Client::new()
        .get(format!("{base}{path}?include=lines"))
        .header("Accept", "application/json")
        .send()
        .unwrap()
}

#[test]
fn should_serve_the_declared_response_and_record_a_v4_contract() {
    let dir = tempfile::tempdir().unwrap();
    let contract = order_contract(dir.path());
    let server = contract.start_mock_server();
    assert!(server.url().starts_with("http://127.0.0.1:"));
    let resp = get_order(server.url(), "/orders/77");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(
        resp.json::<Value>().unwrap(),
        json!({"id": 1, "lines": [{"sku": "SKU-1", "qty": 2}]})
    );
    let path = server.finish().unwrap().unwrap();
    assert_eq!(path, dir.path().join("web-orders.json"));
    let pact = Pact::from_file(&path).unwrap();
    assert_eq!(
        (
            pact.consumer.as_str(),
            pact.provider.as_str(),
            pact.spec_version
        ),
        ("web", "orders", SpecVersion::V4)
    );
    let InteractionKind::Http { request, response } = &pact.interactions[0].kind else {
        panic!("not HTTP")
    };
    assert_eq!(
        pact.interactions[0].provider_states[0].params["id"],
        json!(1)
    );
    assert!(request
        .matching_rules
        .category(category::PATH)
        .get(&RulePath::root())
        .is_some());
    let lines = response
        .matching_rules
        .category(category::BODY)
        .get(&RulePath::parse("$.lines").unwrap())
        .unwrap();
    assert_eq!(
        lines.rules,
        vec![MatchingRule::Type {
            min: Some(1),
            max: None
        }]
    );
}

#[test]
fn should_answer_a_mismatching_request_with_a_500_naming_the_closest_interaction() {
    let dir = tempfile::tempdir().unwrap();
    let contract = order_contract(dir.path());
    let server = contract.start_mock_server();
    let resp = Client::new()
        .get(server.path("/orders/abc"))
        .header("Accept", "text/html")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 500);
    let body: Value = resp.json().unwrap();
    assert_eq!(body["closestInteraction"], "a request for order 1");
    let locations: Vec<&str> = body["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["location"].as_str().unwrap())
        .collect();
    assert_eq!(locations, vec!["path", "query include", "header Accept"]);
    let err = server.finish().unwrap_err();
    let FinishError::Verification(failure) = err else {
        panic!("expected a verification failure")
    };
    assert_eq!(failure.missing, vec!["a request for order 1"]);
    assert_eq!(failure.unexpected.len(), 1);
    let report = failure.to_string();
    assert!(
        report
            .contains("missing request: no request matched interaction \"a request for order 1\""),
        "{report}"
    );
    assert!(
        report.contains("unexpected request: GET /orders/abc"),
        "{report}"
    );
    eprintln!("{report}");
    assert!(
        report.contains("closest interaction: \"a request for order 1\""),
        "{report}"
    );
    assert!(
        report.contains("expected \"/orders/abc\" to match regex '/orders/\\d+'"),
        "{report}"
    );
    assert!(
        !dir.path().join("web-orders.json").exists(),
        "a failing test writes nothing"
    );
}

#[test]
fn should_fail_the_test_on_drop_when_an_interaction_was_never_requested() {
    let dir = tempfile::tempdir().unwrap();
    let contract = order_contract(dir.path());
    let result = catch_unwind(AssertUnwindSafe(|| {
        let _server = contract.start_mock_server();
    }));
    let message = result
        .unwrap_err()
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_default();
    assert!(message.contains("missing request"), "{message}");
    assert!(!dir.path().join("web-orders.json").exists());
}

#[test]
fn should_write_nothing_when_the_test_itself_panics() {
    let dir = tempfile::tempdir().unwrap();
    let contract = order_contract(dir.path());
    let result = catch_unwind(AssertUnwindSafe(|| {
        let server = contract.start_mock_server();
        assert_eq!(get_order(server.url(), "/orders/1").status(), 200);
        panic!("the consumer's own assertion failed");
    }));
    assert!(result.is_err());
    assert!(!dir.path().join("web-orders.json").exists());
}

#[test]
fn should_give_each_concurrent_test_its_own_server() {
    let dir = tempfile::tempdir().unwrap();
    let handles: Vec<_> = (0..8)
        .map(|n| {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let mut c = Contract::new("web", "orders").output_dir(&dir);
                c.interaction(&format!("ping {n}"), |i| {
                    i.request(|r| {
                        r.get(format!("/ping/{n}"));
                    })
                    .response(|r| {
                        r.status(200).json(json!({"n": n}));
                    });
                });
                let server = c.start_mock_server();
                let v: Value = Client::new()
                    .get(server.path(&format!("/ping/{n}")))
                    .send()
                    .unwrap()
                    .json()
                    .unwrap();
                assert_eq!(v["n"], n);
                server.url().to_string()
            })
        })
        .collect();
    let mut urls: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), 8, "every server has its own port");
    assert_eq!(
        Pact::from_file(dir.path().join("web-orders.json"))
            .unwrap()
            .interactions
            .len(),
        8
    );
}

#[test]
fn should_apply_generators_reproducibly_from_the_seed() {
    let serve = |seed| {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Contract::new("web", "orders")
            .output_dir(dir.path())
            .seed(seed);
        c.interaction("new ids", |i| {
            i.given_with("an order", json!({"id": 41}))
                .request(|r| {
                    r.get("/ids");
                })
                .response(|r| {
                    r.status(200)
                        .header("Location", mock_server_url(".*(/orders/\\d+)$", "http://example/orders/1"))
                        .json(json!({"n": random_int(10, 20), "id": uuid(), "fromState": from_provider_state("${id}", 1)}));
                });
        });
        let server = c.start_mock_server();
        let resp = Client::new().get(server.path("/ids")).send().unwrap();
        let location = resp.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(location, server.path("/orders/1"));
        let v: Value = resp.json().unwrap();
        server.finish().unwrap();
        v
    };
    let (a, b, c) = (serve(7), serve(7), serve(8));
    assert_eq!(a, b, "same seed, same values");
    assert_ne!(a["id"], c["id"], "another seed, other values");
    assert!((10..=20).contains(&a["n"].as_i64().unwrap()));
    assert_eq!(a["fromState"], json!(41));
}

#[test]
fn should_serve_text_form_and_binary_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Contract::new("web", "files").output_dir(dir.path());
    c.interaction("upload a form", |i| {
        i.request(|r| {
            r.post("/form").form(&[("a", "1"), ("b", "x y")]);
        })
        .response(|r| {
            r.status(201).text("created", "text/plain");
        });
    });
    c.interaction("download a picture", |i| {
        i.request(|r| {
            r.get("/logo.png");
        })
        .response(|r| {
            r.status(200)
                .bytes(b"\x89PNG\r\n\x1a\n1234".to_vec(), "image/png");
        });
    });
    let server = c.start_mock_server();
    let client = Client::new();
    let created = client
        .post(server.path("/form"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("b=x+y&a=1")
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.text().unwrap(), "created");
    let png = client
        .get(server.path("/logo.png"))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert_eq!(&png[..], b"\x89PNG\r\n\x1a\n1234");
    server.finish().unwrap();
}
