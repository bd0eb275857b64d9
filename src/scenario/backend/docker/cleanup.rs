//! Removing what runs leave in Docker: everything labelled `org.shakedown.run` (of one run,
//! or of every run whose owner is dead), from async code or, for `Drop`, from a thread with
//! a runtime of its own.

use std::time::Duration;

use bollard::Docker;

use super::super::address::BackendError;
use super::daemon;
use crate::scenario::owner::{Liveness, Owner};

/// How long the cleanup of a dropped backend may take.
const DROP_CLEANUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Attempts at removing a network whose last endpoints are being released.
const NETWORK_ATTEMPTS: u32 = 5;

/// A run `shakedown clean` found in Docker, and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct DockerRun {
    /// The run's id (label `org.shakedown.run`).
    pub run_id: String,
    /// The shakedown process its labels name, if they name one.
    pub owner: Option<Owner>,
    /// Whether that process still runs it (unknown without an owner label).
    pub liveness: Liveness,
    /// What was removed, containers first; empty when the run was left alone.
    pub removed: Vec<String>,
}

/// Removes what runs left in Docker: the containers (whatever their state) and networks of
/// every run whose owner is dead. A live run, or one whose owner cannot be checked (another
/// machine or pid namespace, no owner label), is left alone unless `run_id` names it or
/// `all` is set. Returns every run found, with what was removed.
pub async fn clean_docker(run_id: Option<&str>, all: bool) -> Result<Vec<DockerRun>, BackendError> {
    let docker = daemon::connect().await?;
    let mut found = Vec::new();
    for (run, owner) in daemon::labelled_runs(&docker, run_id).await? {
        let liveness = owner.as_ref().map_or(Liveness::Unknown, Owner::liveness);
        let chosen = liveness == Liveness::Dead || all || run_id.is_some();
        let removed = if chosen {
            remove_labelled(&docker, Some(&run)).await?
        } else {
            Vec::new()
        };
        found.push(DockerRun {
            run_id: run,
            owner,
            liveness,
            removed,
        });
    }
    Ok(found)
}

/// Removes run `run_id`'s containers and network, live or not (its own teardown).
pub async fn remove_run(run_id: &str) -> Result<Vec<String>, BackendError> {
    let docker = daemon::connect().await?;
    remove_labelled(&docker, Some(run_id)).await
}

/// Removes the containers, then the networks, labelled for `run_id` (or for any run); tries
/// everything before reporting the failures.
pub async fn remove_labelled(
    docker: &Docker,
    run_id: Option<&str>,
) -> Result<Vec<String>, BackendError> {
    let mut removed = Vec::new();
    let mut failures = Vec::new();
    for name in daemon::labelled_containers(docker, run_id).await? {
        match daemon::remove_container(docker, &name).await {
            Ok(()) => removed.push(name),
            Err(e) => failures.push(e.to_string()),
        }
    }
    for name in daemon::labelled_networks(docker, run_id).await? {
        match remove_network(docker, &name).await {
            Ok(()) => removed.push(name),
            Err(e) => failures.push(e.to_string()),
        }
    }
    if failures.is_empty() {
        Ok(removed)
    } else {
        Err(BackendError::Docker(failures.join("; ")))
    }
}

/// Removes a network, retrying briefly while the daemon still counts endpoints of containers
/// just removed; a missing network is not an error.
pub async fn remove_network(docker: &Docker, name: &str) -> Result<(), BackendError> {
    let mut attempt = 1;
    loop {
        match docker.remove_network(name).await {
            Ok(()) => return Ok(()),
            Err(e) if daemon::is_status(&e, 404) => return Ok(()),
            Err(e) if attempt >= NETWORK_ATTEMPTS => {
                return Err(daemon::refused(&format!("removing network {name}"), &e))
            }
            Err(_) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// Removes run `run_id`'s containers and network from synchronous code (a `Drop`), inside
/// or outside a tokio runtime: a thread of its own runs a private runtime, and this waits
/// for it. Never panics; failures are only logged.
pub fn remove_run_blocking(run_id: &str) {
    let run_id = run_id.to_string();
    let worker = std::thread::Builder::new()
        .name("shakedown-docker-cleanup".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let Ok(runtime) = runtime else {
                tracing::warn!("run {run_id}: no runtime to remove its containers");
                return;
            };
            let cleanup =
                async { tokio::time::timeout(DROP_CLEANUP_TIMEOUT, remove_run(&run_id)).await };
            match runtime.block_on(cleanup) {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!("run {run_id}: {e}"),
                Err(_) => tracing::warn!("run {run_id}: cleanup timed out"),
            }
        });
    if let Ok(worker) = worker {
        let _ = worker.join();
    }
}
