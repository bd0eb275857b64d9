//! The owner of a run: the shakedown process running it, named so that a reused pid, another
//! machine or another pid namespace is never taken for it. Recorded in the state file and in
//! the labels of a run's containers; `clean` touches only runs whose owner is dead.

use std::collections::HashMap;

use nix::sys::signal::kill;
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use super::sweep;

/// Label prefix of the owner's fields on containers and networks.
const LABEL: &str = "org.shakedown.owner";

/// The process that runs a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Its pid.
    #[serde(rename = "owner_pid")]
    pub pid: u32,
    /// When it started, in clock ticks since boot (tells a reused pid apart).
    #[serde(rename = "owner_start", default)]
    pub start: Option<u64>,
    /// The boot it runs in (`/proc/sys/kernel/random/boot_id`): another machine or a reboot.
    #[serde(rename = "owner_boot", default)]
    pub boot: Option<String>,
    /// Its pid namespace (`/proc/self/ns/pid`): a pid means nothing in another one.
    #[serde(rename = "owner_pid_ns", default)]
    pub pid_ns: Option<String>,
}

/// Whether a run's owner still runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// It runs: its leftovers are not leftovers.
    Alive,
    /// It is gone: what it started is left over.
    Dead,
    /// It runs elsewhere (another machine, boot or pid namespace), or was not recorded.
    Unknown,
}

impl Owner {
    /// This process.
    pub fn me() -> Owner {
        let pid = std::process::id();
        Owner {
            pid,
            start: sweep::start_ticks(pid),
            boot: boot_id(),
            pid_ns: pid_namespace(),
        }
    }

    /// Whether this owner still runs (as far as this process can tell).
    pub fn liveness(&self) -> Liveness {
        let here = Owner::me();
        let elsewhere = |theirs: &Option<String>, mine: &Option<String>| {
            theirs.is_some() && mine.is_some() && theirs != mine
        };
        if elsewhere(&self.boot, &here.boot) || elsewhere(&self.pid_ns, &here.pid_ns) {
            return Liveness::Unknown;
        }
        let exists = i32::try_from(self.pid).is_ok_and(|p| kill(Pid::from_raw(p), None).is_ok());
        let same = self.start.is_none() || sweep::start_ticks(self.pid) == self.start;
        if exists && same {
            Liveness::Alive
        } else {
            Liveness::Dead
        }
    }

    /// The owner as container and network labels.
    pub fn labels(&self) -> HashMap<String, String> {
        let mut labels = HashMap::from([(format!("{LABEL}.pid"), self.pid.to_string())]);
        let optional = [
            ("start", self.start.map(|s| s.to_string())),
            ("boot", self.boot.clone()),
            ("pidns", self.pid_ns.clone()),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                labels.insert(format!("{LABEL}.{key}"), value);
            }
        }
        labels
    }

    /// The owner a container's or network's labels name, if they name one.
    pub fn from_labels(labels: &HashMap<String, String>) -> Option<Owner> {
        let get = |key: &str| labels.get(&format!("{LABEL}.{key}")).cloned();
        Some(Owner {
            pid: get("pid")?.parse().ok()?,
            start: get("start").and_then(|s| s.parse().ok()),
            boot: get("boot"),
            pid_ns: get("pidns"),
        })
    }
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "owner pid {}", self.pid)
    }
}

fn boot_id() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|s| s.trim().to_string())
}

fn pid_namespace() -> Option<String> {
    std::fs::read_link("/proc/self/ns/pid")
        .ok()
        .map(|p| p.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::{Liveness, Owner};

    #[test]
    fn should_be_alive_itself_and_dead_under_a_reused_pid() {
        let me = Owner::me();
        assert_eq!(me.liveness(), Liveness::Alive);
        let reused = Owner {
            start: me.start.map(|s| s + 1),
            ..me.clone()
        };
        assert_eq!(reused.liveness(), Liveness::Dead);
        let elsewhere = Owner {
            pid_ns: Some("pid:[1]".into()),
            ..me.clone()
        };
        assert_eq!(elsewhere.liveness(), Liveness::Unknown);
        assert_eq!(Owner::from_labels(&me.labels()), Some(me));
    }
}
