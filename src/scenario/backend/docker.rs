//! The docker backend (being written): containers from local images on a network per run.

use std::path::PathBuf;

use super::address::{Address, BackendError, Launch};

/// Containers on a private network per run.
pub struct DockerBackend {
    run_id: String,
    _log_dir: PathBuf,
}

fn todo() -> BackendError {
    BackendError::Docker("the docker backend is not built yet".into())
}

impl DockerBackend {
    /// A backend for run `run_id`; container logs are saved to `log_dir` at shutdown.
    pub fn new(run_id: &str, log_dir: PathBuf) -> Self {
        DockerBackend {
            run_id: run_id.into(),
            _log_dir: log_dir,
        }
    }
    /// Checks Docker and creates the run's network.
    pub async fn prepare(&mut self) -> Result<(), BackendError> {
        Err(todo())
    }
    /// Where link proxies listen so that containers reach them (the network's gateway).
    pub fn proxy_host(&self) -> String {
        self.run_id.clone()
    }
    /// Starts a container.
    pub async fn start(&mut self, _launch: &Launch) -> Result<Address, BackendError> {
        Err(todo())
    }
    /// If the service's container has exited: how.
    pub async fn exited(&mut self, _name: &str) -> Option<String> {
        None
    }
    /// Kills a container.
    pub async fn kill(&mut self, _name: &str) -> Result<(), BackendError> {
        Err(todo())
    }
    /// Starts a killed container again.
    pub async fn restart(&mut self, _name: &str) -> Result<Address, BackendError> {
        Err(todo())
    }
    /// `docker pause`.
    pub async fn pause(&mut self, _name: &str) -> Result<(), BackendError> {
        Err(todo())
    }
    /// `docker unpause`.
    pub async fn resume(&mut self, _name: &str) -> Result<(), BackendError> {
        Err(todo())
    }
    /// Cuts traffic from group `a` to group `b` (and back unless `one_way`).
    pub async fn partition(
        &mut self,
        _a: &[String],
        _b: &[String],
        _one_way: bool,
    ) -> Result<(), BackendError> {
        Err(todo())
    }
    /// Undoes [`DockerBackend::partition`].
    pub async fn heal_partition(
        &mut self,
        _a: &[String],
        _b: &[String],
        _one_way: bool,
    ) -> Result<(), BackendError> {
        Err(todo())
    }
    /// Removes every container and the network; returns the services stopped.
    pub async fn shutdown(&mut self) -> Vec<String> {
        Vec::new()
    }
}

/// Removes containers and networks labelled by shakedown (of one run, or of every run).
pub async fn clean_docker(_run_id: Option<&str>) -> Result<Vec<String>, BackendError> {
    Ok(Vec::new())
}
