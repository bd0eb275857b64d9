//! Provider verification: replay consumers' contracts against the real provider, with
//! provider states and message producers, and report what broke.

mod messages;
mod replay;
mod report;
mod state;
mod verify;

pub use messages::{MessageFn, MessageSource};
pub use report::{
    ContractResult, InteractionError, InteractionResult, Outcome, Tally, VerificationReport,
};
pub use state::{StateAction, StateFn, StateHandler};
pub use verify::{Verifier, VerifyError};
