//! The `shipping` consumer of the example shop: handles `OrderPlaced` events by planning a
//! shipment.

use serde::Deserialize;

/// The event the orders service publishes when an order is placed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderPlaced {
    /// The order's id.
    pub order_id: u64,
    /// What to ship.
    pub lines: Vec<EventLine>,
}

/// One line of the event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventLine {
    /// The product.
    pub sku: String,
    /// How many.
    pub qty: u32,
}

/// A planned shipment.
#[derive(Debug, Clone, PartialEq)]
pub struct Shipment {
    /// The order shipped.
    pub order_id: u64,
    /// How many parcels.
    pub parcels: u32,
}

/// Plans a shipment for an `OrderPlaced` event given as JSON bytes: one parcel per ten items.
pub fn handle_order_placed(payload: &[u8]) -> Result<Shipment, String> {
    let event: OrderPlaced =
        serde_json::from_slice(payload).map_err(|e| format!("not an OrderPlaced event: {e}"))?;
    if event.lines.is_empty() {
        return Err("an order without lines cannot be shipped".into());
    }
    let items: u32 = event.lines.iter().map(|l| l.qty).sum();
    Ok(Shipment {
        order_id: event.order_id,
        parcels: items.div_ceil(10).max(1),
    })
}
