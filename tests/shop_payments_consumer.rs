//! The example shop's `orders` service as a consumer of `payments`: its payments client
//! (`examples/shop/src/payments_client.rs`) tested against a mock `payments` provider.
//! Running these tests records `contracts/orders-payments.json`, the contract a
//! `contract-sweep` fault on the `orders-payments` link sweeps (scenarios/contract-sweep.toml).
#![cfg(feature = "consumer")]

use serde_json::json;
use shakedown::consumer::matchers::*;
use shakedown::consumer::Contract;
use shakedown_shop::payments_client::{PaymentError, PaymentsClient};

/// An amount more than 0 (as JSON writes it): what tells an approved payment's request from
/// a declined one.
const POSITIVE: &str = "^([1-9][0-9]*(\\.[0-9]+)?|0\\.[0-9]*[1-9][0-9]*)$";

fn contract() -> Contract {
    Contract::new("orders", "payments")
}

fn pay(url: &str, order_id: u64, amount: f64) -> Result<String, PaymentError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(PaymentsClient::fragile(url).pay(order_id, amount))
}

#[test]
fn should_pay_for_an_order() {
    let mut c = contract();
    c.interaction("a payment is approved", |i| {
        i.request(|r| {
            r.post("/payments")
                .header("Content-Type", "application/json")
                .json(json!({"orderId": integer(1), "amount": regex(POSITIVE, 123.25)}));
        })
        .response(|r| {
            r.status(200).json(json!({
                "paymentId": regex("pay-\\d+", "pay-1"),
                "status": equal_to("approved"),
            }));
        });
    });
    let server = c.start_mock_server();
    assert_eq!(pay(server.url(), 1, 123.25).unwrap(), "pay-1");
}

#[test]
fn should_report_a_declined_payment_with_its_reason() {
    let mut c = contract();
    c.interaction("a payment of nothing is declined", |i| {
        i.request(|r| {
            r.post("/payments")
                .header("Content-Type", "application/json")
                .json(json!({"orderId": integer(7), "amount": 0.0}));
        })
        .response(|r| {
            r.status(402).json(json!({
                "status": equal_to("declined"),
                "reason": like("the amount must be more than 0"),
            }));
        });
    });
    let server = c.start_mock_server();
    match pay(server.url(), 7, 0.0) {
        Err(PaymentError::Declined(reason)) => {
            assert_eq!(reason, "the amount must be more than 0")
        }
        other => panic!("expected a decline, got {other:?}"),
    }
}
