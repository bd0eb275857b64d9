//! Cancellation of a run (Ctrl-C, SIGTERM, or a caller giving up): a flag every waiting step
//! can select on.

use tokio::sync::watch;

/// The cancelling side.
#[derive(Debug, Clone)]
pub struct Canceller(watch::Sender<bool>);

/// The side that waits; cheap to clone.
#[derive(Debug, Clone)]
pub struct Cancel(watch::Receiver<bool>);

/// A new pair.
pub fn cancel_pair() -> (Canceller, Cancel) {
    let (tx, rx) = watch::channel(false);
    (Canceller(tx), Cancel(rx))
}

impl Canceller {
    /// Cancels the run.
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }
}

impl Cancel {
    /// A token that never fires.
    pub fn never() -> Self {
        let (tx, rx) = watch::channel(false);
        std::mem::forget(tx);
        Cancel(rx)
    }

    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Completes when the run is cancelled (never, if the canceller is gone uncancelled).
    pub async fn cancelled(&self) {
        let mut rx = self.0.clone();
        if rx.wait_for(|c| *c).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Sleeps until `deadline`; false if cancelled first.
    pub async fn sleep_until(&self, deadline: tokio::time::Instant) -> bool {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => true,
            _ = self.cancelled() => false,
        }
    }
}
