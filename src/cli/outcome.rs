//! The one table from command outcomes to process exit codes.

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything checked out (exit 0).
    Ok,
    /// The check ran and failed: a broken contract, a failed verification (exit 1).
    CheckFailed,
    /// Bad usage, or the environment prevented the check: unreadable file, bad flag (exit 2).
    UsageError,
}

impl Outcome {
    /// The exit code for this outcome.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Ok => 0,
            Outcome::CheckFailed => 1,
            Outcome::UsageError => 2,
        }
    }

    /// The outcome of a clap parse error: help and version requests are not errors.
    pub fn from_clap(e: &clap::Error) -> Self {
        use clap::error::ErrorKind as K;
        match e.kind() {
            K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand => {
                Outcome::Ok
            }
            _ => Outcome::UsageError,
        }
    }

    /// The worse of two outcomes.
    pub fn worst(self, other: Outcome) -> Outcome {
        if other.code() > self.code() {
            other
        } else {
            self
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        ExitCode::from(o.code())
    }
}
