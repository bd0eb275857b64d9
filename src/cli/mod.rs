//! The command-line interface: clap arguments, commands, and the table of exit codes.

mod args;
mod commands;
mod logging;
mod outcome;
mod style;

pub use args::{Cli, Command};
pub use outcome::Outcome;

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
