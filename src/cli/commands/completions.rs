//! `shakedown completions SHELL`: the shell completion script (clap_complete) on standard
//! output.

use clap::CommandFactory as _;

use crate::cli::args::{Cli, CompletionsArgs};
use crate::cli::outcome::Outcome;

/// Runs the command.
pub fn run(args: &CompletionsArgs) -> Outcome {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "shakedown", &mut script);
    crate::cli::out::out!("{}", String::from_utf8_lossy(&script));
    Outcome::Ok
}
