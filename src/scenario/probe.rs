//! One HTTP probe: send the request, time it, and judge the answer against an expectation
//! (status range, a JSON value at a pointer). Shared by canaries, steady-state checks and
//! hypotheses.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::model::{Expect, HttpRequest};
use super::status::StatusRange;
use crate::http_client::{self, describe};

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

/// The most of an answer a probe reads (a bigger one fails the probe): probes judge a
/// status and a JSON value, not bulk data.
pub const MAX_PROBE_ANSWER: usize = 4 * 1024 * 1024;

/// The total timeout of a probe whose request sets none (each request sets its own).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP client for probes: no connection reuse, so that each probe sees the system as a
/// new client would (a killed and restarted service, a reset connection); the connect
/// timeout of [`crate::http_client`].
pub fn client() -> reqwest::Client {
    http_client::builder(DEFAULT_TIMEOUT)
        .pool_max_idle_per_host(0)
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
) -> Result<(u16, Vec<u8>), String> {
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
    let response = builder.send().await.map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let body = http_client::read_capped(response, MAX_PROBE_ANSWER)
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, body))
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

    /// A loopback server answering one request with 1 MiB chunks, at most 256 of them (so
    /// it ends by itself), then holding the connection for 10 s without finishing.
    fn endless_server() -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let Ok((mut s, _)) = listener.accept() else {
                return;
            };
            let _ = s.read(&mut [0u8; 4096]);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            let chunk = vec![b' '; 1 << 20];
            for _ in 0..256 {
                let sent = s
                    .write_all(b"100000\r\n")
                    .and_then(|()| s.write_all(&chunk));
                if sent.and_then(|()| s.write_all(b"\r\n")).is_err() {
                    return;
                }
            }
            std::thread::sleep(std::time::Duration::from_secs(10));
        });
        format!("http://{addr}/health")
    }

    #[tokio::test]
    async fn fails_on_an_endless_answer_without_reading_it_all() {
        let url = endless_server();
        let req: HttpRequest =
            serde_json::from_value(json!({"url": url, "timeout": "20s"})).unwrap();
        let result = probe(&client(), &req, &url, &Expect::default()).await;
        assert!(!result.ok);
        let error = result.error.unwrap_or_default();
        assert!(error.contains("larger than"), "{error}");
    }
}
