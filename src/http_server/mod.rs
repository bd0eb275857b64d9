//! The small HTTP/1.1 server loop shared by the mock provider and the proxy's API, with the
//! limits every server of the crate keeps: header-read and idle timeouts, a cap on open
//! connections, a request-body cap, and backoff on accept errors.

mod backoff;
mod body;
mod connection;
mod idle;
mod options;
mod serve;
mod slots;

pub use connection::serve_connection;
pub use options::{ServerOptions, DEFAULT_MAX_BODY};
pub use serve::{serve, Unanswered};
