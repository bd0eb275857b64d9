//! `shakedown broker`'s server: the Pact Broker's HAL API over the [`super::store`], so
//! every Pact client (the reference `pact` CLI, pact-js, pact-jvm, pact-python, shakedown)
//! publishes to it and verifies from it unchanged.
//!
//! Requests run on the blocking pool (each store call is a short SQLite transaction);
//! routing is a match on the method and the decoded path segments (`routes.rs`); each
//! resource family has its module.

mod answer;
mod app;
mod auth;
mod call;
mod environments;
mod for_verification;
mod ids;
mod index;
mod links;
mod matrix;
mod matrix_query;
mod options;
mod pacticipants;
mod pacts;
mod routes;
mod test_states;
mod verification_results;
mod webhooks;

pub use app::{serve, Broker};
pub use options::BrokerOptions;
pub use test_states::STATES;
