//! The verdict of a consumer test: every declared interaction requested and nothing else,
//! then the contract merged into its file. Shared by the DSL's mock provider and wiremock
//! recordings, so both verify and write the same way.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::log::Unexpected;
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

/// Why finishing a mock provider (or a wiremock recording) failed.
#[derive(Debug, thiserror::Error)]
pub enum FinishError {
    /// The interactions were not honoured.
    #[error("{0}")]
    Verification(VerificationFailure),
    /// The contract file could not be written.
    #[error("cannot write the contract: {0}")]
    Store(StoreError),
}

/// A stub's log judged against its interactions, and the contract written when it passes.
///
/// Dropped unfinished with a target, it finishes and panics on failure (the test fails with
/// the report); a thread already panicking writes nothing.
pub(crate) struct Verification {
    stub: Arc<Stub>,
    target: Option<Target>,
}

impl Verification {
    /// A stub over `interactions` (generators seeded by `seed`), to be written to `target`.
    pub(crate) fn new(interactions: Vec<Interaction>, seed: u64, target: Option<Target>) -> Self {
        Verification {
            stub: Arc::new(Stub::new(interactions, StubOptions::seeded(seed))),
            target,
        }
    }

    /// The stub whose log is judged.
    pub(crate) fn stub(&self) -> &Arc<Stub> {
        &self.stub
    }

    /// Checks that every interaction was requested at least once and that no request
    /// matched none.
    pub(crate) fn verify(&self) -> Result<(), VerificationFailure> {
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

    /// Verifies, then merges the interactions into the contract file (none without a
    /// target). Only once: afterwards there is no target, and dropping does nothing.
    pub(crate) fn finish(&mut self) -> Result<Option<PathBuf>, FinishError> {
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

impl Drop for Verification {
    fn drop(&mut self) {
        if self.target.is_none() || std::thread::panicking() {
            return;
        }
        if let Err(e) = self.finish() {
            panic!("{e}");
        }
    }
}
