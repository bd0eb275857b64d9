//! The mock provider of a consumer test: a real HTTP server on 127.0.0.1 that serves the
//! declared interactions, verifies on drop that each was received and nothing else was, and
//! then records the contract.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::log::Unexpected;
use super::server::{RunningServer, ServerError};
use super::stub::{Stub, StubOptions};
use crate::contract::{merge_into_file, Interaction, StoreError};

/// Where a verified contract is written.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub consumer: String,
    pub provider: String,
    pub dir: PathBuf,
}

/// Why a mock provider's interactions were not all honoured.
#[derive(Debug, Clone)]
pub struct VerificationFailure {
    /// Descriptions of interactions that were never requested.
    pub missing: Vec<String>,
    /// Requests that matched no interaction: the most recent ones, up to
    /// [`KEPT_UNEXPECTED`](super::KEPT_UNEXPECTED).
    pub unexpected: Vec<Unexpected>,
    /// How many requests matched no interaction in all.
    pub unexpected_count: usize,
}

impl fmt::Display for VerificationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the mock provider's contract was not honoured:")?;
        for m in &self.missing {
            writeln!(f, "  missing request: no request matched interaction {m:?}")?;
        }
        let shown = self.unexpected.len();
        if self.unexpected_count > shown {
            writeln!(
                f,
                "  {} requests matched no interaction; the last {shown}:",
                self.unexpected_count
            )?;
        }
        for u in &self.unexpected {
            write!(f, "  unexpected request: {u}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerificationFailure {}

/// A running mock provider. Obtained from [`crate::consumer::Contract::start_mock_server`].
///
/// When dropped (at the end of the test), it checks that every interaction was requested
/// and that no request went unmatched; if so it merges the interactions into the contract
/// file, otherwise it fails the test with a report. A test that is already panicking writes
/// nothing.
pub struct MockServer {
    stub: Arc<Stub>,
    server: RunningServer,
    target: Option<Target>,
    url: String,
}

impl MockServer {
    pub(crate) fn start(
        interactions: Vec<Interaction>,
        seed: u64,
        target: Option<Target>,
    ) -> Result<Self, ServerError> {
        let stub = Arc::new(Stub::new(
            interactions,
            StubOptions {
                seed,
                ..Default::default()
            },
        ));
        let server = RunningServer::start("127.0.0.1:0", stub.clone(), 1)?;
        let url = format!("http://{}", server.addr());
        Ok(MockServer {
            stub,
            server,
            target,
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
        self.stub.with_log(|log| {
            let missing: Vec<String> = log
                .hits
                .iter()
                .zip(self.stub.interactions())
                .filter(|(hits, _)| **hits == 0)
                .map(|(_, i)| i.description.clone())
                .collect();
            if missing.is_empty() && log.unexpected_count == 0 {
                Ok(())
            } else {
                Err(VerificationFailure {
                    missing,
                    unexpected: log.unexpected.clone(),
                    unexpected_count: log.unexpected_count,
                })
            }
        })
    }

    /// Stops the server, verifies, and writes the contract: what dropping does, as a
    /// `Result` instead of a panic.
    pub fn finish(mut self) -> Result<Option<PathBuf>, FinishError> {
        self.server.stop();
        let outcome = self
            .verify()
            .map_err(FinishError::Verification)
            .and_then(|()| self.write().map_err(FinishError::Store));
        self.target = None;
        outcome
    }

    fn write(&self) -> Result<Option<PathBuf>, StoreError> {
        let Some(t) = &self.target else {
            return Ok(None);
        };
        merge_into_file(&t.dir, &t.consumer, &t.provider, self.stub.interactions()).map(Some)
    }
}

/// Why [`MockServer::finish`] failed.
#[derive(Debug, thiserror::Error)]
pub enum FinishError {
    /// The interactions were not honoured.
    #[error("{0}")]
    Verification(VerificationFailure),
    /// The contract file could not be written.
    #[error("cannot write the contract: {0}")]
    Store(StoreError),
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if self.target.is_none() {
            return;
        }
        self.server.stop();
        if std::thread::panicking() {
            return;
        }
        match self
            .verify()
            .map_err(FinishError::Verification)
            .and_then(|()| self.write().map_err(FinishError::Store))
        {
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
}
