//! The binary's entry: parse the process arguments, run the command, map the outcome to an
//! exit code.

use super::args::Cli;
use super::commands;
use super::outcome::Outcome;
use super::style;

/// Parses the process arguments, runs the command and maps its outcome to an exit code.
pub fn main() -> std::process::ExitCode {
    use clap::{CommandFactory as _, FromArgMatches as _};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // clap's own help and errors follow --color too, so it is read before clap parses.
    let command = Cli::command().color(style::clap_choice(style::color_flag(&args)));
    let parsed = command
        .try_get_matches_from(args)
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Outcome::from_clap(&e).into();
        }
    };
    style::init(cli.color);
    commands::run(cli).into()
}
