//! The verifier as a library in a provider's own `cargo test`: provider states as closures
//! whose values feed `ProviderState` generators, messages produced by closures, contracts
//! given already loaded, and what is missing said as a typed error.
#![cfg(all(feature = "consumer", feature = "verifier"))]

use shakedown_shop::orders_service;

use serde_json::{json, Map};
use shakedown::consumer::matchers::*;
use shakedown::consumer::Contract;
use shakedown::contract::{Body, ContentType, Message, Pact};
use shakedown::verifier::{InteractionError, Outcome, StateAction, Verifier, VerifyError};

/// Records a contract whose request path comes from the provider state (`/orders/${id}`).
fn contract_with_state_generated_path(dir: &std::path::Path) {
    let mut c = Contract::new("web", "orders").output_dir(dir);
    c.interaction("a request for a freshly created order", |i| {
        i.given_with("an order exists", json!({"id": 5}))
            .request(|r| {
                r.get(from_provider_state("/orders/${id}", "/orders/5"));
            })
            .response(|r| {
                r.status(200)
                    .json(json!({"id": integer(5), "status": like("placed")}));
            });
    });
    let server = c.start_mock_server();
    reqwest::blocking::get(server.path("/orders/5")).unwrap();
    server.finish().unwrap();
}

#[test]
fn should_feed_values_returned_by_state_closures_into_the_request() {
    let dir = tempfile::tempdir().unwrap();
    contract_with_state_generated_path(dir.path());
    let service = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let url = service.url();
    let state_url = format!("{url}/_pact/state");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let report = Verifier::new("orders", &url)
        .contracts(dir.path())
        .state_handler(move |state, action| {
            log.lock()
                .unwrap()
                .push(format!("{} {}", state.name, action.as_str()));
            if action == StateAction::Setup {
                // Create order 77 in the real service, and tell the verifier its id.
                let body = json!({"state": state.name, "params": {"id": 77}, "action": "setup"});
                reqwest::blocking::Client::new()
                    .post(&state_url)
                    .json(&body)
                    .send()
                    .map_err(|e| e.to_string())?;
                let mut values = Map::new();
                values.insert("id".into(), json!(77));
                return Ok(values);
            }
            Ok(Map::new())
        })
        .run()
        .unwrap();
    assert!(report.success(), "{}", report.render(false));
    assert_eq!(
        *seen.lock().unwrap(),
        vec!["an order exists setup", "an order exists teardown"]
    );
}

#[test]
fn should_fail_an_interaction_whose_state_closure_fails() {
    let dir = tempfile::tempdir().unwrap();
    contract_with_state_generated_path(dir.path());
    let service = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let report = Verifier::new("orders", &service.url())
        .contracts(dir.path())
        .state_handler(|_, _| Err("the database is down".into()))
        .run()
        .unwrap();
    assert!(!report.success());
    let Outcome::Error { reason } = &report.contracts[0].interactions[0].outcome else {
        panic!("expected an error")
    };
    assert!(
        reason.to_string().contains("the database is down"),
        "{reason}"
    );
}

#[test]
fn should_verify_messages_produced_by_closures_including_metadata() {
    let contracts = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/contracts/shipping-orders.json"
    );
    let event = |topic: &'static str| {
        move |_: &shakedown::contract::Interaction| {
            let contents = json!({"type": "OrderPlaced", "orderId": 3, "lines": [{"sku": "SKU-000001", "qty": 1}], "placedAt": "2026-11-21T10:00:00Z"});
            let mut m = Message {
                contents: Body::json(&contents),
                ..Default::default()
            };
            m.metadata.insert("topic".into(), json!(topic));
            m.metadata
                .insert("contentType".into(), json!(ContentType::json().to_string()));
            Ok(m)
        }
    };
    let ok = Verifier::new("orders", "http://127.0.0.1:9")
        .contracts(contracts)
        .ignore_states()
        .message("an OrderPlaced event", event("orders.placed"))
        .run()
        .unwrap();
    assert!(ok.success(), "{}", ok.render(false));
    let wrong = Verifier::new("orders", "http://127.0.0.1:9")
        .contracts(contracts)
        .ignore_states()
        .message("an OrderPlaced event", event("orders"))
        .run()
        .unwrap();
    let Outcome::Failed { mismatches } = &wrong.contracts[0].interactions[0].outcome else {
        panic!("expected a failure")
    };
    assert_eq!(mismatches[0].location, "metadata topic");
}

