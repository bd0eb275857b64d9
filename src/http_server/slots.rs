//! The cap on open connections: a slot per connection, taken before accepting, so that over
//! the cap new clients wait in the listen queue instead of growing the server without bound.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connection slots; one log line each time they all get taken.
pub struct Slots {
    free: Arc<Semaphore>,
    max: usize,
    full: bool,
}

impl Slots {
    /// `max` slots (at least one).
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Slots {
            free: Arc::new(Semaphore::new(max)),
            max,
            full: false,
        }
    }

    /// A free slot, held until the permit drops; waits while every slot is taken.
    pub async fn take(&mut self) -> OwnedSemaphorePermit {
        if let Ok(permit) = self.free.clone().try_acquire_owned() {
            self.full = false;
            return permit;
        }
        if !self.full {
            self.full = true;
            tracing::warn!(target: "shakedown::http", "{} connections open, the most this server serves at once: new connections wait until one closes", self.max);
        }
        match self.free.clone().acquire_owned().await {
            Ok(permit) => permit,
            // Never closed: this cannot happen.
            Err(_) => std::future::pending().await,
        }
    }
}
