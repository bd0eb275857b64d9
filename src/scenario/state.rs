//! Run state files: what a run started (process ids, the run id its containers carry), kept
//! on disk while it runs so that `shakedown clean` can remove the leftovers of a run that
//! was killed before it could clean up itself.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::owner::Owner;
use super::sweep;

/// What one run has started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// The run's id (Docker label `org.shakedown.run`).
    pub run_id: String,
    /// The shakedown process running it (`owner_pid`, `owner_start`, … in the file).
    #[serde(flatten)]
    pub owner: Owner,
    /// `process` or `docker`.
    pub backend: String,
    /// Process group ids of the services (process backend): each leader's pid.
    pub pids: Vec<u32>,
}

/// The state file of a run.
pub fn state_file(dir: &Path, run_id: &str) -> PathBuf {
    dir.join("runs").join(format!("{run_id}.json"))
}

/// Writes (or rewrites) a run's state file atomically.
pub fn save(dir: &Path, state: &RunState) -> std::io::Result<()> {
    let path = state_file(dir, &state.run_id);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    crate::file::replace(&path, &serde_json::to_vec_pretty(state).unwrap_or_default())
}

/// Removes a run's state file (the run cleaned up after itself).
pub fn forget(dir: &Path, run_id: &str) {
    let _ = std::fs::remove_file(state_file(dir, run_id));
}

/// Every run recorded in `dir`, live or not (ask its [`Owner`]).
pub fn recorded_runs(dir: &Path) -> Vec<RunState> {
    let Ok(entries) = std::fs::read_dir(dir.join("runs")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| serde_json::from_slice::<RunState>(&std::fs::read(e.path()).ok()?).ok())
        .collect()
}

/// What [`clean_processes`] killed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cleaned {
    /// Process groups killed (a member still carried the run's id).
    pub groups: Vec<u32>,
    /// Processes killed one by one: they carried the run's id outside those groups.
    pub processes: Vec<u32>,
}

/// Kills what a leftover run started and forgets it: every recorded process group one of
/// whose live members carries the run's id (the leader may be long dead), then every
/// process still carrying it (one that left its group). Nothing else is touched.
pub fn clean_processes(dir: &Path, state: &RunState) -> Cleaned {
    let groups = state
        .pids
        .iter()
        .copied()
        .filter(|&g| sweep::kill_group(g, &state.run_id))
        .collect();
    let processes = sweep::kill_marked(&state.run_id);
    forget(dir, &state.run_id);
    Cleaned { groups, processes }
}
