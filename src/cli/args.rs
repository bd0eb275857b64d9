//! Raw command-line arguments, as clap parses them.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Contract tests and chaos experiments for microservices.
///
/// Exit codes: 0 when everything checked out, 1 when a check failed (a broken contract),
/// 2 for usage errors and environment problems (unreadable files, bad flags).
#[derive(Debug, Parser)]
#[command(name = "shakedown", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with contract (Pact) files.
    #[command(subcommand)]
    Contract(ContractCommand),
}

/// `shakedown contract …`
#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Check contract files of any Pact version (V1–V4) for problems.
    ///
    /// Reports malformed JSON, unknown matchers, bad regular expressions, date formats and
    /// generators, and rule paths that match nothing in their example, each as
    /// FILE:LINE:COLUMN. Warnings (an example that breaks its own rule) do not fail the check.
    /// Exit code 0 when every file is sound, 1 when any has an error, 2 when a file cannot be
    /// read.
    Check(CheckArgs),
}

/// Arguments of `shakedown contract check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Contract files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Rewrite each sound file as a canonical Pact V4 file (atomically, in place).
    #[arg(long)]
    pub upgrade: bool,

    /// Print only problems and the summary.
    #[arg(short, long)]
    pub quiet: bool,
}
