//! `shakedown contract check`: report problems in contract files, optionally upgrade to V4.

use std::path::{Path, PathBuf};

use owo_colors::OwoColorize;
use serde::Serialize;

use crate::cli::args::CheckArgs;
use crate::cli::out::{json, outln};
use crate::cli::outcome::Outcome;
use crate::cli::style::stdout_color;
use crate::contract::{check_file, CheckReport, Pact, Problem, Severity};
use crate::file::write_atomically;

/// What `--format json` prints: every file checked, then the totals.
#[derive(Debug, Default, Serialize)]
struct CheckOutput {
    files: Vec<FileResult>,
    errors: usize,
    warnings: usize,
}

/// One file in the JSON output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FileResult {
    file: PathBuf,
    /// No problem is an error (and the file could be read and written).
    ok: bool,
    /// Why the file could not be read (or upgraded), when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// The Pact specification version the file was written in, when it parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    spec_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    consumer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interactions: Option<usize>,
    /// Rewritten as Pact V4 by --upgrade.
    upgraded: bool,
    problems: Vec<Problem>,
}

impl FileResult {
    fn new(file: &Path, report: Option<&CheckReport>) -> Self {
        let pact = report.and_then(|r| r.pact.as_ref());
        FileResult {
            file: file.to_path_buf(),
            ok: report.is_some_and(CheckReport::is_ok),
            error: None,
            spec_version: pact.map(|p| p.spec_version.to_string()),
            consumer: pact.map(|p| p.consumer.to_string()),
            provider: pact.map(|p| p.provider.to_string()),
            interactions: pact.map(|p| p.interactions.len()),
            upgraded: false,
            problems: report.map(|r| r.problems.clone()).unwrap_or_default(),
        }
    }
}

/// Runs the command.
pub fn run(args: &CheckArgs) -> Outcome {
    let color = stdout_color() && !args.format.json();
    let mut outcome = Outcome::Ok;
    let mut output = CheckOutput::default();
    for file in &args.files {
        let report = match check_file(file) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", file.display());
                let mut result = FileResult::new(file, None);
                result.error = Some(format!("cannot read: {e}"));
                output.files.push(result);
                outcome = outcome.worst(Outcome::UsageError);
                continue;
            }
        };
        let mut result = FileResult::new(file, Some(&report));
        for p in &report.problems {
            if !args.format.json() {
                print_problem(p, color);
            }
            match p.severity {
                Severity::Error => output.errors += 1,
                Severity::Warning => output.warnings += 1,
            }
        }
        if !report.is_ok() {
            outcome = outcome.worst(Outcome::CheckFailed);
        } else {
            match after_success(file, &report, args) {
                Ok(upgraded) => result.upgraded = upgraded,
                Err(e) => {
                    eprintln!("{}: {e}", file.display());
                    result.ok = false;
                    result.error = Some(e.to_string());
                    outcome = outcome.worst(Outcome::UsageError);
                }
            }
        }
        output.files.push(result);
    }
    if args.format.json() {
        json(&output);
    } else {
        outln!(
            "checked {}: {}, {}",
            plural(args.files.len(), "file"),
            plural(output.errors, "error"),
            plural(output.warnings, "warning")
        );
    }
    outcome
}

fn print_problem(p: &Problem, color: bool) {
    let line = p.to_string();
    match (p.severity, color) {
        (Severity::Error, true) => outln!("{}", line.red()),
        (Severity::Warning, true) => outln!("{}", line.yellow()),
        _ => outln!("{line}"),
    }
}

/// Upgrades a sound file (with --upgrade) or says it is sound; whether it was upgraded.
fn after_success(file: &Path, report: &CheckReport, args: &CheckArgs) -> std::io::Result<bool> {
    let Some(pact) = &report.pact else {
        return Ok(false);
    };
    let text = !args.format.json();
    if args.upgrade {
        write_atomically(file, pact.to_pretty_string().as_bytes())?;
        if text {
            outln!(
                "{}: upgraded from Pact {} to 4.0 ({})",
                file.display(),
                pact.spec_version,
                count(pact)
            );
        }
    } else if text && !args.quiet {
        outln!(
            "{}: ok (Pact {}, {}, {} → {})",
            file.display(),
            pact.spec_version,
            count(pact),
            pact.consumer,
            pact.provider
        );
    }
    Ok(args.upgrade)
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