fn contract(name: &str) -> Pact {
    Pact::from_file(format!("{}/contracts/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn should_verify_contracts_given_already_loaded_again_and_again() {
    let service = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let prepared = Verifier::new("orders", "http://127.0.0.1:9").pacts([
        contract("web-orders.json"),
        contract("shipping-orders.json"),
    ]);
    let on_file = Verifier::new("orders", &service.url())
        .contracts(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/contracts/web-orders.json"
        ))
        .state_url(&format!("{}/_pact/state", service.url()))
        .run()
        .unwrap();
    for _ in 0..2 {
        let report = prepared
            .clone()
            .base_url(&service.url())
            .state_url(&format!("{}/_pact/state", service.url()))
            .filter_consumer("web")
            .run()
            .unwrap();
        assert!(report.success(), "{}", report.render(false));
        assert_eq!(report.contracts.len(), 1);
        let (loaded, read) = (&report.contracts[0], &on_file.contracts[0]);
        assert_eq!(loaded.file, "", "a loaded contract has no file");
        assert_eq!(
            loaded.digest, read.digest,
            "the same contract, the same digest"
        );
        assert!(report.render(false).contains("\nweb\n"));
    }
    let err = Verifier::new("payments", &service.url())
        .pact(contract("web-orders.json"))
        .run()
        .unwrap_err();
    assert!(matches!(err, VerifyError::NoContracts(_)), "{err}");
}

/// Why the interactions of `verifier` could not be checked.
fn reasons(verifier: Verifier) -> Vec<InteractionError> {
    let report = verifier.run().unwrap();
    let reasons = report
        .contracts
        .iter()
        .flat_map(|c| &c.interactions)
        .filter_map(|i| match &i.outcome {
            Outcome::Error { reason } => Some(reason.clone()),
            _ => None,
        })
        .collect::<Vec<_>>();
    for reason in &reasons {
        assert!(!reason.to_string().contains("--"), "{reason}");
    }
    reasons
}

#[test]
fn should_say_what_is_missing_without_naming_cli_flags() {
    let service = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let web = Verifier::new("orders", &service.url()).pact(contract("web-orders.json"));
    assert!(reasons(web).contains(&InteractionError::NoStateHandler {
        state: "an order exists".into()
    }));
    let shipping = Verifier::new("orders", &service.url())
        .pact(contract("shipping-orders.json"))
        .ignore_states();
    assert_eq!(reasons(shipping), [InteractionError::NoMessageProducer]);
    let err = Verifier::new("orders", "ftp://127.0.0.1:9")
        .pact(contract("web-orders.json"))
        .run()
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadUrl { .. }), "{err}");
    assert!(!err.to_string().contains("--"), "{err}");
}

/// A contract of `n` interactions `GET /items/{i}`, each in the state `item {i}`, with
/// interactions in description order (the order the contract file keeps).
fn items_contract(n: usize) -> Pact {
    let interactions: Vec<_> = (1..=n)
        .map(|i| {
            json!({
                "description": format!("item {i:03}"),
                "providerStates": [{"name": format!("item {i}")}],
                "request": {"method": "GET", "path": format!("/items/{i}")},
                "response": {"status": 200, "body": {"id": i}}
            })
        })
        .collect();
    let text = json!({
        "consumer": {"name": "web"}, "provider": {"name": "items"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    });
    Pact::from_str(&text.to_string()).unwrap()
}

/// A provider answering every interaction of `pact` (the stub server).
fn provider_for(pact: &Pact) -> shakedown::consumer::RunningServer {
    let stub = shakedown::consumer::Stub::new(pact.interactions.clone(), Default::default());
    shakedown::consumer::RunningServer::start("127.0.0.1:0", std::sync::Arc::new(stub), 1).unwrap()
}

#[test]
fn should_replay_one_at_a_time_in_contract_order_and_report_in_that_order_at_any_concurrency() {
    let pact = items_contract(40);
    let provider = provider_for(&pact);
    let url = format!("http://{}", provider.addr());
    let expected: Vec<String> = (1..=40).map(|i| format!("item {i}")).collect();
    for concurrency in [1, 3, 64] {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        let report = Verifier::new("items", &url)
            .pact(pact.clone())
            .concurrency(concurrency)
            .state_handler(move |state, action| {
                if action == StateAction::Setup {
                    log.lock().unwrap().push(state.name.clone());
                }
                Ok(Map::new())
            })
            .run()
            .unwrap();
        assert!(report.success(), "{}", report.render(false));
        let reported: Vec<String> = report.contracts[0]
            .interactions
            .iter()
            .map(|r| r.states[0].clone())
            .collect();
        assert_eq!(
            reported, expected,
            "reported in contract order at {concurrency}"
        );
        let mut set_up = seen.lock().unwrap().clone();
        if concurrency == 1 {
            assert_eq!(set_up, expected, "one at a time, in contract order");
        }
        set_up.sort();
        let mut all = expected.clone();
        all.sort();
        assert_eq!(set_up, all, "each interaction once at {concurrency}");
    }
}

#[test]
fn should_report_the_digest_of_a_contract_read_from_a_file_at_any_concurrency() {
    let pact = items_contract(5);
    let provider = provider_for(&pact);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("web-items.json");
    std::fs::write(&file, pact.to_pretty_string()).unwrap();
    for concurrency in [1, 4] {
        let report = Verifier::new("items", &format!("http://{}", provider.addr()))
            .contracts(&file)
            .ignore_states()
            .concurrency(concurrency)
            .run()
            .unwrap();
        assert!(report.success(), "{}", report.render(false));
        assert_eq!(report.contracts[0].digest, pact.digest());
    }
    let undigested = Verifier::new("items", &format!("http://{}", provider.addr()))
        .contracts(&file)
        .ignore_states()
        .digests(false)
        .run()
        .unwrap();
    assert!(undigested.success());
    assert_eq!(
        undigested.contracts[0].digest, "",
        "not digested when not wanted"
    );
}
