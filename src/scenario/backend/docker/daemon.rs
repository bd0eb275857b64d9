//! Talking to the Docker daemon (bollard over the unix socket): connecting, errors, and the
//! few calls the backend makes more than once.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bollard::errors::Error;
use bollard::models::{ContainerInspectResponse, ContainerState, NetworkCreateRequest};
use bollard::query_parameters::{
    InspectContainerOptions, ListContainersOptions, ListNetworksOptions, RemoveContainerOptions,
};
use bollard::{Docker, API_DEFAULT_VERSION};

use super::super::address::BackendError;
use crate::scenario::owner::Owner;

/// The label every container and network of a run carries, valued with the run id.
pub const RUN_LABEL: &str = "org.shakedown.run";
/// The label naming the service a container runs.
pub const SERVICE_LABEL: &str = "org.shakedown.service";

const DEFAULT_SOCKET: &str = "/var/run/docker.sock";
/// Seconds bollard waits for any one answer.
const REQUEST_TIMEOUT_SECS: u64 = 60;
/// How long the first contact may take before Docker counts as unavailable.
const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to the daemon (`DOCKER_HOST` when it names a unix socket, else the default
/// socket) and checks that it answers.
pub async fn connect() -> Result<Docker, BackendError> {
    connect_to(&socket_path()).await
}

fn socket_path() -> String {
    match std::env::var("DOCKER_HOST") {
        Ok(host) if host.starts_with("unix://") => host["unix://".len()..].to_string(),
        _ => DEFAULT_SOCKET.to_string(),
    }
}

/// Connects to the daemon behind `socket` and pings it.
pub async fn connect_to(socket: &str) -> Result<Docker, BackendError> {
    let unavailable = |why: String| {
        BackendError::Docker(format!(
            "Docker is not available: {why} (is the daemon running? {socket})"
        ))
    };
    let docker = Docker::connect_with_unix(socket, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
        .map_err(|e| unavailable(message(&e)))?;
    match tokio::time::timeout(PING_TIMEOUT, docker.ping()).await {
        Ok(Ok(_)) => Ok(docker),
        Ok(Err(e)) => Err(unavailable(message(&e))),
        Err(_) => Err(unavailable(format!("no answer within {PING_TIMEOUT:?}"))),
    }
}

/// What the daemon said, without bollard's wrapping.
pub fn message(e: &Error) -> String {
    match e {
        Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// A [`BackendError::Docker`] saying which request failed and why.
pub fn refused(what: &str, e: &Error) -> BackendError {
    BackendError::Docker(format!("{what}: {}", message(e)))
}

/// Whether the daemon answered with this HTTP status.
pub fn is_status(e: &Error, code: u16) -> bool {
    matches!(e, Error::DockerResponseServerError { status_code, .. } if *status_code == code)
}

/// The labels of everything run `run_id` creates: the run, its owner (this process), and the
/// service's name for containers.
pub fn labels(run_id: &str, service: Option<&str>) -> HashMap<String, String> {
    let mut labels = Owner::me().labels();
    labels.insert(RUN_LABEL.to_string(), run_id.to_string());
    if let Some(service) = service {
        labels.insert(SERVICE_LABEL.to_string(), service.to_string());
    }
    labels
}

/// A `label` filter: every run's objects, or one run's.
pub fn label_filter(run_id: Option<&str>) -> HashMap<String, Vec<String>> {
    let label = match run_id {
        Some(id) => format!("{RUN_LABEL}={id}"),
        None => RUN_LABEL.to_string(),
    };
    HashMap::from([("label".to_string(), vec![label])])
}

/// Creates the run's bridge network (or finds it, if it exists) and returns its gateway IP.
pub async fn create_network(
    docker: &Docker,
    name: &str,
    run_id: &str,
) -> Result<String, BackendError> {
    let exists = docker.inspect_network(name, None).await.is_ok();
    if !exists {
        let request = NetworkCreateRequest {
            name: name.to_string(),
            driver: Some("bridge".into()),
            labels: Some(labels(run_id, None)),
            ..Default::default()
        };
        docker
            .create_network(request)
            .await
            .map_err(|e| refused(&format!("creating network {name}"), &e))?;
    }
    gateway(docker, name).await
}

async fn gateway(docker: &Docker, name: &str) -> Result<String, BackendError> {
    let network = docker
        .inspect_network(name, None)
        .await
        .map_err(|e| refused(&format!("inspecting network {name}"), &e))?;
    network
        .ipam
        .and_then(|ipam| ipam.config)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|config| config.gateway)
        .find(|gateway| gateway.parse::<std::net::Ipv4Addr>().is_ok())
        .ok_or_else(|| BackendError::Docker(format!("network {name} has no IPv4 gateway")))
}

/// A container's details, `None` if it does not exist.
pub async fn inspect(
    docker: &Docker,
    container: &str,
) -> Result<Option<ContainerInspectResponse>, BackendError> {
    match docker
        .inspect_container(container, None::<InspectContainerOptions>)
        .await
    {
        Ok(details) => Ok(Some(details)),
        Err(e) if is_status(&e, 404) => Ok(None),
        Err(e) => Err(refused(&format!("inspecting {container}"), &e)),
    }
}

/// A container's state (`None` if the container does not exist).
pub async fn state(
    docker: &Docker,
    container: &str,
) -> Result<Option<ContainerState>, BackendError> {
    Ok(inspect(docker, container).await?.and_then(|d| d.state))
}

/// Whether a state is that of a live process (running, possibly paused).
pub fn is_running(state: &ContainerState) -> bool {
    state.running == Some(true)
}

/// The container's IP on `network`, if it has one (a stopped container has none).
pub fn ip_on(details: &ContainerInspectResponse, network: &str) -> Option<String> {
    let networks = details.network_settings.as_ref()?.networks.as_ref()?;
    let ip = networks.get(network)?.ip_address.clone()?;
    (!ip.is_empty()).then_some(ip)
}

/// The host PID of the container's main process (0 or absent when it is not running).
pub fn pid(details: &ContainerInspectResponse) -> Option<i64> {
    let state = details.state.as_ref()?;
    state.pid.filter(|pid| *pid > 0 && is_running(state))
}

/// Removes a container, paused or not, running or not; a missing one is not an error.
pub async fn remove_container(docker: &Docker, container: &str) -> Result<(), BackendError> {
    let options = RemoveContainerOptions {
        force: true,
        v: true,
        link: false,
    };
    match docker.remove_container(container, Some(options)).await {
        Err(e) if !is_status(&e, 404) => Err(refused(&format!("removing {container}"), &e)),
        _ => Ok(()),
    }
}

/// Names of the containers labelled for one run (or every run), without Docker's `/`.
pub async fn labelled_containers(
    docker: &Docker,
    run_id: Option<&str>,
) -> Result<Vec<String>, BackendError> {
    let options = ListContainersOptions {
        all: true,
        filters: Some(label_filter(run_id)),
        ..Default::default()
    };
    let containers = docker
        .list_containers(Some(options))
        .await
        .map_err(|e| refused("listing containers", &e))?;
    let names = containers
        .into_iter()
        .filter_map(|c| c.names.and_then(|n| n.into_iter().next()).or(c.id))
        .map(|name| name.trim_start_matches('/').to_string());
    Ok(names.collect())
}

/// Names of the networks labelled for one run (or every run).
pub async fn labelled_networks(
    docker: &Docker,
    run_id: Option<&str>,
) -> Result<Vec<String>, BackendError> {
    let options = ListNetworksOptions {
        filters: Some(label_filter(run_id)),
    };
    let networks = docker
        .list_networks(Some(options))
        .await
        .map_err(|e| refused("listing networks", &e))?;
    Ok(networks.into_iter().filter_map(|n| n.name).collect())
}

/// The runs that have containers or networks (only `run_id`, when given), each with the
/// owner its labels name (none for objects labelled before owners were).
pub async fn labelled_runs(
    docker: &Docker,
    run_id: Option<&str>,
) -> Result<BTreeMap<String, Option<Owner>>, BackendError> {
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(label_filter(run_id)),
            ..Default::default()
        }))
        .await
        .map_err(|e| refused("listing containers", &e))?;
    let networks = docker
        .list_networks(Some(ListNetworksOptions {
            filters: Some(label_filter(run_id)),
        }))
        .await
        .map_err(|e| refused("listing networks", &e))?;
    let mut runs = BTreeMap::new();
    let labels = containers
        .into_iter()
        .filter_map(|c| c.labels)
        .chain(networks.into_iter().filter_map(|n| n.labels));
    for labels in labels {
        if let Some(run) = labels.get(RUN_LABEL) {
            let owner = Owner::from_labels(&labels);
            let known: &mut Option<Owner> = runs.entry(run.clone()).or_default();
            if known.is_none() {
                *known = owner;
            }
        }
    }
    Ok(runs)
}
