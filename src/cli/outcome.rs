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

    /// The outcome of a clap parse error: `--help` and `--version` are not errors; usage
    /// printed because a command is missing (bare `shakedown`) is one.
    pub fn from_clap(e: &clap::Error) -> Self {
        use clap::error::ErrorKind as K;
        match e.kind() {
            K::DisplayHelp | K::DisplayVersion => Outcome::Ok,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser as _;

    fn parse_outcome(args: &[&str]) -> Outcome {
        Outcome::from_clap(&Cli::try_parse_from(args).unwrap_err())
    }

    #[test]
    fn help_and_version_succeed_but_a_missing_command_is_a_usage_error() {
        assert_eq!(parse_outcome(&["shakedown", "--help"]), Outcome::Ok);
        assert_eq!(parse_outcome(&["shakedown", "--version"]), Outcome::Ok);
        assert_eq!(parse_outcome(&["shakedown"]), Outcome::UsageError);
        assert_eq!(
            parse_outcome(&["shakedown", "contract"]),
            Outcome::UsageError
        );
    }
}
