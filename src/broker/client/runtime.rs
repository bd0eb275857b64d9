//! The blocking entry: runs one of the client's futures on a runtime of its own, as
//! `Verifier::run` does, for callers (the CLI) that are not async.

use std::future::Future;

use super::error::BrokerError;

/// Runs `future` to completion on a new single-threaded runtime.
///
/// ```no_run
/// use shakedown::broker::client::{block_on, Auth, Broker};
/// let broker = Broker::new("http://127.0.0.1:9292", Auth::None).unwrap();
/// let environments = block_on(broker.environments()).unwrap().unwrap();
/// println!("{} environment(s)", environments.len());
/// ```
pub fn block_on<F: Future>(future: F) -> Result<F::Output, BrokerError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| BrokerError::Runtime(e.to_string()))?;
    Ok(runtime.block_on(future))
}
