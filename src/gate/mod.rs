//! The CI gate without a server: a local results store, the can-i-deploy matrix, and
//! breaking-change diffs of contracts.

mod diff;
mod matrix;
mod store;

pub use diff::{diff, Change};
pub use matrix::{can_i_deploy, Decision, Reason};
pub use store::{now, Record, ResultsStore, StoreError};
