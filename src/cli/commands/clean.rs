//! `shakedown clean`: remove what killed runs left (processes, Docker containers and
//! networks), leaving live runs alone unless asked.

use std::path::Path;

use serde::Serialize;

use crate::cli::args::CleanArgs;
use crate::cli::out::{json, outln};
use crate::cli::outcome::Outcome;
use crate::scenario::{self, Liveness};

/// What `clean --format json` prints: every run found, cleaned or left alone.
#[derive(Debug, Default, Serialize)]
struct Cleaned {
    runs: Vec<RunCleaned>,
}

/// One run in the JSON output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RunCleaned {
    run_id: String,
    /// `dead`, `live`, or `unknown` (its owner runs elsewhere or is not recorded).
    liveness: &'static str,
    /// Whether anything of it was killed or removed (false: a live run left alone, or
    /// nothing left).
    cleaned: bool,
    killed_groups: Vec<u32>,
    killed_processes: Vec<u32>,
    /// Docker containers, then networks, removed.
    removed: Vec<String>,
}

impl Cleaned {
    /// The run's entry, added on first sight.
    fn run(&mut self, run_id: &str, liveness: Liveness) -> &mut RunCleaned {
        let at = match self.runs.iter().position(|r| r.run_id == run_id) {
            Some(at) => at,
            None => {
                self.runs.push(RunCleaned {
                    run_id: run_id.to_string(),
                    liveness: match liveness {
                        Liveness::Dead => "dead",
                        Liveness::Alive => "live",
                        Liveness::Unknown => "unknown",
                    },
                    cleaned: false,
                    killed_groups: Vec::new(),
                    killed_processes: Vec::new(),
                    removed: Vec::new(),
                });
                self.runs.len() - 1
            }
        };
        &mut self.runs[at]
    }
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
    let mut seen = Cleaned::default();
    clean_processes(args, &dir, &mut seen);
    if !args.no_docker && docker_present() {
        if let Err(e) = clean_containers(args, &mut seen) {
            eprintln!("shakedown clean: {e}");
            return Outcome::UsageError;
        }
    }
    if args.format.json() {
        json(&seen);
    } else if !seen.runs.iter().any(|r| r.cleaned) {
        outln!("nothing to clean");
    }
    Outcome::Ok
}

/// The processes of the recorded runs `clean` may touch.
fn clean_processes(args: &CleanArgs, dir: &Path, seen: &mut Cleaned) {
    for state in scenario::recorded_runs(dir) {
        if !chosen(args, &state.run_id, state.owner.liveness(), seen) {
            continue;
        }
        let killed = scenario::clean_processes(dir, &state);
        if !args.format.json() {
            outln!(
                "run {}: killed {} process group(s) {:?} and {} process(es) outside them {:?}",
                state.run_id,
                killed.groups.len(),
                killed.groups,
                killed.processes.len(),
                killed.processes
            );
        }
        let run = seen.run(&state.run_id, state.owner.liveness());
        run.cleaned = true;
        run.killed_groups.extend(killed.groups);
        run.killed_processes.extend(killed.processes);
    }
}

/// The containers and networks of the runs `clean` may touch.
fn clean_containers(args: &CleanArgs, seen: &mut Cleaned) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let runs = rt.block_on(scenario::backend::clean_docker(
        args.run.as_deref(),
        args.all,
    ))?;
    for run in runs {
        // Says whether the run is live; clean_docker chose the same way.
        chosen(args, &run.run_id, run.liveness, seen);
        for r in &run.removed {
            if !args.format.json() {
                outln!("removed {r}");
            }
        }
        let entry = seen.run(&run.run_id, run.liveness);
        entry.cleaned |= !run.removed.is_empty();
        entry.removed.extend(run.removed);
    }
    Ok(())
}

/// Whether `clean` may touch a run: a dead one, or a live one that `--run` names or `--all`
/// takes (which is said, once per run, as is a live run left alone).
fn chosen(args: &CleanArgs, run_id: &str, liveness: Liveness, seen: &mut Cleaned) -> bool {
    if args.run.as_deref().is_some_and(|r| r != run_id) {
        return false;
    }
    let state = match liveness {
        Liveness::Dead => return true,
        Liveness::Alive => "live",
        Liveness::Unknown => "maybe live (its owner runs elsewhere or is not recorded)",
    };
    let forced = args.all || args.run.is_some();
    let first = !seen.runs.iter().any(|r| r.run_id == run_id);
    seen.run(run_id, liveness);
    if first && !args.format.json() {
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
