//! The CI gate without a server: a local results store, the can-i-deploy matrix, and
//! breaking-change diffs of contracts.

mod diff;
mod matrix;
mod record;
mod store;

pub use diff::{diff, Change};
pub use matrix::{can_i_deploy, decide, Decision, Facts, Reason};
pub use record::{now, Record};
pub use store::{ResultsStore, StoreError};
