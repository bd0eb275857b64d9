//! One type over both backends, so the engine does not care which runs the services: every
//! method hands over to the backend, which holds its own policy.

use super::address::{Address, BackendError, Launch};
use super::docker::DockerBackend;
use super::process::ProcessBackend;
use crate::scenario::model::Service;

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
        both!(self, b => b.prepare().await)
    }

    /// What a service runs with on this backend (its command, or its image's arguments).
    pub fn argv<'s>(&self, name: &str, service: &'s Service) -> Result<&'s [String], BackendError> {
        both!(self, b => b.argv(name, service))
    }

    /// The port a service listens on.
    pub fn port(&self, name: &str, service: &Service) -> Result<u16, BackendError> {
        both!(self, b => b.port(name, service))
    }

    /// The address services listen on (given to them as `HOST`).
    pub fn bind_host(&self) -> &'static str {
        both!(self, b => b.bind_host())
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

    /// Docker's health status of the service's container (`starting`, `healthy`,
    /// `unhealthy`), when it has a healthcheck; `None` on the process backend.
    pub async fn health(&mut self, name: &str) -> Option<String> {
        match self {
            Backend::Process(_) => None,
            Backend::Docker(b) => b.health(name).await,
        }
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

    /// Cuts what services of two groups send each other directly (links are closed by the
    /// system).
    pub async fn partition(
        &mut self,
        a: &[String],
        b: &[String],
        one_way: bool,
    ) -> Result<(), BackendError> {
        both!(self, x => x.partition(a, b, one_way).await)
    }

    /// Undoes [`Backend::partition`].
    pub async fn heal_partition(
        &mut self,
        a: &[String],
        b: &[String],
        one_way: bool,
    ) -> Result<(), BackendError> {
        both!(self, x => x.heal_partition(a, b, one_way).await)
    }

    /// Stops and removes every service.
    pub async fn shutdown(&mut self) -> Vec<String> {
        both!(self, b => b.shutdown().await)
    }

    /// Process ids to record in the run's state file (process backend only).
    pub fn pids(&self) -> Vec<u32> {
        both!(self, b => b.pids())
    }
}
