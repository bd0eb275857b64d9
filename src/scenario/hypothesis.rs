//! Checks that retry until they hold or a deadline passes: steady-state checks (before and
//! after the faults) and "eventually" hypotheses (e.g. every placed order was shipped).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::time::Instant;

use super::cancel::Cancel;
use super::model::{Check, Hypothesis};
use super::probe::{self, ProbeResult};
use super::promql;
use super::system::{snapshot, Names};

/// How a retried check ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// It held.
    pub ok: bool,
    /// How long until it held (or the deadline).
    pub waited: Duration,
    /// The last thing seen.
    pub detail: String,
}

const RETRY: Duration = Duration::from_millis(100);

/// Retries `attempt` until it returns `Ok`, `within` passes, or the run is cancelled.
async fn retry<F, Fut>(within: Duration, cancel: &Cancel, mut attempt: F) -> Decided
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<String, String>>,
{
    let began = Instant::now();
    let deadline = began + within;
    loop {
        let result = attempt().await;
        let waited = began.elapsed();
        match result {
            Ok(detail) => {
                return Decided {
                    ok: true,
                    waited,
                    detail,
                }
            }
            Err(detail) if Instant::now() + RETRY >= deadline || cancel.is_cancelled() => {
                return Decided {
                    ok: false,
                    waited,
                    detail,
                };
            }
            Err(_) => {
                if !cancel.sleep_until(Instant::now() + RETRY).await {
                    return Decided {
                        ok: false,
                        waited,
                        detail: "cancelled".into(),
                    };
                }
            }
        }
    }
}

fn outcome(r: &ProbeResult) -> Result<String, String> {
    let status = r.status.map_or(String::new(), |s| format!("status {s}, "));
    match &r.error {
        None => Ok(format!("{status}{:.0}ms", r.latency_ms)),
        Some(e) => Err(e.clone()),
    }
}

/// Runs a steady-state check until it holds (at most its `within`).
pub async fn steady(check: &Check, names: &Arc<RwLock<Names>>, cancel: &Cancel) -> Decided {
    let client = probe::client();
    retry(check.within.into(), cancel, || {
        let n = snapshot(names);
        let client = client.clone();
        async move { check_once(check, &n, &client).await }
    })
    .await
}

/// One attempt of a steady-state check (no retry): what it saw, or why it does not hold.
pub async fn check_once(
    check: &Check,
    n: &Names,
    client: &reqwest::Client,
) -> Result<String, String> {
    if let Some(q) = &check.prometheus {
        return promql::check(client, q, &check.expect, n).await;
    }
    let req = check.http.as_ref().ok_or("no probe")?;
    let url = n.expand(&req.url, None).map_err(|e| e.to_string())?;
    outcome(&probe::probe(client, req, &url, &check.expect).await)
}

/// Runs a hypothesis until it holds (at most its `within`).
pub async fn eventually(h: &Hypothesis, names: &Arc<RwLock<Names>>, cancel: &Cancel) -> Decided {
    let client = probe::client();
    retry(h.within.into(), cancel, || {
        let n = snapshot(names);
        let client = client.clone();
        async move { attempt(h, &n, &client).await }
    })
    .await
}

async fn attempt(h: &Hypothesis, n: &Names, client: &reqwest::Client) -> Result<String, String> {
    if let Some(q) = &h.prometheus {
        return promql::check(client, q, &h.expect, n).await;
    }
    let req = h.http.as_ref().ok_or("no probe")?;
    let url = n.expand(&req.url, None).map_err(|e| e.to_string())?;
    let Some(reading) = &h.same_as else {
        return outcome(&probe::probe(client, req, &url, &h.expect).await);
    };
    let other_url = n
        .expand(&reading.http.url, None)
        .map_err(|e| e.to_string())?;
    let other = probe::probe(client, &reading.http, &other_url, &Default::default()).await;
    outcome(&other)?;
    let wanted = probe::reading(&other, &reading.json)
        .ok_or_else(|| format!("no {} at {other_url}", reading.json))?;
    let mut expect = h.expect.clone();
    expect.equals = Some(wanted.clone());
    let pointer = expect.json.clone().unwrap_or_default();
    let mine = probe::probe(client, req, &url, &expect).await;
    outcome(&mine).map(|_| format!("{pointer} = {wanted}"))
}
