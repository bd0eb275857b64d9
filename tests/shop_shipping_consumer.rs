//! The example shop's `shipping` consumer of `OrderPlaced` events. Running these tests
//! records `contracts/shipping-orders.json`.
#![cfg(feature = "json-schema")]

use shakedown_shop::shipping_handler;

use serde_json::json;
use shakedown::consumer::matchers::*;
use shakedown::consumer::Contract;

#[test]
fn should_plan_a_shipment_for_a_placed_order() {
    Contract::new("shipping", "orders")
        .message("an OrderPlaced event", |m| {
            m.given_with("an order is placed", json!({"id": 7}))
                .json(json!({
                    "type": equal_to("OrderPlaced"),
                    "orderId": integer(7),
                    "lines": each_like(json!({"sku": regex("SKU-\\d{6}", "SKU-000123"), "qty": integer(12)}), 1),
                    "placedAt": datetime("yyyy-MM-dd'T'HH:mm:ssXXX", "2024-05-01T10:00:00Z"),
                }))
                .metadata("topic", "orders.placed")
                .schema(json!({
                    "type": "object",
                    "required": ["type", "orderId", "lines"],
                    "properties": {"lines": {"type": "array", "minItems": 1}}
                }));
        })
        .handled_by(|m| {
            let shipment = shipping_handler::handle_order_placed(m.contents.bytes())?;
            assert_eq!(shipment.order_id, 7);
            assert_eq!(shipment.parcels, 2);
            Ok::<(), String>(())
        })
        .unwrap();
}
