//! `shakedown broker`: serve the Pact Broker API over a local SQLite store until Ctrl-C.

use std::sync::Arc;

use anyhow::Context as _;

use crate::broker::server::{serve, Broker, BrokerOptions};
use crate::broker::store::Store;
use crate::cli::args::ServeBrokerArgs;
use crate::cli::out::outln;
use crate::cli::outcome::Outcome;
use crate::cli::signals::shutdown_signals;

/// Runs the command.
pub fn run(args: &ServeBrokerArgs) -> Outcome {
    crate::cli::logging::init();
    match serve_until_stopped(args) {
        Ok(()) => Outcome::Ok,
        Err(e) => {
            eprintln!("shakedown broker: {e:#}");
            Outcome::UsageError
        }
    }
}

fn serve_until_stopped(args: &ServeBrokerArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.store)
        .with_context(|| format!("cannot open the store in {}", args.store.display()))?;
    let options = BrokerOptions {
        token: args.token.clone().filter(|t| !t.is_empty()),
        public_read: args.public_read,
        test_states: args.test_states,
        base_url: args.base_url.clone(),
    };
    let broker = Arc::new(Broker::new(store, options));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
        let addr = listener.local_addr()?;
        // Listen for Ctrl-C and SIGTERM before saying we are ready, so a signal sent right
        // after the start line is a clean shutdown.
        let stop = shutdown_signals()?;
        let host = if addr.is_ipv6() {
            format!("[{}]", addr.ip())
        } else {
            addr.ip().to_string()
        };
        outln!(
            "shakedown broker listening on http://{host}:{}",
            addr.port()
        );
        serve(listener, stop, broker).await;
        Ok(())
    })
}
