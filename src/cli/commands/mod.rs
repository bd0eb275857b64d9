//! The commands, one module each.

mod contract_check;
mod mock;

use super::args::{Cli, Command, ContractCommand};
use super::outcome::Outcome;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Contract(ContractCommand::Check(args)) => contract_check::run(&args),
        Command::Mock(args) => mock::run(&args),
    }
}
