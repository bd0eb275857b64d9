//! Canaries: probes on a fixed schedule for the whole run (open model: a slow probe never
//! delays the next), HTTP requests or contract replays, each recorded as a `probe` event.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::contract::Pact;
use crate::report::EventKind;
use crate::verifier::{Outcome, Verifier};

use super::cancel::Cancel;
use super::model::Canary;
use super::probe::{self, ProbeResult};
use super::promql;
use super::recorder::Recorder;
use super::system::{snapshot, Names};

/// The most probes of one canary in flight when its scenario does not say.
const MAX_DEFAULT_CONCURRENCY: usize = 1024;

/// Probes `canary` on a fixed schedule (the start plus k × `every`) until `stop` fires:
/// a slow probe never delays the next one. A probe due while `concurrency` probes are in
/// flight is recorded as failed (`missed`); probes in flight when `stop` fires are dropped.
pub async fn run(canary: Canary, names: Arc<RwLock<Names>>, recorder: Recorder, stop: Cancel) {
    let every: Duration = canary.every.into();
    let bound = concurrency(&canary);
    let prober = Arc::new(Prober {
        client: probe::client(),
        replay: Replay::new(&canary),
        canary,
        names,
        recorder,
    });
    let mut in_flight = JoinSet::new();
    let start = Instant::now();
    for k in 0u32.. {
        let due = start + every.saturating_mul(k);
        tokio::select! {
            _ = tokio::time::sleep_until(due) => {}
            _ = stop.cancelled() => return,
        }
        while in_flight.try_join_next().is_some() {}
        if in_flight.len() < bound {
            in_flight.spawn(prober.clone().fire(due));
        } else {
            prober.missed(due, bound);
        }
    }
}

/// How many probes of `canary` may be in flight: its `concurrency`, or by default enough
/// for every probe to run to its timeout (⌈timeout / every⌉ + 1, at most 1024).
pub fn concurrency(canary: &Canary) -> usize {
    if let Some(n) = canary.concurrency {
        return n.max(1);
    }
    let timeout = match &canary.http {
        Some(req) => req.timeout.into(),
        None => replay_timeout(canary),
    };
    let every = Duration::from(canary.every).as_secs_f64().max(1e-6);
    let needed = (timeout.as_secs_f64() / every).ceil() as usize + 1;
    needed.clamp(1, MAX_DEFAULT_CONCURRENCY)
}

/// What one canary's probes share: the canary, its client and contract, where to record.
struct Prober {
    canary: Canary,
    client: reqwest::Client,
    replay: Replay,
    names: Arc<RwLock<Names>>,
    recorder: Recorder,
}

impl Prober {
    /// Sends the probe due at `due` and records it.
    async fn fire(self: Arc<Self>, due: Instant) {
        let lag_ms = due.elapsed().as_secs_f64() * 1000.0;
        let snapshot = snapshot(&self.names);
        let result = once(&self.canary, &self.replay, &snapshot, &self.client).await;
        let done_ms = self.recorder.now_ms();
        self.record(done_ms, due, result, false, lag_ms);
    }

    /// Records the probe due at `due` as missed: `bound` probes were still in flight.
    fn missed(&self, due: Instant, bound: usize) {
        let result = ProbeResult {
            ok: false,
            latency_ms: 0.0,
            status: None,
            error: Some(format!(
                "missed: {bound} probes in flight (concurrency {bound})"
            )),
            json: None,
        };
        let lag_ms = due.elapsed().as_secs_f64() * 1000.0;
        self.record(self.recorder.now_ms(), due, result, true, lag_ms);
    }

    fn record(&self, done_ms: f64, due: Instant, r: ProbeResult, missed: bool, lag_ms: f64) {
        let due_ms = self.recorder.ms_at(due.into_std());
        self.recorder.record_at(
            done_ms,
            EventKind::Probe {
                canary: self.canary.name.clone(),
                ok: r.ok,
                latency_ms: (done_ms - due_ms).max(0.0),
                status: r.status,
                error: r.error,
                missed,
                lag_ms,
            },
        );
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
        let mut result = match names.expand(&req.url, None) {
            Ok(url) => probe::probe(client, req, &url, &canary.expect).await,
            Err(e) => failed(e.to_string()),
        };
        if result.error.as_deref() == Some("timed out") {
            result.error = Some(format!("timeout after {}", req.timeout));
        }
        return result;
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
                let timeout = replay_timeout(canary);
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

/// The timeout of each request of a contract replay: the canary's p99, at least 2 s.
fn replay_timeout(canary: &Canary) -> Duration {
    canary
        .expect
        .p99
        .map_or(Duration::from_secs(2), Into::into)
        .max(Duration::from_secs(2))
}

/// One replay of the contract: ok when every interaction passed.
async fn replay_once(verifier: Verifier) -> ProbeResult {
    let started = std::time::Instant::now();
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

    /// A loopback HTTP server that answers every request after `delay`.
    fn slow_server(delay: Duration) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(200) {
                let Ok(mut s) = stream else { return };
                std::thread::spawn(move || {
                    let _ = s.read(&mut [0u8; 4096]);
                    std::thread::sleep(delay);
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
                });
            }
        });
        format!("http://{addr}/health")
    }

    #[tokio::test]
    async fn slow_probes_never_delay_the_schedule_and_missed_ones_count() {
        let url = slow_server(Duration::from_millis(300));
        let text = format!(
            "name = \"c\"\nhttp = {{ url = \"{url}\" }}\nevery = \"50ms\"\nconcurrency = 2"
        );
        let canary: Canary = toml::from_str(&text).unwrap();
        let recorder = Recorder::new(None);
        let (stop, stopped) = crate::scenario::cancel_pair();
        let names = Arc::new(RwLock::new(Names::default()));
        let task = tokio::spawn(run(canary, names, recorder.clone(), stopped));
        tokio::time::sleep(Duration::from_millis(1_020)).await;
        stop.cancel();
        task.await.unwrap();
        let probes: Vec<(bool, bool, f64)> = recorder
            .events()
            .iter()
            .filter_map(|e| match &e.what {
                EventKind::Probe {
                    ok,
                    missed,
                    latency_ms,
                    ..
                } => Some((*ok, *missed, *latency_ms)),
                _ => None,
            })
            .collect();
        // 21 due (0, 50 … 1000 ms); the last two or three are still in flight at the stop.
        assert!((15..=21).contains(&probes.len()), "{probes:?}");
        let missed = probes.iter().filter(|p| p.1).count();
        assert!(
            missed >= 8,
            "at most 2 of each 6 due in 300 ms can start: {probes:?}"
        );
        assert!(
            probes.iter().all(|p| p.0 != p.1),
            "sent ones succeed, missed ones fail"
        );
        assert!(
            probes.iter().filter(|p| p.0).all(|p| p.2 >= 290.0),
            "latency counts from the scheduled start: {probes:?}"
        );
    }

    #[test]
    fn the_default_concurrency_lets_every_probe_run_to_its_timeout() {
        let canary = |text: &str| -> Canary { toml::from_str(text).unwrap() };
        let http = "name = \"c\"\nhttp = { url = \"http://x\", timeout = \"2s\" }";
        assert_eq!(
            concurrency(&canary(&format!("{http}\nevery = \"100ms\""))),
            21
        );
        assert_eq!(concurrency(&canary(&format!("{http}\nevery = \"5s\""))), 2);
        assert_eq!(
            concurrency(&canary(&format!("{http}\nevery = \"1ms\""))),
            1024
        );
        assert_eq!(concurrency(&canary(&format!("{http}\nconcurrency = 3"))), 3);
    }
}
