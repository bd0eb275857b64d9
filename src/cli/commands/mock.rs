//! `shakedown mock`: serve contract files as a stub provider until Ctrl-C.

use std::sync::Arc;

use anyhow::Context as _;

use crate::cli::args::MockArgs;
use crate::cli::out::outln;
use crate::cli::outcome::Outcome;
use crate::cli::signals::shutdown_signals;
use crate::consumer::{RunningServer, Stub, StubOptions};
use crate::contract::{InteractionKind, Pact};

/// Runs the command.
pub fn run(args: &MockArgs) -> Outcome {
    crate::cli::logging::init();
    match serve(args) {
        Ok(()) => Outcome::Ok,
        Err(e) => {
            eprintln!("shakedown mock: {e:#}");
            Outcome::UsageError
        }
    }
}

fn serve(args: &MockArgs) -> anyhow::Result<()> {
    let mut interactions = Vec::new();
    for file in &args.files {
        let pact =
            Pact::from_file(file).with_context(|| format!("cannot serve {}", file.display()))?;
        interactions.extend(pact.interactions);
    }
    let http = interactions
        .iter()
        .filter(|i| matches!(i.kind, InteractionKind::Http { .. }))
        .count();
    let options = StubOptions {
        seed: args.seed,
        state: args.state.clone(),
        state_header: true,
        redact_headers: args.redact_headers.clone(),
    };
    let stub = Arc::new(Stub::new(interactions, options));
    let addr = format!("{}:{}", args.host, args.port);
    let mut server = RunningServer::start(&addr, stub.clone(), args.workers)?;
    // Listen for Ctrl-C (and SIGTERM) before saying we are ready, so that a signal sent
    // right after the ready line is always a clean shutdown.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let stop = {
        let _entered = rt.enter();
        shutdown_signals()?
    };
    outln!(
        "shakedown mock: serving {http} HTTP interaction(s) on http://{} (Ctrl-C to stop)",
        server.addr()
    );
    rt.block_on(stop);
    server.stop();
    let unexpected = stub.with_log(|l| l.unexpected_count);
    outln!("shakedown mock: stopped ({unexpected} request(s) matched no interaction)");
    Ok(())
}
