//! The Pact Broker: a client of its HAL API (the gate's commands with `--broker-url`).

pub mod client;
