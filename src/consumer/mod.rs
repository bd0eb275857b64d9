//! The consumer side: declare a contract from `cargo test`, run the consumer's code against
//! a mock provider (HTTP) or hand it example messages (events), and record what it exercises.

mod contract;
mod index;
mod interaction;
mod log;
pub mod matchers;
mod message;
mod mock_server;
mod redact;
#[cfg(feature = "json-schema")]
mod schema;
mod server;
mod stub;
mod stub_fault;
mod template;
mod verification;
#[cfg(feature = "wiremock")]
pub mod wiremock;

pub use contract::{Contract, CONTRACT_DIR_ENV};
pub use interaction::{HttpInteractionBuilder, RequestBuilder, ResponseBuilder};
pub use log::{Log, Unexpected, KEPT_MISMATCHES, KEPT_TEXT, KEPT_UNEXPECTED};
pub use message::{
    MessageBuilder, MessageError, PendingMessage, PendingSyncMessage, SyncMessageBuilder,
};
pub use mock_server::MockServer;
pub use redact::{REDACTED, REDACTED_HEADERS};
pub use server::{RunningServer, ServerError, MAX_WORKERS};
pub use stub::{Answer, Stub, StubOptions, STATE_HEADER};
pub use stub_fault::{FaultAction, FaultSpecError, StubFault};
pub use template::{extract, Extracted, TemplateError};
pub use verification::{FinishError, VerificationFailure};
