//! The command-line interface: clap arguments, commands, and the table of exit codes.

mod args;
mod commands;
mod entry;
mod live;
mod logging;
mod out;
mod outcome;
mod signals;
mod style;

pub use args::{Cli, Command};
pub use entry::main;
pub use outcome::Outcome;
