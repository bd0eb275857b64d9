//! Docker Compose files as a scenario's system: their services read into the scenario model
//! for the docker backend, and links between them routed through the fault proxy.

mod file;
mod import;
mod position;
mod readiness;
mod route;
mod system;

pub use import::{interpolate, parse, read, ComposeError, Imported};
pub use route::route_links;
pub use system::route_compose_links;
