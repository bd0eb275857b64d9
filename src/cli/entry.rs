//! The binary's entry: parse the process arguments, run the command, map the outcome to an
//! exit code.

use super::args::Cli;
use super::commands;
use super::outcome::Outcome;

/// Parses the process arguments, runs the command and maps its outcome to an exit code.
pub fn main() -> std::process::ExitCode {
    use clap::Parser as _;
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Outcome::from_clap(&e).into();
        }
    };
    commands::run(cli).into()
}
