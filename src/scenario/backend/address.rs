//! What backends share: the launch description of a service, its address, its log file, and
//! their errors.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::scenario::model::Healthcheck;
use crate::scenario::name;

/// Where a service can be reached, from the host and from the other services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// IP or host name.
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// How to start one service, placeholders already expanded.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    /// The service's name in the scenario.
    pub name: String,
    /// Process backend: program and arguments. Docker backend: arguments to the entrypoint.
    pub argv: Vec<String>,
    /// Docker backend: the local image.
    pub image: Option<String>,
    /// Environment (the engine adds `PORT` and `HOST`).
    pub env: BTreeMap<String, String>,
    /// The port the service listens on (process: chosen by the engine; docker: in the container).
    pub port: u16,
    /// Docker backend: the check Docker runs in the container (readiness waits for healthy).
    pub healthcheck: Option<Healthcheck>,
}

/// Why a backend could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The service could not be started.
    #[error("service {service:?} could not start: {message}")]
    Start {
        /// The service.
        service: String,
        /// Why.
        message: String,
    },
    /// The scenario has no way to run this service on this backend.
    #[error("service {service:?} has no {what} for the {backend} backend")]
    Missing {
        /// The service.
        service: String,
        /// `command` or `image`.
        what: &'static str,
        /// `process` or `docker`.
        backend: &'static str,
    },
    /// No service of that name is running.
    #[error("no running service {0:?}")]
    Unknown(String),
    /// Docker is not available or refused.
    #[error("docker: {0}")]
    Docker(String),
    /// A signal or system call failed.
    #[error("{0}")]
    System(String),
    /// A service name that is not a plain word (it would name a path outside the logs).
    #[error("service name {0:?} is not allowed: use {rule}", rule = name::RULE)]
    Name(String),
}

/// The log file of service `service` in `dir`: `DIR/SERVICE.log`, refused unless the name is
/// a plain word (validation checks it first; this keeps any other name out of the path).
pub fn log_file(dir: &Path, service: &str) -> Result<PathBuf, BackendError> {
    if name::is_plain(service) {
        Ok(dir.join(format!("{service}.log")))
    } else {
        Err(BackendError::Name(service.into()))
    }
}

/// A free TCP port on 127.0.0.1 (the OS picks it; another program may take it before it is
/// used, which the readiness check would then report).
pub fn free_port() -> Result<u16, BackendError> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| BackendError::System(format!("no free port: {e}")))
}
