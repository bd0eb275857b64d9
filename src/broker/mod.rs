//! The Pact Broker's side of the gate: which pacts a provider verifies (selection).

pub mod selection;
