//! Network partitions of containers: nftables rules in their network namespaces, written
//! from a set of directed cuts, installed through a fence thread (libnftables) or
//! `nsenter … nft`. Shared by the docker backend and the testcontainers guards.

mod fence;
mod firewall;
mod nftables;

pub use fence::Fence;
pub use firewall::{install, Cuts};
