//! `shakedown validate`, `list` and `schema`: the scenario commands that run nothing.

use std::path::{Path, PathBuf};

use crate::cli::args::{ListArgs, SchemaArgs, ValidateArgs};
use serde::Serialize;

use crate::cli::out::{json, out, outln};
use crate::cli::outcome::Outcome;
use crate::scenario::{self, Problem, Scenario, ScenarioError};

/// One scenario file in the JSON of `validate` and `list`.
#[derive(Debug, Serialize)]
struct FileResult {
    file: PathBuf,
    /// The file is a valid scenario.
    ok: bool,
    /// The scenario's name, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// Why the file could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    problems: Vec<Problem>,
    /// What the loader read but did not take (e.g. Compose keys), when valid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<Problem>,
    /// What `list` adds for a valid scenario.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    summary: Option<Summary>,
}

/// What a valid scenario holds, for `list`.
#[derive(Debug, Serialize)]
struct Summary {
    description: Option<String>,
    services: Vec<String>,
    faults: Vec<String>,
    canaries: usize,
}

impl FileResult {
    fn new(file: &Path, loaded: &Result<Scenario, ScenarioError>) -> Self {
        let mut result = FileResult {
            file: file.to_path_buf(),
            ok: loaded.is_ok(),
            name: None,
            error: None,
            problems: Vec::new(),
            warnings: Vec::new(),
            summary: None,
        };
        match loaded {
            Ok(s) => {
                result.name = Some(s.name.clone());
                result.warnings = s.warnings.clone();
            }
            Err(ScenarioError::Invalid { problems }) => result.problems = problems.clone(),
            Err(e) => result.error = Some(e.to_string()),
        }
        result
    }

    fn with_summary(mut self, loaded: &Result<Scenario, ScenarioError>) -> Self {
        self.summary = loaded.as_ref().ok().map(Summary::of);
        self
    }
}

impl Summary {
    /// What `list` shows of `s`, in text or JSON.
    fn of(s: &Scenario) -> Self {
        Summary {
            description: s.description.as_ref().map(|d| d.trim().to_string()),
            services: s.services.keys().cloned().collect(),
            faults: s
                .faults
                .iter()
                .map(|f| f.kind().name().to_string())
                .collect(),
            canaries: s.canaries.len(),
        }
    }
}

/// `shakedown validate FILE...`
pub fn validate(args: &ValidateArgs) -> Outcome {
    let mut outcome = Outcome::Ok;
    let mut results = Vec::new();
    for file in &args.files {
        let loaded = scenario::load(file);
        match &loaded {
            Ok(s) if !args.format.json() => {
                warn_about(s);
                outln!("{}: ok ({})", file.display(), s.name);
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("{e}");
                outcome = Outcome::UsageError;
            }
        }
        results.push(FileResult::new(file, &loaded));
    }
    if args.format.json() {
        json(&results);
    }
    outcome
}

/// Prints on standard error what the loader read but did not take, one located line each.
pub fn warn_about(scenario: &Scenario) {
    for w in &scenario.warnings {
        let file = w.file.display();
        eprintln!("{file}:{}:{}: warning: {}", w.line, w.column, w.message);
    }
}

/// The scenario files of a directory, sorted.
pub fn scenario_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// `shakedown list [DIR]`
pub fn list(args: &ListArgs) -> Outcome {
    let files = match scenario_files(&args.dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("shakedown list: {}: {e}", args.dir.display());
            return Outcome::UsageError;
        }
    };
    if args.format.json() {
        return list_json(&files);
    }
    let mut outcome = Outcome::Ok;
    for file in files {
        match scenario::load(&file) {
            Ok(s) => {
                let summary = Summary::of(&s);
                outln!("{}\n    {}", file.display(), s.name);
                if let Some(d) = &summary.description {
                    outln!("    {d}");
                }
                outln!(
                    "    services: {}; faults: {}; canaries: {}",
                    summary.services.join(", "),
                    summary.faults.join(", "),
                    summary.canaries
                );
            }
            Err(ScenarioError::Invalid { problems }) => {
                outln!("{}\n    INVALID: {}", file.display(), problems[0]);
                outcome = Outcome::UsageError;
            }
            Err(e) => {
                outln!("{}\n    UNREADABLE: {e}", file.display());
                outcome = Outcome::UsageError;
            }
        }
    }
    outcome
}

/// `shakedown list --format json`: every file, valid or not, as one JSON array.
fn list_json(files: &[PathBuf]) -> Outcome {
    let results: Vec<FileResult> = files
        .iter()
        .map(|file| {
            let loaded = scenario::load(file);
            FileResult::new(file, &loaded).with_summary(&loaded)
        })
        .collect();
    json(&results);
    if results.iter().all(|r| r.ok) {
        Outcome::Ok
    } else {
        Outcome::UsageError
    }
}

/// `shakedown schema [--system]`
pub fn schema(args: &SchemaArgs) -> Outcome {
    if args.system {
        out!("{}", scenario::system_json_schema_text());
    } else {
        out!("{}", scenario::json_schema_text());
    }
    Outcome::Ok
}
