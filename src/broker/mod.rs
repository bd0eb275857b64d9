//! The Pact Broker, both ways: a client of its HAL API (the gate's commands with
//! `--broker-url`), and `shakedown broker`, which serves that API over an embedded SQLite
//! store so every Pact client publishes to it and verifies from it unchanged; which pacts a
//! provider verifies is decided by `selection`.

pub mod client;
pub mod selection;
pub mod server;
pub mod store;
