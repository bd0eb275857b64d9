//! The commands, one module each.

mod contract_check;
mod gate;
mod mock;
mod proxy;
mod verify;

use super::args::{Cli, Command, ContractCommand};
use super::outcome::Outcome;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Contract(ContractCommand::Check(args)) => contract_check::run(&args),
        Command::Mock(args) => mock::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Publish(args) => gate::publish(&args),
        Command::CanIDeploy(args) => gate::can_i_deploy_cmd(&args),
        Command::RecordDeployment(args) => gate::record_deployment(&args),
        Command::Diff(args) => gate::diff_cmd(&args),
        Command::Proxy(args) => proxy::run(&args),
    }
}
