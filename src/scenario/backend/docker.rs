//! The docker backend: each service a container from a local image (never pulled) on a bridge
//! network of the run's own; crash = `docker kill`, pause = `docker pause`, partition =
//! nftables rules in the containers' network namespaces (`crate::partition`). Logs go to
//! `LOG_DIR/NAME.log` at shutdown.
//!
//! Each container has its service's name as an alias on the run's network, so services reach
//! each other by name (`http://payments:9090`) as in Docker Compose.
//!
//! Everything the backend creates is named `shakedown-RUN[-SERVICE]` and labelled
//! `org.shakedown.run=RUN` (containers also `org.shakedown.service=SERVICE`), so that
//! [`DockerBackend::shutdown`], `Drop` and [`clean_docker`] find it by label.
//!
//! # bollard, not testcontainers
//!
//! Docker is driven with `bollard` alone (unix socket, no TLS, default features off).
//! `testcontainers` 0.28 was evaluated for starting the backend's containers (its source
//! read, its build measured) and set aside, because:
//! - it pulls the image when creating the container answers 404, and 0.28 has no pull policy
//!   to forbid it; here images must never be pulled (the backend checks the image first and
//!   names `scripts/images.sh` instead). Without a registry the daemon refuses that pull at
//!   once (~70 ms, `tests/containers.rs`), so a local image is used and a missing one fails
//!   fast, but with "failed to pull", not with the script to run;
//! - without mapped ports it publishes every exposed port on the host (unless a host-config
//!   hook undoes it); ours publish none;
//! - dropping a `ContainerAsync` removes the container through `Handle::current()`, which
//!   panics outside a tokio runtime, and our `Drop` must not need one nor panic;
//! - its Docker client is shared process-wide while any container lives, so a client made on
//!   one runtime serves another (bollard#387, "runtime dropped the dispatch task");
//! - it brings about 60 more crates (tonic, prost, rustls, axum, …): ~75 s more for a clean
//!   build on two cores, where bollard adds five crates. (The `testcontainers` feature,
//!   measured with `scripts/footprint.sh`: 203 crates compiled against 125 for `chaos
//!   verifier`, 352 s against 207 s clean, on two cores shared with other builds.)
//!
//! What it would have saved is one `create_container` body, written here in a dozen lines.
//! A test that already uses testcontainers gets faults for its own containers from
//! `crate::container` (feature `testcontainers`): there the published ports are what the
//! test wants, and the guards use a bollard client of their own on a private runtime (never
//! testcontainers' shared one), and this module's partitions (`crate::partition`).

