//! One type over both backends, so the engine does not care which runs the services.

use super::address::{Address, BackendError, Launch};
use super::docker::DockerBackend;
use super::process::ProcessBackend;

/// The backend of a run.
pub enum Backend {
    /// Local processes.
    Process(ProcessBackend),
    /// Docker containers.
    Docker(DockerBackend),
}

macro_rules! both {
    ($self:ident, $b:ident => $e:expr) => {
        match $self {
            Backend::Process($b) => $e,
            Backend::Docker($b) => $e,
        }
    };
}

impl Backend {
    /// `process` or `docker`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Process(_) => "process",
            Backend::Docker(_) => "docker",
        }
    }

    /// Prepares the run (Docker: checks the daemon, creates the network).
    pub async fn prepare(&mut self) -> Result<(), BackendError> {
        match self {
            Backend::Process(_) => Ok(()),
            Backend::Docker(d) => d.prepare().await,
        }
    }

    /// Where link proxies listen so that services reach them.
    pub fn proxy_host(&self) -> String {
        both!(self, b => b.proxy_host())
    }

    /// Starts a service.
    pub async fn start(&mut self, launch: &Launch) -> Result<Address, BackendError> {
        both!(self, b => b.start(launch).await)
    }

    /// If the service has exited: how.
    pub async fn exited(&mut self, name: &str) -> Option<String> {
        both!(self, b => b.exited(name).await)
    }

    /// Kills a service (it can be restarted).
    pub async fn kill(&mut self, name: &str) -> Result<(), BackendError> {
        both!(self, b => b.kill(name).await)
    }

    /// Restarts a killed service.
    pub async fn restart(&mut self, name: &str) -> Result<Address, BackendError> {
        both!(self, b => b.restart(name).await)
    }

    /// Freezes a service.
    pub async fn pause(&mut self, name: &str) -> Result<(), BackendError> {
        both!(self, b => b.pause(name).await)
    }

    /// Thaws a frozen service.
    pub async fn resume(&mut self, name: &str) -> Result<(), BackendError> {
        both!(self, b => b.resume(name).await)
    }

    /// Cuts direct network traffic between groups (Docker; processes only talk through links,
    /// which the engine cuts itself).
    pub async fn partition(
        &mut self,
        a: &[String],
        b: &[String],
        one_way: bool,
    ) -> Result<(), BackendError> {
        match self {
            Backend::Process(_) => Ok(()),
            Backend::Docker(d) => d.partition(a, b, one_way).await,
        }
    }

    /// Undoes [`Backend::partition`].
    pub async fn heal_partition(
        &mut self,
        a: &[String],
        b: &[String],
        one_way: bool,
    ) -> Result<(), BackendError> {
        match self {
            Backend::Process(_) => Ok(()),
            Backend::Docker(d) => d.heal_partition(a, b, one_way).await,
        }
    }

    /// Stops and removes every service.
    pub async fn shutdown(&mut self) -> Vec<String> {
        both!(self, b => b.shutdown().await)
    }

    /// Process ids to record in the run's state file (process backend only).
    pub fn pids(&self) -> Vec<u32> {
        match self {
            Backend::Process(p) => p.pids(),
            Backend::Docker(_) => Vec::new(),
        }
    }
}
