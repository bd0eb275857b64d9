//! Shutdown signals for the long-running commands (`mock`, `run`, `proxy`): Ctrl-C or
//! SIGTERM.

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
