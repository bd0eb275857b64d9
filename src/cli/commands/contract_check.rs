//! `shakedown contract check`: report problems in contract files, optionally upgrade to V4.

use std::path::Path;

use owo_colors::OwoColorize;

use crate::cli::args::CheckArgs;
use crate::cli::out::outln;
use crate::cli::outcome::Outcome;
use crate::cli::style::stdout_color;
use crate::contract::{check_file, CheckReport, Pact, Severity};
use crate::file::write_atomically;

/// Runs the command.
pub fn run(args: &CheckArgs) -> Outcome {
    let color = stdout_color();
    let mut outcome = Outcome::Ok;
    let (mut errors, mut warnings) = (0, 0);
    for file in &args.files {
        let report = match check_file(file) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", file.display());
                outcome = outcome.worst(Outcome::UsageError);
                continue;
            }
        };
        for p in &report.problems {
            let line = p.to_string();
            match (p.severity, color) {
                (Severity::Error, true) => outln!("{}", line.red()),
                (Severity::Warning, true) => outln!("{}", line.yellow()),
                _ => outln!("{line}"),
            }
            match p.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
        }
        if !report.is_ok() {
            outcome = outcome.worst(Outcome::CheckFailed);
            continue;
        }
        if let Err(e) = after_success(file, &report, args) {
            eprintln!("{}: {e}", file.display());
            outcome = outcome.worst(Outcome::UsageError);
        }
    }
    outln!(
        "checked {}: {}, {}",
        plural(args.files.len(), "file"),
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    outcome
}

fn after_success(file: &Path, report: &CheckReport, args: &CheckArgs) -> std::io::Result<()> {
    let Some(pact) = &report.pact else {
        return Ok(());
    };
    if args.upgrade {
        write_atomically(file, pact.to_pretty_string().as_bytes())?;
        outln!(
            "{}: upgraded from Pact {} to 4.0 ({})",
            file.display(),
            pact.spec_version,
            count(pact)
        );
    } else if !args.quiet {
        outln!(
            "{}: ok (Pact {}, {}, {} → {})",
            file.display(),
            pact.spec_version,
            count(pact),
            pact.consumer,
            pact.provider
        );
    }
    Ok(())
}

fn count(pact: &Pact) -> String {
    match pact.interactions.len() {
        1 => "1 interaction".to_string(),
        n => format!("{n} interactions"),
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
