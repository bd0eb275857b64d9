//! Run state files: what a run started (process ids, the run id its containers carry), kept
//! on disk while it runs so that `shakedown clean` can remove the leftovers of a run that
//! was killed before it could clean up itself.

use std::path::{Path, PathBuf};

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

/// What one run has started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// The run's id (Docker label `org.shakedown.run`).
    pub run_id: String,
    /// The shakedown process running it.
    pub owner_pid: u32,
    /// `process` or `docker`.
    pub backend: String,
    /// Process groups of the services (process backend).
    pub pids: Vec<u32>,
}

/// The default directory of run state and logs: `$SHAKEDOWN_STATE_DIR`, else
/// `<temp>/shakedown`.
pub fn default_state_dir() -> PathBuf {
    std::env::var_os("SHAKEDOWN_STATE_DIR")
        .map_or_else(|| std::env::temp_dir().join("shakedown"), PathBuf::from)
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
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(state).unwrap_or_default())?;
    std::fs::rename(tmp, path)
}

/// Removes a run's state file (the run cleaned up after itself).
pub fn forget(dir: &Path, run_id: &str) {
    let _ = std::fs::remove_file(state_file(dir, run_id));
}

/// The state of runs whose owner is no longer alive (or every run when `all`).
pub fn leftovers(dir: &Path, all: bool) -> Vec<RunState> {
    let Ok(entries) = std::fs::read_dir(dir.join("runs")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| serde_json::from_slice::<RunState>(&std::fs::read(e.path()).ok()?).ok())
        .filter(|s| all || !alive(s.owner_pid))
        .collect()
}

fn alive(pid: u32) -> bool {
    i32::try_from(pid).is_ok_and(|p| kill(Pid::from_raw(p), None).is_ok())
}

/// Kills the process groups of a leftover run and forgets it; returns the pids killed.
pub fn clean_processes(dir: &Path, state: &RunState) -> Vec<u32> {
    let mut killed = Vec::new();
    for &pid in &state.pids {
        let Ok(p) = i32::try_from(pid) else { continue };
        if !belongs_to(pid, &state.run_id) {
            continue;
        }
        let group = Pid::from_raw(p);
        let _ = killpg(group, Signal::SIGCONT);
        if killpg(group, Signal::SIGKILL).is_ok() {
            killed.push(pid);
        }
    }
    forget(dir, &state.run_id);
    killed
}

/// True when process `pid` was started by run `run_id` (its environment says so), so that a
/// reused pid is never killed.
fn belongs_to(pid: u32, run_id: &str) -> bool {
    let marker = format!("SHAKEDOWN_RUN_ID={run_id}");
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|env| env.split(|b| *b == 0).any(|v| v == marker.as_bytes()))
}
