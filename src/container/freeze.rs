//! Frozen: a container paused (`docker pause`: its cgroup freezer) until the guard drops.

use super::daemon;
use super::error::ContainerError;

/// A paused container; dropping the guard unpauses it (inside or outside a tokio runtime,
/// never panicking: a failure is logged).
#[must_use = "the container is unpaused as soon as the guard is dropped"]
#[derive(Debug)]
pub struct Frozen {
    id: String,
}

impl Frozen {
    /// The paused container's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Pauses container `id`: every process in it stops being scheduled, its sockets stay open
/// (peers see silence, not errors).
pub async fn freeze(id: &str) -> Result<Frozen, ContainerError> {
    daemon::connect()?
        .pause_container(id)
        .await
        .map_err(|e| daemon::refused(&format!("pausing {id}"), &e))?;
    Ok(Frozen { id: id.to_string() })
}

impl Drop for Frozen {
    fn drop(&mut self) {
        let id = self.id.clone();
        daemon::undo(format!("the pause of {id}"), move || async move {
            daemon::connect()?
                .unpause_container(&id)
                .await
                .map_err(|e| daemon::refused(&format!("unpausing {id}"), &e))
        });
    }
}