mod cleanup;
mod daemon;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use bollard::models::{
    ContainerCreateBody, ContainerStateStatusEnum, EndpointSettings, HealthConfig, HostConfig,
    NetworkingConfig,
};
use bollard::query_parameters::{
    CreateContainerOptions, KillContainerOptions, LogsOptions, StartContainerOptions,
    StopContainerOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use tokio::time::Instant;

use super::address::{self, Address, BackendError, Launch};
use crate::partition::{self, Cuts, Fence};
use crate::scenario::model::{Healthcheck, Service};

pub use cleanup::{clean_docker, DockerRun};

/// How long a killed container may take to stop.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Seconds a container has to exit after SIGTERM at shutdown.
const STOP_GRACE_SECS: i32 = 1;
/// How long saving one container's logs may take.
const LOG_TIMEOUT: Duration = Duration::from_secs(10);

/// One service's container.
struct Container {
    /// Its Docker name, `shakedown-RUN-SERVICE`.
    docker_name: String,
    launch: Launch,
    /// Its id and the host PID of its main process since its last start (for a fast kill).
    main: Option<(String, i64)>,
    /// Its IP on the run's network while it runs.
    ip: Option<String>,
    /// A thread in its network namespace, ready to change its rules (none when the host
    /// does not allow it: partitions then run `nsenter … nft`).
    fence: Option<Fence>,
    /// Paused by us.
    paused: bool,
    /// Paused through its cgroup freezer directly (not through the daemon).
    frozen: bool,
}

/// Containers on a private network per run.
pub struct DockerBackend {
    run_id: String,
    log_dir: PathBuf,
    docker: Option<Docker>,
    gateway: Option<String>,
    services: BTreeMap<String, Container>,
    cuts: Cuts,
    /// A partition was asked for once: containers may hold rules to keep up to date.
    fenced: bool,
    /// Something of this run may exist in Docker: `Drop` removes it unless `shutdown` did.
    dirty: bool,
}

impl DockerBackend {
    /// A backend for run `run_id`; container logs are saved to `log_dir` at shutdown.
    pub fn new(run_id: &str, log_dir: PathBuf) -> Self {
        DockerBackend {
            run_id: run_id.into(),
            log_dir,
            docker: None,
            gateway: None,
            services: BTreeMap::new(),
            cuts: Cuts::default(),
            fenced: false,
            dirty: false,
        }
    }

    /// The run's network: `shakedown-RUN`.
    pub fn network_name(&self) -> String {
        format!("shakedown-{}", self.run_id)
    }

    /// The container of a service: `shakedown-RUN-SERVICE`.
    pub fn container_name(&self, service: &str) -> String {
        format!("shakedown-{}-{service}", self.run_id)
    }

    /// The log file of a service (written at shutdown; refused for a name that is not a
    /// plain word).
    pub fn log_file(&self, service: &str) -> Result<PathBuf, BackendError> {
        address::log_file(&self.log_dir, service)
    }

    /// Checks Docker and creates the run's network.
    pub async fn prepare(&mut self) -> Result<(), BackendError> {
        let docker = daemon::connect().await?;
        self.dirty = true;
        let network = self.network_name();
        self.gateway = Some(daemon::create_network(&docker, &network, &self.run_id).await?);
        self.docker = Some(docker);
        Ok(())
    }

    /// Where link proxies listen so that containers reach them: the run network's gateway,
    /// an address of the host (127.0.0.1 before [`DockerBackend::prepare`]).
    pub fn proxy_host(&self) -> String {
        self.gateway.clone().unwrap_or_else(|| "127.0.0.1".into())
    }

    /// What a service runs with here: its `args`, given to its image's entrypoint (a
    /// service without `image` cannot run here).
    pub fn argv<'s>(&self, name: &str, service: &'s Service) -> Result<&'s [String], BackendError> {
        if service.image.is_none() {
            return Err(BackendError::Missing {
                service: name.into(),
                what: "image",
                backend: "docker",
            });
        }
        Ok(service.args.as_deref().unwrap_or_default())
    }

    /// The port a service listens on: the one its scenario declares (in its container).
    pub fn port(&self, name: &str, service: &Service) -> Result<u16, BackendError> {
        service.port.ok_or_else(|| BackendError::Start {
            service: name.into(),
            message: "the docker backend needs `port` (the port it listens on in its container)"
                .into(),
        })
    }

    /// The address services listen on: every interface of their container.
    pub fn bind_host(&self) -> &'static str {
        "0.0.0.0"
    }

    /// Process ids to record in the run's state file: none (containers are found by label).
    pub fn pids(&self) -> Vec<u32> {
        Vec::new()
    }

    /// Starts a container from `launch.image` (which must exist locally) on the run's
    /// network, with `launch.env` and `launch.argv` as arguments to the image's entrypoint;
    /// returns its IP on that network and `launch.port`.
    pub async fn start(&mut self, launch: &Launch) -> Result<Address, BackendError> {
        let image = launch
            .image
            .as_deref()
            .ok_or_else(|| BackendError::Missing {
                service: launch.name.clone(),
                what: "image",
                backend: "docker",
            })?;
        let docker = self.client()?;
        require_image(&docker, image, &launch.name).await?;
        let docker_name = self.container_name(&launch.name);
        daemon::remove_container(&docker, &docker_name).await?;
        let options = CreateContainerOptions {
            name: Some(docker_name.clone()),
            ..Default::default()
        };
        docker
            .create_container(Some(options), self.create_body(launch, image))
            .await
            .map_err(|e| start_error(&launch.name, &e))?;
        let container = Container {
            docker_name,
            launch: launch.clone(),
            main: None,
            ip: None,
            fence: None,
            paused: false,
            frozen: false,
        };
        self.services.insert(launch.name.clone(), container);
        self.boot(&launch.name).await
    }

    fn create_body(&self, launch: &Launch, image: &str) -> ContainerCreateBody {
        ContainerCreateBody {
            image: Some(image.to_string()),
            cmd: (!launch.argv.is_empty()).then(|| launch.argv.clone()),
            env: Some(launch.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            labels: Some(daemon::labels(&self.run_id, Some(&launch.name))),
            host_config: Some(HostConfig {
                network_mode: Some(self.network_name()),
                publish_all_ports: Some(false),
                ..Default::default()
            }),
            networking_config: Some(self.aliased(&launch.name)),
            healthcheck: launch.healthcheck.as_ref().map(health_config),
            ..Default::default()
        }
    }

    /// The run's network with the service's name as the container's alias there: services
    /// reach each other by name, as in Docker Compose (`http://payments:9090`).
    fn aliased(&self, service: &str) -> NetworkingConfig {
        let endpoint = EndpointSettings {
            aliases: Some(vec![service.to_string()]),
            ..Default::default()
        };
        NetworkingConfig {
            endpoints_config: Some([(self.network_name(), endpoint)].into_iter().collect()),
        }
    }

    /// Starts the service's (created or stopped) container and reads its address.
    async fn boot(&mut self, service: &str) -> Result<Address, BackendError> {
        let (docker, container) = self.target(service)?;
        docker
            .start_container(&container, None::<StartContainerOptions>)
            .await
            .map_err(|e| start_error(service, &e))?;
        let details = daemon::inspect(&docker, &container).await?;
        let ip = details
            .as_ref()
            .and_then(|d| daemon::ip_on(d, &self.network_name()));
        let Some(ip) = ip else {
            let how = self.exited(service).await;
            return Err(BackendError::Start {
                service: service.to_string(),
                message: how.unwrap_or_else(|| "no address on the run's network".into()),
            });
        };
        let main = details
            .as_ref()
            .and_then(|d| Some((d.id.clone()?, daemon::pid(d)?)));
        if let Some(c) = self.services.get_mut(service) {
            c.fence = main.as_ref().and_then(|(_, pid)| fence_at(service, *pid));
            c.main = main;
            c.ip = Some(ip.clone());
        }
        self.mark(service, false, false);
        self.apply_cuts().await?;
        let port = self.services.get(service).map_or(0, |c| c.launch.port);
        Ok(Address { host: ip, port })
    }

    /// If the service's container has stopped: how (`exited with code N`), for readiness
    /// errors.
    pub async fn exited(&mut self, name: &str) -> Option<String> {
        let (docker, container) = self.target(name).ok()?;
        match daemon::state(&docker, &container).await {
            Ok(None) => Some("its container was removed".into()),
            Ok(Some(state)) => match state.status {
                Some(ContainerStateStatusEnum::EXITED | ContainerStateStatusEnum::DEAD) => Some(
                    format!("exited with code {}", state.exit_code.unwrap_or(-1)),
                ),
                _ => None,
            },
            Err(_) => None,
        }
    }

    /// Docker's health status of the service's container (`starting`, `healthy`,
    /// `unhealthy`), if it has a healthcheck.
    pub async fn health(&mut self, name: &str) -> Option<String> {
        let (docker, container) = self.target(name).ok()?;
        let state = daemon::state(&docker, &container).await.ok()??;
        let status = state.health?.status?;
        Some(status.to_string()).filter(|s| !s.is_empty() && s != "none")
    }

    /// Kills a container (SIGKILL, paused or not) without waiting for Docker to see it stop; the
    /// container stays, for [`DockerBackend::restart`].
    pub async fn kill(&mut self, name: &str) -> Result<(), BackendError> {
        let (docker, container) = self.target(name)?;
        if let Some(c) = self.services.get_mut(name) {
            // A dead container has no rules to keep; its namespace goes with the fence.
            (c.ip, c.fence) = (None, None);
        }
        // Fast path: SIGKILL straight to the container's main process from the host (what
        // `docker kill` ends up doing, without the daemon's round trip of ~100 ms). Docker
        // sees it die and records exit code 137. Paused containers take the daemon's path.
        if self.kill_directly(name) {
            return Ok(());
        }
        let options = KillContainerOptions {
            signal: "SIGKILL".into(),
        };
        if let Err(e) = docker.kill_container(&container, Some(options)).await {
            // 409: not running (already dead), or paused on a daemon that refuses to kill
            // paused containers: thaw it and kill again.
            if !daemon::is_status(&e, 409) {
                return Err(daemon::refused(&format!("killing {name}"), &e));
            }
            if self.is_paused(name).await? {
                self.resume(name).await?;
                let options = KillContainerOptions {
                    signal: "SIGKILL".into(),
                };
                let _ = docker.kill_container(&container, Some(options)).await;
            }
        }
        // Not waiting for the container to be reaped: the fault is the signal; `restart`
        // and `shutdown` wait for the stop.
        Ok(())
    }

    /// SIGKILL to the container's main process, if it is still the process we started
    /// (its cgroup names the container: a reused PID is never signalled).
    fn kill_directly(&self, name: &str) -> bool {
        let Some(c) = self.services.get(name) else {
            return false;
        };
        let Some((id, pid)) = &c.main else {
            return false;
        };
        if c.paused && !c.frozen {
            return false;
        }
        let ours = std::fs::read_to_string(format!("/proc/{pid}/cgroup"))
            .is_ok_and(|c| c.contains(id.as_str()));
        let target = nix::unistd::Pid::from_raw(i32::try_from(*pid).unwrap_or(0));
        let killed = ours
            && target.as_raw() > 0
            && nix::sys::signal::kill(target, nix::sys::signal::Signal::SIGKILL).is_ok();
        if killed && c.frozen {
            self.freezer(name, "THAWED"); // a frozen process dies only once thawed
        }
        killed
    }

    /// Freezes (`FROZEN`) or thaws (`THAWED`) the container's cgroup, as `docker pause`
    /// does, without the daemon's round trip; false when the freezer cannot be found (the
    /// caller then asks the daemon).
    fn freezer(&self, name: &str, state: &str) -> bool {
        let Some(Container {
            main: Some((id, pid)),
            ..
        }) = self.services.get(name)
        else {
            return false;
        };
        let Ok(cgroups) = std::fs::read_to_string(format!("/proc/{pid}/cgroup")) else {
            return false;
        };
        let path = cgroups
            .lines()
            .find_map(|l| l.split_once(":freezer:").map(|(_, p)| p.to_string()));
        match path {
            Some(path) if path.contains(id.as_str()) => {
                std::fs::write(format!("/sys/fs/cgroup/freezer{path}/freezer.state"), state).is_ok()
            }
            _ => false,
        }
    }

    /// Starts a killed container again (a running one is killed first); returns its
    /// address, whose IP may have changed. Partitions in force apply to it again.
    pub async fn restart(&mut self, name: &str) -> Result<Address, BackendError> {
        let (docker, container) = self.target(name)?;
        let running = daemon::state(&docker, &container)
            .await?
            .is_some_and(|s| daemon::is_running(&s));
        if running {
            self.kill(name).await?;
        }
        wait_stopped(&docker, &container).await?;
        self.boot(name).await
    }

    /// Freezes every process of the container, as `docker pause` does (through its cgroup
    /// freezer directly, else the daemon); pausing a paused container does nothing.
    pub async fn pause(&mut self, name: &str) -> Result<(), BackendError> {
        let (docker, container) = self.target(name)?;
        if self.services.get(name).is_some_and(|c| c.paused) {
            return Ok(());
        }
        // The cgroup freezer, directly: effective at once (the daemon's round trip takes
        // ~10 ms more). `docker ps` then still says running; shutdown thaws it first.
        if self.freezer(name, "FROZEN") {
            self.mark(name, true, true);
            return Ok(());
        }
        docker
            .pause_container(&container)
            .await
            .map_err(|e| daemon::refused(&format!("pausing {name}"), &e))?;
        self.mark(name, true, false);
        Ok(())
    }

    /// Thaws a paused container (the way it was paused); resuming a container that is not
    /// paused does nothing.
    pub async fn resume(&mut self, name: &str) -> Result<(), BackendError> {
        let (docker, container) = self.target(name)?;
        if self.services.get(name).is_some_and(|c| c.frozen) {
            self.freezer(name, "THAWED");
            self.mark(name, false, false);
            return Ok(());
        }
        if !self.is_paused(name).await? {
            return Ok(());
        }
        docker
            .unpause_container(&container)
            .await
            .map_err(|e| daemon::refused(&format!("resuming {name}"), &e))?;
        self.mark(name, false, false);
        Ok(())
    }

    /// Records how a container is paused: by us (`paused`), through its freezer (`frozen`).
    fn mark(&mut self, name: &str, paused: bool, frozen: bool) {
        if let Some(c) = self.services.get_mut(name) {
            (c.paused, c.frozen) = (paused, frozen);
        }
    }

    async fn is_paused(&self, name: &str) -> Result<bool, BackendError> {
        let (docker, container) = self.target(name)?;
        let state = daemon::state(&docker, &container).await?;
        Ok(state.is_some_and(|s| s.paused == Some(true)))
    }

    /// Cuts traffic from group `a` to group `b` (and back unless `one_way`): the members of
    /// `a` can no longer open connections to those of `b`, and connections already open stop
    /// carrying packets. One way, `b` can still connect to `a`.
    pub async fn partition(
        &mut self,
        a: &[String],
        b: &[String],
        one_way: bool,
    ) -> Result<(), BackendError> {
        self.require_known(a.iter().chain(b))?;
        self.cuts.add(a, b, one_way);
        self.fenced = true;
        self.apply_cuts().await
    }

    /// Undoes [`DockerBackend::partition`] with the same groups (healing twice, or healing
    /// what was never cut, does nothing).
    pub async fn heal_partition(
        &mut self,
        a: &[String],
        b: &[String],
        one_way: bool,
    ) -> Result<(), BackendError> {
        self.require_known(a.iter().chain(b))?;
        self.cuts.remove(a, b, one_way);
        self.apply_cuts().await
    }

    /// Rewrites the rules of every running container from the cuts in force, all at once
    /// (from the addresses read when each started: no daemon round trip at fault time).
    async fn apply_cuts(&mut self) -> Result<(), BackendError> {
        if !self.fenced {
            return Ok(());
        }
        let ips: BTreeMap<String, String> = self
            .services
            .iter()
            .filter_map(|(name, c)| Some((name.clone(), c.ip.clone()?)))
            .collect();
        let installs = self.services.iter().filter(|(_, c)| c.ip.is_some());
        let installs = installs.map(|(service, c)| {
            let script = self.cuts.script(service, &ips);
            async move { (service.clone(), install(c, script).await) }
        });
        for (service, installed) in futures_util::future::join_all(installs).await {
            if let Err(e) = installed {
                // A container that stopped meanwhile has no namespace left to fence.
                if self.exited(&service).await.is_none() {
                    return Err(BackendError::System(format!("partition of {service}: {e}")));
                }
            }
        }
        Ok(())
    }

    /// Stops every container (paused ones are thawed first; SIGTERM, then SIGKILL after a
    /// second, as `docker stop`), saves each one's output to its log file, and removes the
    /// containers and the network; returns the services stopped.
    pub async fn shutdown(&mut self) -> Vec<String> {
        let names: Vec<String> = self.services.keys().cloned().collect();
        let Some(docker) = self.docker.clone() else {
            return names;
        };
        let frozen: Vec<String> = self
            .services
            .iter()
            .filter(|(_, c)| c.frozen)
            .map(|(n, _)| n.clone())
            .collect();
        for name in frozen {
            self.freezer(&name, "THAWED");
        }
        self.stop_all(&docker).await;
        for (service, c) in &self.services {
            if let Err(e) = self.save_logs(&docker, service, &c.docker_name).await {
                tracing::warn!("logs of {service}: {e}");
            }
        }
        match cleanup::remove_labelled(&docker, Some(&self.run_id)).await {
            Ok(_) => self.dirty = false,
            Err(e) => tracing::warn!("run {}: {e}", self.run_id),
        }
        self.services.clear();
        self.cuts = Cuts::default();
        names
    }

    /// `docker stop` on every container at once (SIGTERM, SIGKILL after [`STOP_GRACE_SECS`]).
    async fn stop_all(&self, docker: &Docker) {
        let mut stops = tokio::task::JoinSet::new();
        for c in self.services.values() {
            let (docker, container) = (docker.clone(), c.docker_name.clone());
            stops.spawn(async move {
                // Fails harmlessly when the container is not paused.
                let _ = docker.unpause_container(&container).await;
                let options = StopContainerOptions {
                    t: Some(STOP_GRACE_SECS),
                    signal: None,
                };
                let _ = docker.stop_container(&container, Some(options)).await;
            });
        }
        while stops.join_next().await.is_some() {}
    }

    async fn save_logs(
        &self,
        docker: &Docker,
        service: &str,
        container: &str,
    ) -> Result<(), String> {
        let options = LogsOptions {
            stdout: true,
            stderr: true,
            ..Default::default()
        };
        let mut stream = docker.logs(container, Some(options));
        let mut text = Vec::new();
        let collect = async {
            while let Some(chunk) = stream.next().await {
                text.extend_from_slice(&chunk.map_err(|e| daemon::message(&e))?.into_bytes());
            }
            Ok::<(), String>(())
        };
        tokio::time::timeout(LOG_TIMEOUT, collect)
            .await
            .map_err(|_| format!("not read within {LOG_TIMEOUT:?}"))??;
        tokio::fs::create_dir_all(&self.log_dir)
            .await
            .map_err(|e| e.to_string())?;
        let path = self.log_file(service).map_err(|e| e.to_string())?;
        tokio::task::spawn_blocking(move || crate::file::replace(&path, &text))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }

    /// The Docker client, once prepared.
    fn client(&self) -> Result<Docker, BackendError> {
        self.docker
            .clone()
            .ok_or_else(|| BackendError::Docker("the docker backend was not prepared".into()))
    }

    /// The client and the container of a started service.
    fn target(&self, service: &str) -> Result<(Docker, String), BackendError> {
        let container = self
            .services
            .get(service)
            .ok_or_else(|| BackendError::Unknown(service.to_string()))?;
        Ok((self.client()?, container.docker_name.clone()))
    }

    fn require_known<'a>(
        &self,
        mut names: impl Iterator<Item = &'a String>,
    ) -> Result<(), BackendError> {
        match names.find(|n| !self.services.contains_key(*n)) {
            Some(unknown) => Err(BackendError::Unknown(unknown.clone())),
            None => Ok(()),
        }
    }
}

