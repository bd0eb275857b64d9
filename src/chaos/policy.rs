//! Where proxies made through the API may connect and listen: loopback only, unless the
//! operator allowed more when starting the server, so that an API client can neither reach
//! hosts nor expose services the operator did not choose.

use std::net::{IpAddr, ToSocketAddrs};

use super::registry::ApiError;

/// Which upstreams proxies may connect to.
#[derive(Debug, Clone, Default)]
pub struct UpstreamPolicy {
    /// Also allow these `host:port` (or `host`) upstreams beyond loopback.
    pub allowed: Vec<String>,
    /// Allow any upstream.
    pub any: bool,
}

impl UpstreamPolicy {
    /// Loopback upstreams are always allowed; others only when listed (or `any`).
    pub fn check(&self, upstream: &str) -> Result<(), ApiError> {
        if self.any
            || self
                .allowed
                .iter()
                .any(|a| a == upstream || upstream.rsplit_once(':').is_some_and(|(h, _)| h == a))
        {
            return Ok(());
        }
        if resolves_to_loopback(upstream) {
            return Ok(());
        }
        Err(ApiError::new(
            403,
            format!("upstream {upstream:?} is not allowed: only loopback upstreams unless the server was started with --allow-upstream"),
        ))
    }
}

/// Which addresses proxies may listen on.
#[derive(Debug, Clone, Default)]
pub struct ListenPolicy {
    /// Also allow listening on these hosts (`0.0.0.0` or `::` for every interface) beyond
    /// loopback.
    pub allowed: Vec<String>,
}

impl ListenPolicy {
    /// Loopback listen addresses are always allowed; others only when their host is listed.
    pub fn check(&self, listen: &str) -> Result<(), ApiError> {
        let host = listen.rsplit_once(':').map_or(listen, |(h, _)| h);
        let unbracketed = |h: &str| h.trim_start_matches('[').trim_end_matches(']').to_string();
        if self
            .allowed
            .iter()
            .any(|a| a == listen || unbracketed(a) == unbracketed(host))
            || resolves_to_loopback(listen)
        {
            return Ok(());
        }
        Err(ApiError::new(
            403,
            format!("listen address {listen:?} is not allowed: only loopback unless the server was started with --allow-listen"),
        ))
    }
}

/// Whether `addr` (`host:port`) resolves, and only to loopback addresses.
fn resolves_to_loopback(addr: &str) -> bool {
    let ips: Vec<IpAddr> = addr
        .to_socket_addrs()
        .map(|a| a.map(|s| s.ip()).collect())
        .unwrap_or_default();
    !ips.is_empty() && ips.iter().all(IpAddr::is_loopback)
}
