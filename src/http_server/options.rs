//! The limits a server loop keeps, with defaults for production and a way for tests to
//! lower them.

use std::time::Duration;

/// The request-body cap of [`ServerOptions::default`]: 16 MiB.
pub const DEFAULT_MAX_BODY: usize = 16 << 20;

/// Limits of [`super::serve`].
///
/// ```
/// use std::time::Duration;
/// use shakedown::http_server::ServerOptions;
/// let quick = ServerOptions { idle_timeout: Duration::from_millis(500), ..ServerOptions::default() };
/// assert_eq!(quick.header_read_timeout, Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    /// A client must send a request's whole head (request line and headers) within this time
    /// after the server starts waiting for it, or the connection is closed.
    pub header_read_timeout: Duration,
    /// A connection on which no byte was read or written for this long is closed (a
    /// keep-alive connection left open, a client that stopped reading its answer).
    pub idle_timeout: Duration,
    /// At most this many connections are served at once; further clients wait in the
    /// listen queue until one closes.
    pub max_connections: usize,
    /// Request bodies larger than this many bytes are answered 413.
    pub max_body: usize,
}

impl Default for ServerOptions {
    /// Header read 10 s, idle 60 s, 4,096 connections, bodies up to [`DEFAULT_MAX_BODY`].
    fn default() -> Self {
        ServerOptions {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 4096,
            max_body: DEFAULT_MAX_BODY,
        }
    }
}
