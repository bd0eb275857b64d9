//! Chaos: a Toxiproxy-compatible TCP fault proxy (latency, bandwidth, slow close, timeout,
//! reset, slicer, data limit), usable from tests with guards that undo faults on drop.

mod guard;
mod link;
mod proxy;
mod runtime;
mod toxic;

pub use guard::{ProxyGuard, ToxicGuard};
pub use link::LinkEnd;
pub use proxy::{Metrics, Proxy, ProxyError};
pub use runtime::runtime;
pub use toxic::{Stream, Toxic, ToxicError, ToxicKind};
