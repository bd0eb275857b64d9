//! The limits every outgoing HTTP call keeps (verifier, canaries, probes, readiness): a
//! connect timeout, a total timeout, and answers read up to a size cap, never whole.

use std::time::Duration;

/// How long a TCP connect may take, at most (less when the total timeout is shorter).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an answer's body was not read.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// The body passed the cap; the rest was not read.
    #[error("the answer is larger than {limit} bytes: not read further")]
    TooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The body could not be read (a timeout, a reset).
    #[error("reading the answer: {0}")]
    Read(String),
}

/// A client builder with the connect timeout and `total` as the timeout of a whole request
/// (its answer's body included); no redirects are followed.
pub fn builder(total: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(total))
        .timeout(total)
        .redirect(reqwest::redirect::Policy::none())
}

/// Reads `resp`'s body chunk by chunk, failing once it passes `limit` bytes.
pub async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, AnswerError> {
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| AnswerError::Read(describe(&e)))?
    {
        if body.len() + chunk.len() > limit {
            return Err(AnswerError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A client error in words: `timed out`, `connection refused or failed`, or the error with
/// its chain of causes (reqwest's own text names only the URL).
pub fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    if e.is_connect() {
        return "connection refused or failed".into();
    }
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg = format!("{msg}: {s}");
        source = s.source();
    }
    msg
}
