//! Backends start, stop and disturb the services of a scenario: local processes or Docker
//! containers. Only this module starts processes or talks to Docker.

mod address;
mod dispatch;
mod docker;
mod process;

pub use address::{free_port, Address, BackendError, Launch};
pub use dispatch::Backend;
pub use docker::{clean_docker, DockerBackend, DockerRun};
pub use process::ProcessBackend;
