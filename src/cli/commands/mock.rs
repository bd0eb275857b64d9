//! `shakedown mock`: serve contract files as a stub provider until Ctrl-C, with faults on
//! the requests that match chosen interactions (`--fault`).

use std::sync::Arc;

use anyhow::Context as _;

use crate::cli::args::MockArgs;
use crate::cli::out::outln;
use crate::cli::outcome::Outcome;
use crate::cli::signals::shutdown_signals;
use crate::consumer::{FaultAction, RunningServer, Stub, StubFault, StubOptions};
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

/// A fault as one line: `status 503 on interactions matching "declined" (toxicity 0.5)`.
fn said(f: &StubFault) -> String {
    let action = match &f.action {
        FaultAction::Respond { status, .. } => format!("status {status}"),
        FaultAction::Abort => "abort".to_string(),
        FaultAction::Delay(d) => format!("delay {d:?}"),
    };
    let on = match &f.interaction {
        Some(r) => format!("interactions matching {:?}", r.as_str()),
        None => "every interaction".to_string(),
    };
    let share = if f.toxicity < 1.0 {
        format!(" (toxicity {})", f.toxicity)
    } else {
        String::new()
    };
    format!("{action} on {on}{share}")
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
        faults: args.faults.clone(),
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
    for fault in &args.faults {
        outln!("shakedown mock: fault {}", said(fault));
    }
    rt.block_on(stop);
    server.stop();
    let unexpected = stub.with_log(|l| l.unexpected_count);
    outln!("shakedown mock: stopped ({unexpected} request(s) matched no interaction)");
    Ok(())
}
