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

    /// Serve contract files as a stub HTTP provider until Ctrl-C.
    ///
    /// Each request is answered by the first HTTP interaction whose request it matches (with
    /// generators applied); a request that matches none gets a 500 whose JSON body names the
    /// closest interaction and every mismatch, and is logged. Select a provider state for all
    /// requests with --state, or per request with the `X-Provider-State` header.
    /// Exit code 0 after a clean shutdown, 2 when a file cannot be read or the port bound.
    Mock(MockArgs),
}

/// Arguments of `shakedown mock`.
#[derive(Debug, clap::Args)]
pub struct MockArgs {
    /// Contract files to serve (any Pact version).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Port to listen on (0: pick a free one and print it).
    #[arg(short, long, default_value_t = 0)]
    pub port: u16,

    /// Address to bind. Loopback by default, so the stub is reachable only from this machine.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Serve only interactions with this provider state.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,

    /// Seed for generated values, so that responses can be reproduced.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Server worker threads.
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
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
