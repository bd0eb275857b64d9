//! The Docker daemon as the guards see it: a bollard client of their own (never
//! testcontainers' shared one), a container's process and addresses, and undoing from
//! `Drop` on a private runtime.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use bollard::query_parameters::InspectContainerOptions;
use bollard::{Docker, API_DEFAULT_VERSION};

use super::error::ContainerError;

const DEFAULT_SOCKET: &str = "/var/run/docker.sock";
/// Seconds bollard waits for any one answer.
const REQUEST_TIMEOUT_SECS: u64 = 30;
/// How long undoing a fault from `Drop` may take.
const UNDO_TIMEOUT: Duration = Duration::from_secs(20);

/// What a fault needs to know of a running container.
#[derive(Debug, Clone)]
pub struct Running {
    /// The host PID of its main process.
    pub pid: i64,
    /// Its IPv4 address on each of its networks.
    pub ips: BTreeMap<String, String>,
    /// The gateway (the host's address) of each of its networks.
    pub gateways: BTreeMap<String, String>,
}

/// A client on the unix socket (`DOCKER_HOST` when it names one, else the default).
pub fn connect() -> Result<Docker, ContainerError> {
    let socket = match std::env::var("DOCKER_HOST") {
        Ok(host) if host.starts_with("unix://") => host["unix://".len()..].to_string(),
        _ => DEFAULT_SOCKET.to_string(),
    };
    Docker::connect_with_unix(&socket, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
        .map_err(|e| ContainerError::Docker(format!("{socket}: {e}")))
}

/// The running container `id`'s main process and addresses.
pub async fn running(docker: &Docker, id: &str) -> Result<Running, ContainerError> {
    let details = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .map_err(|e| refused(&format!("inspecting {id}"), &e))?;
    let not_running = || ContainerError::State {
        id: id.to_string(),
        why: "it is not running".into(),
    };
    let state = details.state.ok_or_else(not_running)?;
    let pid = state
        .pid
        .filter(|pid| *pid > 0 && state.running == Some(true))
        .ok_or_else(not_running)?;
    let networks = details
        .network_settings
        .and_then(|s| s.networks)
        .unwrap_or_default();
    let mut found = Running {
        pid,
        ips: BTreeMap::new(),
        gateways: BTreeMap::new(),
    };
    for (name, endpoint) in networks {
        let ip = endpoint.ip_address.filter(|ip| !ip.is_empty());
        let gateway = endpoint.gateway.filter(|gw| !gw.is_empty());
        found.ips.extend(ip.map(|ip| (name.clone(), ip)));
        found.gateways.extend(gateway.map(|gw| (name, gw)));
    }
    Ok(found)
}

/// The daemon's refusal of `what`, as an error.
pub fn refused(what: &str, e: &bollard::errors::Error) -> ContainerError {
    ContainerError::Docker(format!("{what}: {e}"))
}

/// Runs `job`'s future to the end (bounded) on a thread with a runtime of its own, from
/// synchronous code inside or outside a tokio runtime; for `Drop`, so never panics: a
/// failure is logged as a warning.
pub fn undo<F>(what: String, job: impl FnOnce() -> F + Send + 'static)
where
    F: Future<Output = Result<(), ContainerError>>,
{
    let logged = what.clone();
    let worker = std::thread::Builder::new()
        .name("shakedown-container-undo".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let outcome = match runtime {
                Ok(runtime) => runtime.block_on(async {
                    tokio::time::timeout(UNDO_TIMEOUT, job())
                        .await
                        .unwrap_or_else(|_| Err(ContainerError::Docker("timed out".into())))
                }),
                Err(e) => Err(ContainerError::Docker(format!("no runtime: {e}"))),
            };
            if let Err(e) = outcome {
                tracing::warn!("undoing {what}: {e}");
            }
        });
    match worker {
        Ok(worker) => {
            let _ = worker.join();
        }
        Err(e) => tracing::warn!("undoing {logged}: no thread to do it on: {e}"),
    }
}
