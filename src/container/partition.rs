//! Partition: a container cut off from the host or from another container by nftables
//! rules in its network namespace (the docker backend's machinery, `crate::partition`),
//! healed when the guard drops.
//!
//! The cuts in force are kept per container, process-wide, so that several guards on one
//! container add up; each change rewrites the container's whole table. Cutting the same
//! pair twice is one cut: the first guard dropped heals it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use super::daemon::{self, Running};
use super::error::ContainerError;
use crate::partition::{self, Cuts, Fence};

/// The cuts of one container and the fence that installs them.
struct Fenced {
    pid: i64,
    fence: Option<Arc<Fence>>,
    cuts: Cuts,
    /// The IP of every peer named in `cuts`.
    ips: BTreeMap<String, String>,
}

/// One end of a partition: a container, and a peer it may not reach (nor be reached by).
#[derive(Debug, Clone)]
struct Side {
    id: String,
    pid: i64,
    peer: String,
    peer_ip: String,
}

/// A partition in force; dropping the guard heals it (inside or outside a tokio runtime,
/// never panicking: a failure is logged).
#[must_use = "the partition is healed as soon as the guard is dropped"]
#[derive(Debug)]
pub struct Partition {
    sides: Vec<Side>,
}

fn fenced() -> MutexGuard<'static, BTreeMap<String, Fenced>> {
    static FENCED: OnceLock<Mutex<BTreeMap<String, Fenced>>> = OnceLock::new();
    FENCED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Cuts container `id` off from the host: no packet between it and the gateway of any of
/// its networks (the address the host, its published ports and a fault proxy use).
pub async fn from_host(id: &str) -> Result<Partition, ContainerError> {
    let running = daemon::running(&daemon::connect()?, id).await?;
    let sides = running
        .gateways
        .iter()
        .map(|(network, gateway)| side(id, &running, &format!("host@{network}"), gateway))
        .collect::<Vec<_>>();
    if sides.is_empty() {
        return Err(ContainerError::State {
            id: id.to_string(),
            why: "it is on no network with a gateway".into(),
        });
    }
    apply(sides).await
}

/// Cuts containers `a` and `b` off from each other on a network they share.
pub async fn between(a: &str, b: &str) -> Result<Partition, ContainerError> {
    let docker = daemon::connect()?;
    let (ra, rb) = (
        daemon::running(&docker, a).await?,
        daemon::running(&docker, b).await?,
    );
    let shared = ra.ips.keys().find(|network| rb.ips.contains_key(*network));
    let Some(network) = shared else {
        return Err(ContainerError::State {
            id: a.to_string(),
            why: format!("it shares no network with {b}"),
        });
    };
    apply(vec![
        side(a, &ra, b, &rb.ips[network]),
        side(b, &rb, a, &ra.ips[network]),
    ])
    .await
}

fn side(id: &str, running: &Running, peer: &str, peer_ip: &str) -> Side {
    Side {
        id: id.to_string(),
        pid: running.pid,
        peer: peer.to_string(),
        peer_ip: peer_ip.to_string(),
    }
}

/// Held from computing a container's new script to its install, so that two guards
/// changing one container at once cannot install their scripts in the other order (which
/// would revive a healed cut or drop one still held). Partitions are rare: one at a time.
static CHANGING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Adds every side's cut and installs the new rules; the guard heals them.
async fn apply(sides: Vec<Side>) -> Result<Partition, ContainerError> {
    // Declared first, dropped last: on an error the lock is released before the guard's
    // Drop heals what was installed (which takes the lock itself).
    let partition = Partition { sides };
    let _one_at_a_time = CHANGING.lock().await;
    for side in &partition.sides {
        let (fence, script) = change(side, true);
        install(side, fence, script).await?;
    }
    Ok(partition)
}

/// Adds (or removes) a side's cut; returns the fence and the container's new script.
fn change(side: &Side, cut: bool) -> (Option<Arc<Fence>>, String) {
    let mut all = fenced();
    let entry = all.entry(side.id.clone()).or_insert_with(|| Fenced {
        pid: 0,
        fence: None,
        cuts: Cuts::default(),
        ips: BTreeMap::new(),
    });
    if entry.pid != side.pid {
        // First cut, or the container restarted: a fence in its current namespace.
        entry.pid = side.pid;
        entry.fence = Fence::enter(side.pid).ok().map(Arc::new);
    }
    let (me, peer) = ([side.id.clone()], [side.peer.clone()]);
    if cut {
        entry.cuts.add(&me, &peer, false);
        entry.ips.insert(side.peer.clone(), side.peer_ip.clone());
    } else {
        entry.cuts.remove(&me, &peer, false);
    }
    let (fence, script) = (entry.fence.clone(), entry.cuts.script(&side.id, &entry.ips));
    if entry.cuts.is_empty() {
        all.remove(&side.id); // its fence thread ends once this last script is installed
    }
    (fence, script)
}

/// Runs `script` in the side's container: through its fence, else `nsenter … nft`.
async fn install(
    side: &Side,
    fence: Option<Arc<Fence>>,
    script: String,
) -> Result<(), ContainerError> {
    let installed = match fence {
        Some(fence) => fence.install(script).await,
        None => partition::install(side.pid, &script).await,
    };
    installed.map_err(|why| ContainerError::Partition {
        id: side.id.clone(),
        why,
    })
}

impl Drop for Partition {
    fn drop(&mut self) {
        let sides = std::mem::take(&mut self.sides);
        let what = format!("a partition of {}", sides.first().map_or("", |s| &s.id));
        daemon::undo(what, move || async move {
            let _one_at_a_time = CHANGING.lock().await;
            let mut outcome = Ok(());
            for side in &sides {
                let (fence, script) = change(side, false);
                let healed = install(side, fence, script).await;
                outcome = outcome.and(healed); // every side is healed; the first error kept
            }
            outcome
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(peer: &str, ip: &str) -> Side {
        Side {
            id: "unit-test-container".into(),
            pid: i64::from(std::process::id()),
            peer: peer.into(),
            peer_ip: ip.into(),
        }
    }

    #[test]
    fn should_add_up_the_cuts_of_several_guards_and_forget_a_healed_container() {
        let (host, other) = (side("host@net", "10.9.0.1"), side("other", "10.9.0.7"));
        let (_, first) = change(&host, true);
        assert!(first.contains("ip daddr { 10.9.0.1 } ct direction original drop"));
        let (_, both) = change(&other, true);
        assert!(both.contains("ip daddr { 10.9.0.1, 10.9.0.7 } ct direction reply drop"));

        let (_, one_left) = change(&host, false);
        assert!(one_left.contains("ip daddr { 10.9.0.7 } ct direction original drop"));
        assert!(!one_left.contains("10.9.0.1"));
        let (_, healed) = change(&other, false);
        assert!(!healed.contains("drop"), "{healed}");
        assert!(!fenced().contains_key("unit-test-container"));
    }
}
