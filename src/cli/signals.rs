//! Shutdown signals for the long-running commands (`mock`, `run`, `proxy`): Ctrl-C or
//! SIGTERM; and `run`'s kill switch, SIGUSR1.

use anyhow::Context as _;

/// A future that completes on SIGINT or SIGTERM; the handlers are installed when it is made.
pub(crate) fn shutdown_signals() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt()).context("cannot listen for Ctrl-C")?;
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}

/// A future that completes on SIGUSR1 (the kill switch of `shakedown run`); the handler is
/// installed when it is made, so the signal no longer ends the process.
pub(crate) fn kill_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut usr1 = signal(SignalKind::user_defined1()).context("cannot listen for SIGUSR1")?;
    Ok(async move {
        usr1.recv().await;
    })
}