impl Drop for DockerBackend {
    /// Removes the run's containers and network if [`DockerBackend::shutdown`] did not
    /// (a panic, an early return); works outside a tokio runtime and never panics.
    fn drop(&mut self) {
        if self.dirty {
            cleanup::remove_run_blocking(&self.run_id);
        }
    }
}

/// A fence in the namespace of a container's main process, if the host allows one.
fn fence_at(service: &str, pid: i64) -> Option<Fence> {
    Fence::enter(pid)
        .inspect_err(|e| tracing::debug!("{service}: no fence ({e}); partitions will run nft"))
        .ok()
}

/// Runs `script` in the container's namespace: through its fence, else `nsenter … nft`.
async fn install(c: &Container, script: String) -> Result<(), String> {
    match (&c.fence, &c.main) {
        (Some(fence), _) => fence.install(script).await,
        (None, Some((_, pid))) => partition::install(*pid, &script).await,
        (None, None) => Err("its main process is unknown".into()),
    }
}

/// Docker's form of a healthcheck: `test` every `interval`, each run given as long (Docker's
/// default timeout is 30 s), and never given up on (readiness has its own deadline).
fn health_config(check: &Healthcheck) -> HealthConfig {
    let interval = i64::try_from(Duration::from(check.interval).as_nanos()).unwrap_or(i64::MAX);
    HealthConfig {
        test: Some(check.test.clone()),
        interval: Some(interval.max(1_000_000)),
        timeout: Some(interval.max(1_000_000)),
        retries: Some(i64::from(i32::MAX)),
        ..Default::default()
    }
}

