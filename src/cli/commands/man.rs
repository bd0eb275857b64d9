//! `shakedown man [--dir DIR]`: the man page (clap_mangen), shakedown(1) on standard output,
//! or one page per command written into a directory.

use std::path::Path;

use anyhow::Context as _;
use clap::CommandFactory as _;

use crate::cli::args::{Cli, ManArgs};
use crate::cli::out::{out, outln};
use crate::cli::outcome::Outcome;

/// Runs the command.
pub fn run(args: &ManArgs) -> Outcome {
    let done = match &args.dir {
        Some(dir) => write_pages(dir),
        None => page().map(|roff| out!("{roff}")),
    };
    match done {
        Ok(()) => Outcome::Ok,
        Err(e) => {
            eprintln!("shakedown man: {e:#}");
            Outcome::UsageError
        }
    }
}

/// shakedown(1): options, every command with its summary, exit codes.
fn page() -> anyhow::Result<String> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut roff)?;
    Ok(String::from_utf8(roff)?)
}

/// shakedown.1 and shakedown-COMMAND.1 for every command (and sub-command) in `dir`.
fn write_pages(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .with_context(|| format!("cannot write man pages into {}", dir.display()))?;
    outln!("shakedown man: wrote the pages into {}", dir.display());
    Ok(())
}
