//! The example shop's `orders` provider verified against the contracts its consumers
//! recorded (`contracts/`), and a deliberately broken build caught with a useful report.
#![cfg(feature = "verifier")]

use shakedown_shop::orders_service;

use shakedown::verifier::{Outcome, Verifier};

fn verifier(url: &str) -> Verifier {
    Verifier::new("orders", url)
        .contracts(concat!(env!("CARGO_MANIFEST_DIR"), "/contracts"))
        .state_url(&format!("{url}/_pact/state"))
        .messages_url(&format!("{url}/_pact/messages"))
}

#[test]
fn should_honour_every_contract_its_consumers_recorded() {
    let service = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let report = verifier(&service.url()).run().unwrap();
    assert!(report.success(), "{}", report.render(false));
    let consumers: Vec<&str> = report
        .contracts
        .iter()
        .map(|c| c.consumer.as_str())
        .collect();
    assert_eq!(consumers, vec!["shipping", "web"]);
    assert_eq!(report.tally().passed, 4);
}

#[test]
fn should_fail_the_gate_with_a_readable_report_when_a_field_is_renamed() {
    let service = orders_service::start(
        "127.0.0.1:0",
        orders_service::Config {
            rename_status: true,
        },
    )
    .unwrap();
    let report = verifier(&service.url()).run().unwrap();
    assert!(!report.success());
    let web = report
        .contracts
        .iter()
        .find(|c| c.consumer == "web")
        .unwrap();
    let broken = web
        .interactions
        .iter()
        .find(|i| i.description == "a request for an existing order")
        .unwrap();
    let Outcome::Failed { mismatches } = &broken.outcome else {
        panic!("expected a failure: {:?}", broken.outcome)
    };
    assert_eq!(mismatches[0].location, "$.body.status");
    let text = report.render(false);
    assert!(
        text.contains("✗ a request for an existing order  [given an order exists]"),
        "{text}"
    );
    assert!(text.contains("$.body.status"), "{text}");
    assert!(
        text.contains("expected key `status` but it was missing"),
        "{text}"
    );
    assert!(
        text.contains("3 passed, 1 failed, 0 pending failed"),
        "{text}"
    );
}
