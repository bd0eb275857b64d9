//! One HTTP probe: send the request, time it, and judge the answer against an expectation
//! (status range, a JSON value at a pointer). Shared by canaries, steady-state checks and
//! hypotheses.

use std::time::Instant;

use serde_json::Value;

use super::model::{Expect, HttpRequest};
use super::status::StatusRange;

/// What one probe saw.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResult {
    /// The answer met the expectation.
    pub ok: bool,
    /// Time to the full answer (or to the failure), ms.
    pub latency_ms: f64,
    /// The answer's status, if there was an answer.
    pub status: Option<u16>,
    /// Why it failed (`None` when ok).
    pub error: Option<String>,
    /// The body, when it was JSON.
    pub json: Option<Value>,
}

/// An HTTP client for probes: no connection reuse, so that each probe sees the system as a
/// new client would (a killed and restarted service, a reset connection).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// Sends `req` (placeholders already expanded into `url`) and judges it with `expect`.
pub async fn probe(
    client: &reqwest::Client,
    req: &HttpRequest,
    url: &str,
    expect: &Expect,
) -> ProbeResult {
    let started = Instant::now();
    let answer = send(client, req, url).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match answer {
        Err(error) => ProbeResult {
            ok: false,
            latency_ms,
            status: None,
            error: Some(error),
            json: None,
        },
        Ok((status, body)) => {
            let json = serde_json::from_slice::<Value>(&body).ok();
            let error = judge(expect, status, json.as_ref());
            ProbeResult {
                ok: error.is_none(),
                latency_ms,
                status: Some(status),
                error,
                json,
            }
        }
    }
}

async fn send(
    client: &reqwest::Client,
    req: &HttpRequest,
    url: &str,
) -> Result<(u16, bytes::Bytes), String> {
    let method = reqwest::Method::from_bytes(req.method.to_uppercase().as_bytes())
        .map_err(|e| e.to_string())?;
    let mut builder = client.request(method, url).timeout(req.timeout.into());
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    if let Some(json) = &req.json {
        builder = builder.json(json);
    } else if let Some(body) = &req.body {
        builder = builder.body(body.clone());
    }
    let response = builder.send().await.map_err(describe)?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(describe)?;
    Ok((status, body))
}

fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused or failed".into()
    } else {
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg = format!("{msg}: {s}");
            source = s.source();
        }
        msg
    }
}

/// Why an answer does not meet `expect` (`None`: it does).
pub fn judge(expect: &Expect, status: u16, json: Option<&Value>) -> Option<String> {
    let range = expect
        .status
        .as_deref()
        .and_then(|s| s.parse::<StatusRange>().ok())
        .unwrap_or_default();
    if !range.accepts(status) {
        return Some(format!("status {status}"));
    }
    let (Some(pointer), Some(wanted)) = (&expect.json, &expect.equals) else {
        return None;
    };
    let actual = json.and_then(|j| j.pointer(pointer));
    (actual != Some(wanted)).then(|| match actual {
        Some(v) => format!("{pointer} is {v}, expected {wanted}"),
        None => format!("no {pointer} in the answer"),
    })
}

/// The value at `pointer` in a probe's JSON answer.
pub fn reading(result: &ProbeResult, pointer: &str) -> Option<Value> {
    result.json.as_ref()?.pointer(pointer).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn judges_status_and_json() {
        let mut e = Expect::default();
        assert_eq!(judge(&e, 204, None), None);
        assert_eq!(judge(&e, 503, None).unwrap(), "status 503");
        e.json = Some("/shipped".into());
        e.equals = Some(json!(3));
        assert_eq!(judge(&e, 200, Some(&json!({"shipped": 3}))), None);
        assert_eq!(
            judge(&e, 200, Some(&json!({"shipped": 2}))).unwrap(),
            "/shipped is 2, expected 3"
        );
        assert_eq!(judge(&e, 200, None).unwrap(), "no /shipped in the answer");
    }
}
