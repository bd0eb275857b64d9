//! shakedown: consumer-driven contract tests and chaos experiments for microservices.
//!
//! The [`contract`] module reads Pact files of every specification version (V1 to V4),
//! matches requests, responses and messages against them with the full matcher set, and
//! writes canonical V4 files.
//!
//! ```
//! use shakedown::contract::{match_response, HttpResponse, Body, MatchingRule, RulePath, category};
//! use serde_json::json;
//!
//! let mut expected = HttpResponse { body: Body::json(&json!({"id": 1, "name": "tea"})), ..Default::default() };
//! expected.matching_rules.category_mut(category::BODY)
//!     .add(RulePath::parse("$.id").unwrap(), MatchingRule::Integer);
//! let actual = HttpResponse { body: Body::json(&json!({"id": 7, "name": "coffee"})), ..Default::default() };
//!
//! let mismatches = match_response(&expected, &actual);
//! assert_eq!(mismatches.len(), 1);
//! assert_eq!(mismatches[0].location, "$.body.name");
//! ```

pub mod contract;
// Leaf helpers: they import nothing from the crate, and any module may use them.
mod file;
mod paint;

#[cfg(feature = "broker")]
pub mod broker;
#[cfg(feature = "chaos")]
pub mod chaos;
#[cfg(feature = "scenario")]
pub mod chaos_mesh;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "consumer")]
pub mod consumer;
#[cfg(feature = "testcontainers")]
pub mod container;
#[cfg(feature = "gate")]
pub mod gate;
#[cfg(feature = "verifier")]
pub mod http_client;
#[cfg(any(feature = "consumer", feature = "chaos"))]
pub mod http_server;
// Crate-private: partitions for the docker backend and the testcontainers guards.
#[cfg(any(feature = "scenario", feature = "testcontainers"))]
mod partition;
#[cfg(feature = "report")]
pub mod report;
#[cfg(feature = "scenario")]
pub mod scenario;
#[cfg(feature = "verifier")]
pub mod verifier;
