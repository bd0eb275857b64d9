//! `shakedown proxy`: the fault proxy server with its Toxiproxy-compatible API.

use std::sync::Arc;

use anyhow::Context as _;

use crate::chaos::{runtime, serve, set_busy_poll, ListenPolicy, Registry, UpstreamPolicy};
use crate::cli::args::ProxyArgs;
use crate::cli::out::outln;
use crate::cli::outcome::Outcome;
use crate::cli::signals::shutdown_signals;

/// Runs the command.
pub fn run(args: &ProxyArgs) -> Outcome {
    crate::cli::logging::init();
    match serve_api(args) {
        Ok(()) => Outcome::Ok,
        Err(e) => {
            eprintln!("shakedown proxy: {e:#}");
            Outcome::UsageError
        }
    }
}

fn serve_api(args: &ProxyArgs) -> anyhow::Result<()> {
    if let Some(window) = args.busy_poll {
        set_busy_poll(window)?;
    }
    let policy = UpstreamPolicy {
        allowed: args.allow_upstream.clone(),
        any: args.allow_any_upstream,
    };
    let listen = ListenPolicy {
        allowed: args.allow_listen.clone(),
    };
    let registry = Arc::new(Registry::new(policy, args.seed).with_listen_policy(listen));
    if let Some(file) = &args.config {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let body: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", file.display()))?;
        registry
            .populate(&body)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    }
    let addr = format!("{}:{}", args.host, args.port);
    let rt = runtime();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(&addr))
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    let stop = {
        let _entered = rt.enter();
        shutdown_signals()?
    };
    outln!("shakedown proxy: API on http://{bound} (Ctrl-C to stop)");
    rt.block_on(serve(listener, registry.clone(), stop));
    registry.shutdown();
    outln!("shakedown proxy: stopped; every proxy closed");
    Ok(())
}
