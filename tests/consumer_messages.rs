//! Event and synchronous-message contracts: the handler gets the example (generators
//! applied), the interaction is recorded only if it succeeds, and schemas are enforced.
#![cfg(feature = "consumer")]

use serde_json::{json, Value};
use shakedown::consumer::matchers::*;
use shakedown::consumer::{Contract, MessageError};
use shakedown::contract::{category, InteractionKind, Pact, RulePath};

fn order_placed(contract: &Contract) -> shakedown::consumer::PendingMessage {
    contract.message("an OrderPlaced event", |m| {
        m.given_with("an order is placed", json!({"orderId": 42}))
            .json(json!({
                "type": "OrderPlaced",
                "orderId": from_provider_state("${orderId}", 1),
                "eventId": uuid(),
                "lines": each_like(json!({"sku": regex("SKU-\\d+", "SKU-1"), "qty": integer(1)}), 1),
            }))
            .metadata("topic", "orders");
        #[cfg(feature = "json-schema")]
        m.schema(json!({"type": "object", "required": ["type", "orderId", "lines"]}));
    })
}

#[test]
fn should_hand_the_example_to_the_handler_and_record_it() {
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::new("shipping", "orders").output_dir(dir.path());
    let mut seen = None;
    order_placed(&contract)
        .handled_by(|m| {
            seen = m.contents.as_json();
            assert_eq!(m.metadata["topic"], "orders");
            Ok::<(), String>(())
        })
        .unwrap();
    let seen = seen.unwrap();
    assert_eq!(
        seen["orderId"],
        json!(42),
        "provider-state values fill the example"
    );
    assert_ne!(
        seen["eventId"],
        json!("e2490de5-5bd3-43d5-b7c4-526e33f71304"),
        "the UUID is generated"
    );
    let pact = Pact::from_file(contract.file()).unwrap();
    let InteractionKind::Message(m) = &pact.interactions[0].kind else {
        panic!("not a message")
    };
    assert!(m
        .matching_rules
        .category(category::BODY)
        .get(&RulePath::parse("$.lines[*].sku").unwrap())
        .is_some());
    assert_eq!(m.metadata["contentType"], "application/json");
}

#[test]
fn should_record_nothing_when_the_handler_fails() {
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::new("shipping", "orders").output_dir(dir.path());
    let err = order_placed(&contract)
        .handled_by(|_| Err("cannot ship to the moon"))
        .unwrap_err();
    assert!(matches!(&err, MessageError::Handler(m) if m == "cannot ship to the moon"));
    assert!(!contract.file().exists());
}

#[cfg(feature = "json-schema")]
#[test]
fn should_reject_an_example_that_breaks_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::new("shipping", "orders").output_dir(dir.path());
    let err = contract
        .message("a bad event", |m| {
            m.json(json!({"type": "OrderPlaced"}))
                .schema(json!({"type": "object", "required": ["orderId"]}));
        })
        .handled_by(|_| Ok::<(), String>(()))
        .unwrap_err();
    assert!(
        matches!(&err, MessageError::Schema(s) if s.contains("orderId")),
        "{err}"
    );
    assert!(!contract.file().exists());
}

#[test]
fn should_record_synchronous_messages() {
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::new("web", "prices").output_dir(dir.path());
    contract
        .sync_message("a price lookup", |s| {
            s.given("prices are loaded")
                .request(|m| {
                    m.json(json!({"sku": like("SKU-1")}));
                })
                .response(|m| {
                    m.json(json!({"price": decimal(9.99)}));
                });
        })
        .handled_by(|req, responses| {
            assert_eq!(req.contents.as_json(), Some(json!({"sku": "SKU-1"})));
            assert_eq!(
                responses[0].contents.as_json(),
                Some(json!({"price": 9.99}))
            );
            Ok::<(), String>(())
        })
        .unwrap();
    let pact = Pact::from_file(contract.file()).unwrap();
    let v: Value = pact.to_json();
    assert_eq!(v["interactions"][0]["type"], "Synchronous/Messages");
    assert_eq!(
        v["interactions"][0]["response"][0]["matchingRules"]["content"]["$.price"]["matchers"][0]
            ["match"],
        "decimal"
    );
}
