//! The example shop's `web` consumer, tested against a mock `orders` provider. Running these
//! tests records `contracts/web-orders.json`.
#![cfg(feature = "consumer")]

use shakedown_shop::web_client;

use serde_json::json;
use shakedown::consumer::matchers::*;
use shakedown::consumer::Contract;
use web_client::{ClientError, Line, OrdersClient};

fn contract() -> Contract {
    Contract::new("web", "orders")
}

#[test]
fn should_show_an_existing_order() {
    let mut c = contract();
    c.interaction("a request for an existing order", |i| {
        i.given_with("an order exists", json!({"id": 1}))
            .request(|r| {
                r.get(regex("/orders/\\d+", "/orders/1")).header("Accept", "application/json");
            })
            .response(|r| {
                r.status(200).json(json!({
                    "id": integer(1),
                    "status": regex("placed|paid|shipped", "placed"),
                    "lines": each_like(json!({"sku": regex("SKU-\\d{6}", "SKU-000123"), "qty": integer(2)}), 1),
                }));
            });
    });
    let server = c.start_mock_server();
    let order = OrdersClient::new(server.url()).order(1).unwrap();
    assert_eq!(order.status, "placed");
    assert_eq!(
        order.lines,
        vec![Line {
            sku: "SKU-000123".into(),
            qty: 2
        }]
    );
}

#[test]
fn should_report_a_missing_order() {
    let mut c = contract();
    c.interaction("a request for a missing order", |i| {
        i.given("no order exists")
            .request(|r| {
                r.get("/orders/999").header("Accept", "application/json");
            })
            .response(|r| {
                r.status(404);
            });
    });
    let server = c.start_mock_server();
    assert!(matches!(
        OrdersClient::new(server.url()).order(999),
        Err(ClientError::NotFound)
    ));
}

#[test]
fn should_place_an_order() {
    let mut c = contract();
    c.interaction("an order is placed", |i| {
        i.request(|r| {
            r.post("/orders").json(json!({"lines": each_like(json!({"sku": regex("SKU-\\d{6}", "SKU-000123"), "qty": integer(2)}), 1)}));
        })
        .response(|r| {
            r.status(201).json(json!({"id": integer(43), "status": equal_to("placed")}));
        });
    });
    let server = c.start_mock_server();
    assert_eq!(
        OrdersClient::new(server.url())
            .place("SKU-000123", 2)
            .unwrap(),
        43
    );
}
