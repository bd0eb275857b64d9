//! Chaos: a Toxiproxy-compatible TCP fault proxy (latency, bandwidth, slow close, timeout,
//! reset, slicer, data limit), usable from tests with guards that undo faults on drop, and
//! the Toxiproxy HTTP API over a registry of proxies.

mod api;
mod busy_poll;
mod guard;
mod http;
mod link;
mod policy;
mod proxy;
mod registry;
mod runtime;
mod splice;
mod timer;
mod toxic;

pub use api::{handle, serve, serve_metrics, serve_with, API_MAX_BODY};
pub use busy_poll::{set_busy_poll, BusyPollError};
pub use guard::{ProxyGuard, ToxicGuard};
pub use link::LinkEnd;
pub use policy::{ListenPolicy, UpstreamPolicy};
pub use proxy::{Metrics, Proxy, ProxyError};
pub use registry::{proxy_metrics, ApiError, Registry};
pub use runtime::runtime;
pub use toxic::{
    HttpAction, HttpFault, RequestMatch, Stream, Toxic, ToxicError, ToxicKind, MATCHED_BODY_CAP,
    MAX_TOXIC_MILLIS,
};
