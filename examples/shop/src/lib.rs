//! The example shop: the parts of its services (orders, payments, shipping) and of its
//! consumers (the `web` client, the `shipping` event handler), used by its binaries and by
//! shakedown's own consumer, provider and scenario tests.

pub mod breaker;
pub mod checkout;
pub mod events;
pub mod metrics;
pub mod nats;
pub mod orders_service;
pub mod payments_client;
pub mod payments_service;
pub mod serve;
pub mod shipping_handler;
pub mod shipping_service;
pub mod web_client;
