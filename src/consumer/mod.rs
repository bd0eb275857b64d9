//! The consumer side: declare a contract from `cargo test`, run the consumer's code against
//! a mock provider (HTTP) or hand it example messages (events), and record what it exercises.

mod contract;
mod interaction;
pub mod matchers;
mod message;
mod mock_server;
#[cfg(feature = "json-schema")]
mod schema;
mod server;
mod stub;
mod template;

pub use contract::{Contract, CONTRACT_DIR_ENV};
pub use interaction::{HttpInteractionBuilder, RequestBuilder, ResponseBuilder};
pub use message::{
    MessageBuilder, MessageError, PendingMessage, PendingSyncMessage, SyncMessageBuilder,
};
pub use mock_server::{FinishError, MockServer, VerificationFailure};
pub use server::{RunningServer, ServerError};
pub use stub::{Log, Stub, StubOptions, Unexpected, STATE_HEADER};
pub use template::{extract, Extracted, TemplateError};
