//! The Pact Broker, both ways: `shakedown broker` serves its HAL API over an embedded
//! SQLite store, so every Pact client publishes to it and verifies from it unchanged.

pub mod server;
pub mod store;
