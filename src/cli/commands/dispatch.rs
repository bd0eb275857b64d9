//! Dispatch: which command module runs a parsed command line.

use crate::cli::args::{Cli, Command, ContractCommand, ImportCommand};
use crate::cli::outcome::Outcome;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Outcome {
    match cli.command {
        Command::Contract(ContractCommand::Check(args)) => super::contract_check::run(&args),
        Command::Mock(args) => super::mock::run(&args),
        Command::Verify(args) => super::verify::run(&args),
        Command::Publish(args) => super::gate::publish(&args),
        Command::CanIDeploy(args) => super::gate::can_i_deploy_cmd(&args),
        Command::RecordDeployment(args) => super::gate::record_deployment(&args),
        Command::RecordRelease(args) => super::broker_gate::record_release(&args),
        Command::RecordUndeployment(args) => super::broker_gate::record_undeployment(&args),
        Command::Diff(args) => super::gate::diff_cmd(&args),
        Command::Broker(args) => super::broker::run(&args),
        Command::Proxy(args) => super::proxy::run(&args),
        Command::Run(args) => super::run::run(&args),
        Command::Validate(args) => super::scenario::validate(&args),
        Command::List(args) => super::scenario::list(&args),
        Command::Clean(args) => super::clean::clean(&args),
        Command::Schema(args) => super::scenario::schema(&args),
        Command::Completions(args) => super::completions::run(&args),
        Command::Man(args) => super::man::run(&args),
        Command::Export(args) => super::export::run(&args),
        Command::Import(ImportCommand::ChaosMesh(args)) => super::import::run(&args),
    }
}
