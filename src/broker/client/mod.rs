//! A client of the Pact Broker's HAL API: starts at `GET /` and follows `_links` by relation
//! name (templated hrefs expanded), with bearer or basic auth, retries of 5xx answers and
//! failed connections, and one small error type.

mod auth;
mod broker;
mod environment;
mod error;
mod hal;
mod matrix;
mod pacticipant;
mod publish;
mod runtime;
mod verification;

pub use auth::Auth;
pub use broker::{Broker, Retry};
pub use environment::{DeployedVersion, Environment, NewEnvironment};
pub use error::BrokerError;
pub use hal::{expand, percent_encode, Hal, Link};
pub use matrix::{Matrix, MatrixQuery, MatrixRow, MatrixSelector};
pub use pacticipant::{PactRef, PactVersion, Pacticipant, Version};
pub use publish::{ContractFile, Notice, Publication, Published};
pub use runtime::block_on;
pub use verification::{FetchedPact, PactToVerify, PactsQuery, VerificationResult};