/// Fails clearly when the image is not in the local store (it is never pulled).
async fn require_image(docker: &Docker, image: &str, service: &str) -> Result<(), BackendError> {
    match docker.inspect_image(image).await {
        Ok(_) => Ok(()),
        Err(e) if daemon::is_status(&e, 404) => Err(BackendError::Start {
            service: service.to_string(),
            message: format!(
                "image {image:?} is not in the local Docker image store (images are never \
                 pulled): run scripts/images.sh to build the example images"
            ),
        }),
        Err(e) => Err(daemon::refused(&format!("inspecting image {image}"), &e)),
    }
}

fn start_error(service: &str, e: &bollard::errors::Error) -> BackendError {
    BackendError::Start {
        service: service.to_string(),
        message: daemon::message(e),
    }
}

/// Waits (bounded) until the container no longer runs.
async fn wait_stopped(docker: &Docker, container: &str) -> Result<(), BackendError> {
    let deadline = Instant::now() + STOP_TIMEOUT;
    loop {
        let state = daemon::state(docker, container).await?;
        if !state.is_some_and(|s| daemon::is_running(&s)) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(BackendError::Docker(format!(
                "{container} still runs {STOP_TIMEOUT:?} after SIGKILL"
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch(image: Option<&str>) -> Launch {
        Launch {
            name: "web".into(),
            argv: Vec::new(),
            image: image.map(str::to_string),
            env: BTreeMap::new(),
            port: 8080,
            healthcheck: None,
        }
    }

    #[tokio::test]
    async fn should_say_docker_is_not_available_when_the_socket_is_missing() {
        let error = daemon::connect_to("/nonexistent/docker.sock")
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("Docker is not available"), "{error}");
        assert!(
            error.contains("is the daemon running? /nonexistent/docker.sock"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn should_refuse_to_start_before_prepare() {
        let mut backend = DockerBackend::new("unprepared", PathBuf::from("/nonexistent"));
        let error = backend.start(&launch(Some("x"))).await.err();
        assert!(matches!(error, Some(BackendError::Docker(m)) if m.contains("not prepared")));
        assert_eq!(backend.proxy_host(), "127.0.0.1");
        assert!(backend.shutdown().await.is_empty());
        assert!(matches!(
            backend.kill("web").await,
            Err(BackendError::Unknown(_))
        ));
    }

    #[test]
    fn should_name_everything_after_the_run() {
        let backend = DockerBackend::new("abc123", PathBuf::from("/logs"));
        assert_eq!(backend.network_name(), "shakedown-abc123");
        assert_eq!(backend.container_name("orders"), "shakedown-abc123-orders");
        assert_eq!(
            backend.log_file("orders").ok(),
            Some(PathBuf::from("/logs/orders.log"))
        );
        assert!(backend.log_file("../../x").is_err());
    }
}
