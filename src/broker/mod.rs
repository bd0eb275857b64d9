//! The Pact Broker, both ways: `shakedown broker` serves its HAL API over an embedded
//! SQLite store, so every Pact client publishes to it and verifies from it unchanged; which
//! pacts a provider verifies is decided by `selection`.

pub mod selection;
pub mod server;
pub mod store;
