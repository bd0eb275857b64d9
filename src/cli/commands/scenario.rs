//! `shakedown validate`, `list`, `clean` and `schema`: the scenario commands that run nothing.

use std::path::{Path, PathBuf};

use crate::cli::args::{CleanArgs, ListArgs, ValidateArgs};
use crate::cli::outcome::Outcome;
use crate::scenario::{self, ScenarioError};

/// `shakedown validate FILE...`
pub fn validate(args: &ValidateArgs) -> Outcome {
    let mut outcome = Outcome::Ok;
    for file in &args.files {
        match scenario::load(file) {
            Ok(s) => println!("{}: ok ({})", file.display(), s.name),
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
                println!("{}\n    {}", file.display(), s.name);
                if let Some(d) = &s.description {
                    println!("    {}", d.trim());
                }
                let services: Vec<&str> = s.services.keys().map(String::as_str).collect();
                println!(
                    "    services: {}; faults: {}; canaries: {}",
                    services.join(", "),
                    faults.join(", "),
                    s.canaries.len()
                );
            }
            Err(ScenarioError::Invalid { problems }) => {
                println!("{}\n    INVALID: {}", file.display(), problems[0]);
                outcome = Outcome::UsageError;
            }
            Err(e) => {
                println!("{}\n    UNREADABLE: {e}", file.display());
                outcome = Outcome::UsageError;
            }
        }
    }
    outcome
}

/// `shakedown clean`
pub fn clean(args: &CleanArgs) -> Outcome {
    let dir = args
        .state_dir
        .clone()
        .unwrap_or_else(scenario::default_state_dir);
    let mut cleaned = 0;
    for state in scenario::leftovers(&dir, args.all) {
        if args.run.as_ref().is_some_and(|r| *r != state.run_id) {
            continue;
        }
        let killed = scenario::clean_processes(&dir, &state);
        println!(
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
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("shakedown clean: {e}");
                return Outcome::UsageError;
            }
        };
        match rt.block_on(scenario::backend::clean_docker(args.run.as_deref())) {
            Ok(removed) => {
                for r in &removed {
                    println!("removed {r}");
                }
                cleaned += removed.len();
            }
            Err(e) => {
                eprintln!("shakedown clean: {e}");
                return Outcome::UsageError;
            }
        }
    }
    if cleaned == 0 {
        println!("nothing to clean");
    }
    Outcome::Ok
}

fn docker_present() -> bool {
    Path::new("/var/run/docker.sock").exists()
}

/// `shakedown schema`
pub fn schema() -> Outcome {
    print!("{}", scenario::json_schema_text());
    Outcome::Ok
}
