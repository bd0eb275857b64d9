//! Faults: the extension trait that gives a testcontainers `ContainerAsync` a fault proxy,
//! freeze (pause), kill and partition guards, and the URLs of its mapped ports.

use std::future::Future;

use testcontainers::{ContainerAsync, Image};

use super::error::ContainerError;
use super::freeze::{self, Frozen};
use super::kill::{self, Killed};
use super::partition::{self, Partition};
use crate::chaos::{Proxy, ProxyGuard};

/// Faults for a container the test started with testcontainers; each fault returns a guard that
/// undoes the fault when dropped. Implemented for every [`ContainerAsync`].
pub trait Faults {
    /// A shakedown fault proxy on `127.0.0.1` (any free port) in front of the container's
    /// `port` (its mapped host port): the test talks to [`Proxy::listen_addr`] and adds
    /// toxics with [`Proxy::with_toxic`]. The proxy stops when the guard drops.
    fn proxy(&self, port: u16) -> impl Future<Output = Result<ProxyGuard, ContainerError>> + Send;

    /// Freezes the container (`docker pause`) until the guard drops. (Not `pause`:
    /// `ContainerAsync::pause`, without a guard, would be called instead.)
    fn freeze(&self) -> impl Future<Output = Result<Frozen, ContainerError>> + Send;

    /// Kills the container (SIGKILL, a crash); it is started again when the guard drops,
    /// maybe on new host ports: ask [`base_url`](Faults::base_url) again, and make a
    /// [`proxy`](Faults::proxy) made before the kill again. A partition in force when the
    /// container is killed does not survive the restart (a new network namespace).
    fn kill(&self) -> impl Future<Output = Result<Killed, ContainerError>> + Send;

    /// Cuts the container off from the host (its published ports, proxies, the host's
    /// services) until the guard drops. Needs root, and nftables on the host.
    fn partition_from_host(&self)
        -> impl Future<Output = Result<Partition, ContainerError>> + Send;

    /// Cuts the container and `other` off from each other (on a network they share) until
    /// the guard drops. Needs root, and nftables on the host.
    fn partition_from<J: Image>(
        &self,
        other: &ContainerAsync<J>,
    ) -> impl Future<Output = Result<Partition, ContainerError>> + Send;

    /// `http://HOST:MAPPED` for the container's `port`: where to point a
    /// [`Verifier`](crate::verifier::Verifier) or a client.
    fn base_url(&self, port: u16) -> impl Future<Output = Result<String, ContainerError>> + Send;

    /// `base_url(port)` followed by `path` (`/_pact/state`, `/_pact/messages`, …).
    fn url(
        &self,
        port: u16,
        path: &str,
    ) -> impl Future<Output = Result<String, ContainerError>> + Send;
}

impl<I: Image> Faults for ContainerAsync<I> {
    async fn proxy(&self, port: u16) -> Result<ProxyGuard, ContainerError> {
        let upstream = host_addr(self, port).await?;
        let name = format!("{}-{port}", short(self.id()));
        Ok(ProxyGuard(Proxy::start(
            &name,
            "127.0.0.1:0",
            &upstream,
            0,
        )?))
    }

    async fn freeze(&self) -> Result<Frozen, ContainerError> {
        freeze::freeze(self.id()).await
    }

    async fn kill(&self) -> Result<Killed, ContainerError> {
        kill::kill(self.id()).await
    }

    async fn partition_from_host(&self) -> Result<Partition, ContainerError> {
        partition::from_host(self.id()).await
    }

    async fn partition_from<J: Image>(
        &self,
        other: &ContainerAsync<J>,
    ) -> Result<Partition, ContainerError> {
        partition::between(self.id(), other.id()).await
    }

    async fn base_url(&self, port: u16) -> Result<String, ContainerError> {
        Ok(format!("http://{}", host_addr(self, port).await?))
    }

    async fn url(&self, port: u16, path: &str) -> Result<String, ContainerError> {
        Ok(format!("{}{path}", self.base_url(port).await?))
    }
}

/// `HOST:MAPPED_PORT` of a container's port, as testcontainers reports them.
async fn host_addr<I: Image>(
    container: &ContainerAsync<I>,
    port: u16,
) -> Result<String, ContainerError> {
    let host = match container.get_host().await?.to_string() {
        // Published ports listen on every IPv4 interface; "localhost" might try ::1 first.
        name if name == "localhost" => "127.0.0.1".to_string(),
        host => host,
    };
    let mapped = container.get_host_port_ipv4(port).await?;
    Ok(format!("{host}:{mapped}"))
}

/// The first 12 characters of a container id, as `docker ps` shows it.
fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}
