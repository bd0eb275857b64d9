//! Pacts for verification: the pacts a provider verifies, chosen by consumer version
//! selectors, deduplicated by content, with their pending and work-in-progress status and
//! the broker's notices (the body and answer of
//! `POST /pacts/provider/{provider}/for-verification`).

mod criterion;
mod error;
mod history;
mod notice;
mod pending;
mod publication;
mod reason;
mod request;
mod select;
mod selector;
mod wip;

pub use error::{SelectionError, SelectorProblem};
pub use notice::Notice;
pub use publication::{PastVerification, Publication};
pub use request::ForVerification;
pub use select::{select, Selected};
pub use selector::Selector;

#[cfg(test)]
mod fixtures;
