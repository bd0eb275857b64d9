//! ContainerError: what can go wrong disturbing a testcontainers container.

use crate::chaos::ProxyError;

/// Why a fault could not be applied to a container (undoing one only logs).
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    /// testcontainers could not answer (a mapped port, the host).
    #[error("testcontainers: {0}")]
    Testcontainers(#[from] testcontainers::TestcontainersError),
    /// The Docker daemon refused or could not be reached.
    #[error("docker: {0}")]
    Docker(String),
    /// The container is not running, or has no address or process to act on.
    #[error("container {id}: {why}")]
    State {
        /// The container's id.
        id: String,
        /// What is missing.
        why: String,
    },
    /// The partition's rules could not be installed.
    #[error("partition of {id}: {why}")]
    Partition {
        /// The container's id.
        id: String,
        /// nft's or the fence's complaint.
        why: String,
    },
    /// The fault proxy could not start.
    #[error(transparent)]
    Proxy(#[from] ProxyError),
}
