//! The mock provider of a consumer test: a real HTTP server on 127.0.0.1 that serves the
//! declared interactions, verifies on drop that each was received and nothing else was, and
//! then records the contract.

use std::path::PathBuf;

use super::server::{RunningServer, ServerError};
use super::verification::{FinishError, Target, Verification, VerificationFailure};
use crate::contract::Interaction;

/// A running mock provider. Obtained from [`crate::consumer::Contract::start_mock_server`].
///
/// When dropped (at the end of the test), it checks that every interaction was requested
/// and that no request went unmatched; if so it merges the interactions into the contract
/// file, otherwise it fails the test with a report. A test that is already panicking writes
/// nothing.
pub struct MockServer {
    // Declared first: dropped (verified and written) after `Drop::drop` stopped the server.
    verification: Verification,
    server: RunningServer,
    url: String,
}

impl MockServer {
    pub(crate) fn start(
        interactions: Vec<Interaction>,
        seed: u64,
        target: Option<Target>,
    ) -> Result<Self, ServerError> {
        let verification = Verification::new(interactions, seed, target);
        let server = RunningServer::start("127.0.0.1:0", verification.stub().clone(), 1)?;
        let url = format!("http://{}", server.addr());
        Ok(MockServer {
            verification,
            server,
            url,
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The base URL joined with a path: `server.path("/orders/1")`.
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Checks that every interaction was requested at least once and that no request
    /// matched none.
    pub fn verify(&self) -> Result<(), VerificationFailure> {
        self.verification.verify()
    }

    /// Stops the server, verifies, and writes the contract: what dropping does, as a
    /// `Result` instead of a panic.
    pub fn finish(mut self) -> Result<Option<PathBuf>, FinishError> {
        self.server.stop();
        self.verification.finish()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        // No request is served once the verdict is taken (the fields drop after this).
        self.server.stop();
    }
}
