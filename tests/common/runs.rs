//! What a scenario run started, seen from outside: the live processes whose environment
//! carries its `SHAKEDOWN_RUN_ID`, and a guard that kills them when a test fails.

/// Pids of live processes (zombies excluded) whose environment carries this run id.
pub fn processes_of(run_id: &str) -> Vec<u32> {
    let marker = format!("SHAKEDOWN_RUN_ID={run_id}");
    std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|v| v == marker.as_bytes()))
        })
        .filter(|pid| {
            // Zombies are gone in all but name.
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
        })
        .collect()
}

/// Kills whatever processes of a run are left when dropped (a failing test leaves nothing).
pub struct Leftovers(pub String);

impl Drop for Leftovers {
    fn drop(&mut self) {
        for pid in processes_of(&self.0) {
            if let Ok(pid) = i32::try_from(pid) {
                let pid = nix::unistd::Pid::from_raw(pid);
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            }
        }
    }
}
