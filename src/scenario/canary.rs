//! Canaries: probes at an interval for the whole run, HTTP requests or contract replays,
//! each recorded as a `probe` event.

use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::report::EventKind;
use crate::verifier::{Outcome, Verifier};

use super::cancel::Cancel;
use super::model::Canary;
use super::probe::{self, ProbeResult};
use super::recorder::Recorder;
use super::system::{snapshot, Names};

/// Probes `canary` every `every` until `stop` fires.
pub async fn run(canary: Canary, names: Arc<RwLock<Names>>, recorder: Recorder, stop: Cancel) {
    let client = probe::client();
    let mut ticks = tokio::time::interval(canary.every.into());
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.cancelled() => return,
        }
        let snapshot = snapshot(&names);
        let result = tokio::select! {
            r = once(&canary, &snapshot, &client) => r,
            _ = stop.cancelled() => return,
        };
        recorder.record(EventKind::Probe {
            canary: canary.name.clone(),
            ok: result.ok,
            latency_ms: result.latency_ms,
            status: result.status,
            error: result.error,
        });
    }
}

async fn once(canary: &Canary, names: &Names, client: &reqwest::Client) -> ProbeResult {
    let failed = |error: String| ProbeResult {
        ok: false,
        latency_ms: 0.0,
        status: None,
        error: Some(error),
        json: None,
    };
    if let Some(req) = &canary.http {
        return match names.expand(&req.url, None) {
            Ok(url) => probe::probe(client, req, &url, &canary.expect).await,
            Err(e) => failed(e.to_string()),
        };
    }
    match replay_verifier(canary, names) {
        Ok(v) => replay(v).await,
        Err(e) => failed(e),
    }
}

fn replay_verifier(canary: &Canary, names: &Names) -> Result<Verifier, String> {
    let provider = canary.provider.as_deref().unwrap_or_default();
    let address = names
        .address(provider)
        .ok_or_else(|| format!("provider {provider:?} is not running"))?;
    let contract = canary.contract.as_deref().ok_or("no contract")?;
    let mut verifier = Verifier::new(provider, &format!("http://{address}"))
        .contracts(contract)
        .timeout(
            canary
                .expect
                .p99
                .map_or(std::time::Duration::from_secs(2), Into::into)
                .max(std::time::Duration::from_secs(2)),
        );
    verifier = match &canary.states {
        Some(url) => verifier.state_url(&names.expand(url, None).map_err(|e| e.to_string())?),
        None => verifier.ignore_states(),
    };
    Ok(verifier)
}

/// One replay of the contract: ok when every interaction passed.
async fn replay(verifier: Verifier) -> ProbeResult {
    let started = Instant::now();
    let report = verifier.run_async().await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let error = match report {
        Err(e) => Some(e.to_string()),
        Ok(r) => r
            .contracts
            .iter()
            .flat_map(|c| &c.interactions)
            .find(|i| !i.passed())
            .map(|i| match &i.outcome {
                Outcome::Failed { mismatches } => format!(
                    "{}: {}",
                    i.description,
                    mismatches
                        .first()
                        .map_or(String::new(), |m| format!("{} {}", m.location, m.message))
                ),
                Outcome::Error { reason } => format!("{}: {reason}", i.description),
                Outcome::Passed => String::new(),
            }),
    };
    ProbeResult {
        ok: error.is_none(),
        latency_ms,
        status: None,
        error,
        json: None,
    }
}
