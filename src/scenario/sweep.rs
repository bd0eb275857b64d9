//! Finding what a run started in `/proc` and killing it: the members of its process groups,
//! and every process whose environment carries the run's `SHAKEDOWN_RUN_ID` (the backstop
//! for a service that left its group, e.g. a daemon that called `setsid`). Only processes
//! that prove they belong to the run are touched.

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

/// The environment variable every service of a run carries: the run's id.
pub const RUN_ID_VAR: &str = "SHAKEDOWN_RUN_ID";

/// Scans of the marked processes: one that forks while it is scanned is caught by the next.
const ROUNDS: usize = 4;

/// The numeric entries of `/proc`: every process id visible here.
fn all_pids() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

/// The fields of `/proc/PID/stat` after the command name (state, ppid, pgrp, …).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// The process group of a live (not zombie) process.
fn live_group(pid: u32) -> Option<u32> {
    let fields = stat_fields(pid)?;
    if fields.first().is_some_and(|s| s == "Z") {
        return None;
    }
    fields.get(2)?.parse().ok()
}

/// When a process started, in clock ticks since boot (field 22 of `/proc/PID/stat`): with
/// the pid, it names one process even when pids are reused.
pub fn start_ticks(pid: u32) -> Option<u64> {
    stat_fields(pid)?.get(19)?.parse().ok()
}

/// True when process `pid`'s environment carries run `run_id`'s marker.
pub fn carries(pid: u32, run_id: &str) -> bool {
    let marker = format!("{RUN_ID_VAR}={run_id}");
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|env| env.split(|b| *b == 0).any(|v| v == marker.as_bytes()))
}

fn pid_of(pid: u32) -> Option<Pid> {
    i32::try_from(pid)
        .ok()
        .filter(|p| *p > 0)
        .map(Pid::from_raw)
}

/// Kills process group `pgid` (SIGCONT, then SIGKILL) when one of its live members carries
/// the run's marker, which proves the group is still the run's (a group id is reused only
/// once the group is empty). True when the group was killed.
pub fn kill_group(pgid: u32, run_id: &str) -> bool {
    let Some(group) = pid_of(pgid) else {
        return false;
    };
    let ours = all_pids()
        .into_iter()
        .any(|pid| live_group(pid) == Some(pgid) && carries(pid, run_id));
    if !ours {
        return false;
    }
    let _ = killpg(group, Signal::SIGCONT);
    killpg(group, Signal::SIGKILL).is_ok()
}

/// Kills (SIGKILL) every live process carrying run `run_id`'s marker, this process aside,
/// scanning again while new ones appear (bounded); returns their pids.
pub fn kill_marked(run_id: &str) -> Vec<u32> {
    let me = std::process::id();
    let mut killed = Vec::new();
    for _ in 0..ROUNDS {
        let found: Vec<u32> = all_pids()
            .into_iter()
            .filter(|&pid| pid != me && live_group(pid).is_some() && carries(pid, run_id))
            .filter(|pid| !killed.contains(pid))
            .collect();
        if found.is_empty() {
            break;
        }
        for pid in found {
            if pid_of(pid).is_some_and(|p| kill(p, Signal::SIGKILL).is_ok()) {
                killed.push(pid);
            }
        }
    }
    killed
}
