//! Faults for the test's own testcontainers (feature `testcontainers`): a fault proxy in
//! front of a container's port, freeze (pause), kill and partition guards that undo on drop, and the
//! URLs of its mapped ports for the [`Verifier`](crate::verifier::Verifier).
//!
//! ```no_run
//! use std::time::Duration;
//! use shakedown::chaos::{Stream, Toxic, ToxicKind};
//! use shakedown::container::Faults;
//! use shakedown::verifier::Verifier;
//! use testcontainers::{core::WaitFor, runners::AsyncRunner, GenericImage};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! // A local image: testcontainers pulls only when Docker does not have it.
//! let orders = GenericImage::new("shakedown-example/orders", "latest")
//!     .with_wait_for(WaitFor::message_on_stdout("listening on"))
//!     .start()
//!     .await?;
//!
//! // The verifier on the container's mapped port.
//! let url = orders.base_url(8080).await?;
//! let verifier = Verifier::new("orders", &url)
//!     .contracts("contracts")
//!     .state_url(&orders.url(8080, "/_pact/state").await?);
//!
//! // 200 ms more on every answer while `slow` lives; the test talks to `proxy.listen_addr()`.
//! let proxy = orders.proxy(8080).await?;
//! let slow = proxy.with_toxic(Toxic::new(
//!     "slow",
//!     Stream::Downstream,
//!     ToxicKind::Latency { latency: Duration::from_millis(200), jitter: Duration::ZERO },
//! ))?;
//! drop(slow);
//!
//! {
//!     let _frozen = orders.freeze().await?; // unpaused at the end of this block
//!     let _cut = orders.partition_from_host().await?; // healed with it
//! }
//! # Ok(()) }
//! ```

mod daemon;
mod error;
mod faults;
mod freeze;
mod kill;
mod partition;

pub use error::ContainerError;
pub use faults::Faults;
pub use freeze::Frozen;
pub use kill::Killed;
pub use partition::Partition;
