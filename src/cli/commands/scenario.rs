//! `shakedown validate`, `list`, `clean` and `schema`: the scenario commands that run nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::cli::args::{CleanArgs, ListArgs, ValidateArgs};
use crate::cli::out::{out, outln};
use crate::cli::outcome::Outcome;
use crate::scenario::{self, Liveness, ScenarioError};

/// `shakedown validate FILE...`
pub fn validate(args: &ValidateArgs) -> Outcome {
    let mut outcome = Outcome::Ok;
    for file in &args.files {
        match scenario::load(file) {
            Ok(s) => outln!("{}: ok ({})", file.display(), s.name),
            Err(e) => {
                eprintln!("{e}");
                outcome = Outcome::UsageError;
            }
        }
    }
    outcome
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
    let mut outcome = Outcome::Ok;
    for file in files {
        match scenario::load(&file) {
            Ok(s) => {
                let faults: Vec<&str> = s.faults.iter().map(|f| f.kind().name()).collect();
                outln!("{}\n    {}", file.display(), s.name);
                if let Some(d) = &s.description {
                    outln!("    {}", d.trim());
                }
                let services: Vec<&str> = s.services.keys().map(String::as_str).collect();
                outln!(
                    "    services: {}; faults: {}; canaries: {}",
                    services.join(", "),
                    faults.join(", "),
                    s.canaries.len()
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

/// `shakedown clean`: kills and removes what dead runs left (processes from the state files,
/// containers and networks by label); a live run is left alone unless `--run` names it or
/// `--all` is given, and is said to be live either way.
pub fn clean(args: &CleanArgs) -> Outcome {
    let dir = args
        .state_dir
        .clone()
        .unwrap_or_else(scenario::default_state_dir);
    if dir.exists() {
        if let Err(e) = scenario::check_private(&dir) {
            eprintln!("shakedown clean: the state folder {e}");
            return Outcome::UsageError;
        }
    }
    let mut told = BTreeSet::new();
    let mut cleaned = 0;
    for state in scenario::recorded_runs(&dir) {
        if !chosen(args, &state.run_id, state.owner.liveness(), &mut told) {
            continue;
        }
        let killed = scenario::clean_processes(&dir, &state);
        outln!(
            "run {}: killed {} process group(s) {:?} and {} process(es) outside them {:?}",
            state.run_id,
            killed.groups.len(),
            killed.groups,
            killed.processes.len(),
            killed.processes
        );
        cleaned += 1;
    }
    if !args.no_docker && docker_present() {
        match clean_containers(args, &mut told) {
            Ok(removed) => cleaned += removed,
            Err(e) => {
                eprintln!("shakedown clean: {e}");
                return Outcome::UsageError;
            }
        }
    }
    if cleaned == 0 {
        outln!("nothing to clean");
    }
    Outcome::Ok
}

/// The containers and networks of the runs `clean` may touch; returns how many were removed.
fn clean_containers(args: &CleanArgs, told: &mut BTreeSet<String>) -> anyhow::Result<usize> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let runs = rt.block_on(scenario::backend::clean_docker(
        args.run.as_deref(),
        args.all,
    ))?;
    let mut removed = 0;
    for run in runs {
        // Says whether the run is live; clean_docker chose the same way.
        chosen(args, &run.run_id, run.liveness, told);
        for r in &run.removed {
            outln!("removed {r}");
        }
        removed += run.removed.len();
    }
    Ok(removed)
}

/// Whether `clean` may touch a run: a dead one, or a live one that `--run` names or `--all`
/// takes (which is said, once per run, as is a live run left alone).
fn chosen(args: &CleanArgs, run_id: &str, liveness: Liveness, told: &mut BTreeSet<String>) -> bool {
    if args.run.as_deref().is_some_and(|r| r != run_id) {
        return false;
    }
    let state = match liveness {
        Liveness::Dead => return true,
        Liveness::Alive => "live",
        Liveness::Unknown => "maybe live (its owner runs elsewhere or is not recorded)",
    };
    let forced = args.all || args.run.is_some();
    if told.insert(run_id.to_string()) {
        if forced {
            outln!("run {run_id}: {state}, cleaned as asked");
        } else {
            outln!("run {run_id}: {state}, left alone (--run {run_id} or --all cleans it)");
        }
    }
    forced
}

fn docker_present() -> bool {
    Path::new("/var/run/docker.sock").exists()
}

/// `shakedown schema`
pub fn schema() -> Outcome {
    out!("{}", scenario::json_schema_text());
    Outcome::Ok
}
