//! Canaries: probes at an interval for the whole run, HTTP requests or contract replays,
//! each recorded as a `probe` event.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::contract::Pact;
use crate::report::EventKind;
use crate::verifier::{Outcome, Verifier};

use super::cancel::Cancel;
use super::model::Canary;
use super::probe::{self, ProbeResult};
use super::promql;
use super::recorder::Recorder;
use super::system::{snapshot, Names};

/// Probes `canary` every `every` until `stop` fires.
pub async fn run(canary: Canary, names: Arc<RwLock<Names>>, recorder: Recorder, stop: Cancel) {
    let client = probe::client();
    let replay = Replay::new(&canary);
    let mut ticks = tokio::time::interval(canary.every.into());
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.cancelled() => return,
        }
        let snapshot = snapshot(&names);
        let result = tokio::select! {
            r = once(&canary, &replay, &snapshot, &client) => r,
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

async fn once(
    canary: &Canary,
    replay: &Replay,
    names: &Names,
    client: &reqwest::Client,
) -> ProbeResult {
    let failed = |error: String| ProbeResult {
        ok: false,
        latency_ms: 0.0,
        status: None,
        error: Some(error),
        json: None,
    };
    if let Some(q) = &canary.prometheus {
        let started = Instant::now();
        let judged = promql::check(client, q, &canary.expect, names).await;
        return ProbeResult {
            ok: judged.is_ok(),
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
            status: None,
            error: judged.err(),
            json: None,
        };
    }
    if let Some(req) = &canary.http {
        return match names.expand(&req.url, None) {
            Ok(url) => probe::probe(client, req, &url, &canary.expect).await,
            Err(e) => failed(e.to_string()),
        };
    }
    match replay.verifier(canary, names) {
        Ok(v) => replay_once(v).await,
        Err(e) => failed(e),
    }
}

/// A contract replay prepared once per run: the contract read (and digested) and the
/// verifier set up; each probe only points it at where the provider runs now.
struct Replay {
    /// The verifier without a base URL (nor a state URL, which has placeholders), or why
    /// there is none.
    prepared: Result<Verifier, String>,
}

impl Replay {
    fn new(canary: &Canary) -> Replay {
        let provider = canary.provider.as_deref().unwrap_or_default();
        let prepared = canary
            .contract
            .as_deref()
            .ok_or_else(|| "no contract".to_string())
            .and_then(|path| Pact::from_file(path).map_err(|e| e.to_string()))
            .map(|pact| {
                let timeout = canary
                    .expect
                    .p99
                    .map_or(Duration::from_secs(2), Into::into)
                    .max(Duration::from_secs(2));
                let verifier = Verifier::new(provider, "").pact(pact).timeout(timeout);
                match canary.states {
                    Some(_) => verifier,
                    None => verifier.ignore_states(),
                }
            });
        Replay { prepared }
    }

    /// The verifier for one probe: the provider and its state URL where they are now.
    fn verifier(&self, canary: &Canary, names: &Names) -> Result<Verifier, String> {
        let provider = canary.provider.as_deref().unwrap_or_default();
        let address = names
            .address(provider)
            .ok_or_else(|| format!("provider {provider:?} is not running"))?;
        let verifier = self
            .prepared
            .clone()?
            .base_url(&format!("http://{address}"));
        match &canary.states {
            Some(url) => {
                Ok(verifier.state_url(&names.expand(url, None).map_err(|e| e.to_string())?))
            }
            None => Ok(verifier),
        }
    }
}

/// One replay of the contract: ok when every interaction passed.
async fn replay_once(verifier: Verifier) -> ProbeResult {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn canary(contract: &std::path::Path) -> Canary {
        let text = format!(
            "name = \"the web contract holds\"\ncontract = {:?}\nprovider = \"orders\"",
            contract.display().to_string()
        );
        toml::from_str(&text).unwrap()
    }

    #[test]
    fn the_contract_is_read_once_per_run() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("web-orders.json");
        std::fs::copy("contracts/web-orders.json", &file).unwrap();
        let canary = canary(&file);
        let replay = Replay::new(&canary);
        std::fs::remove_file(&file).unwrap();
        assert!(replay.prepared.is_ok(), "read when the run started");
        let err = replay.verifier(&canary, &Names::default()).unwrap_err();
        assert_eq!(err, "provider \"orders\" is not running");
    }

    #[test]
    fn an_unreadable_contract_fails_every_probe() {
        let dir = tempfile::tempdir().unwrap();
        let replay = Replay::new(&canary(&dir.path().join("missing.json")));
        let err = replay.prepared.unwrap_err();
        assert!(err.contains("missing.json"), "{err}");
    }
}
