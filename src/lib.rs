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

pub mod chaos;
pub mod cli;
pub mod consumer;
pub mod contract;
mod file;
pub mod gate;
mod http_server;
mod paint;
pub mod report;
pub mod scenario;
pub mod verifier;
