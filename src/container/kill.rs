//! Killed: a container whose processes got SIGKILL (a crash), started again when the guard
//! drops.

use std::time::Duration;

use bollard::query_parameters::{KillContainerOptions, StartContainerOptions};
use bollard::Docker;

use super::daemon;
use super::error::ContainerError;

/// How long a killed container may take to be seen stopped before it is started again.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A killed container; dropping the guard starts it again (same container, same
/// filesystem; Docker may give it a new IP and new host ports, so read
/// `get_host_port_ipv4` again). Inside or outside a tokio runtime, never panicking.
#[must_use = "the container is started again as soon as the guard is dropped"]
#[derive(Debug)]
pub struct Killed {
    id: String,
}

impl Killed {
    /// The killed container's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Sends SIGKILL to container `id` (as `docker kill`): its connections are reset, it
/// stops with exit code 137.
pub async fn kill(id: &str) -> Result<Killed, ContainerError> {
    let options = KillContainerOptions {
        signal: "SIGKILL".into(),
    };
    daemon::connect()?
        .kill_container(id, Some(options))
        .await
        .map_err(|e| daemon::refused(&format!("killing {id}"), &e))?;
    Ok(Killed { id: id.to_string() })
}

/// Starts the killed container `id` again once Docker sees it stopped (bounded wait).
async fn restart(id: &str) -> Result<(), ContainerError> {
    let docker = daemon::connect()?;
    wait_stopped(&docker, id).await?;
    docker
        .start_container(id, None::<StartContainerOptions>)
        .await
        .map_err(|e| daemon::refused(&format!("starting {id} again"), &e))
}

async fn wait_stopped(docker: &Docker, id: &str) -> Result<(), ContainerError> {
    let deadline = tokio::time::Instant::now() + STOP_TIMEOUT;
    while daemon::running(docker, id).await.is_ok() {
        if tokio::time::Instant::now() >= deadline {
            return Err(ContainerError::State {
                id: id.to_string(),
                why: format!("still running {STOP_TIMEOUT:?} after SIGKILL"),
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

impl Drop for Killed {
    fn drop(&mut self) {
        let id = self.id.clone();
        daemon::undo(format!("the kill of {id}"), move || async move {
            restart(&id).await
        });
    }
}
