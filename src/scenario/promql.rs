//! Prometheus probes: a PromQL query evaluated now through the Prometheus HTTP API
//! (`GET /api/v1/query`), its answer read into samples, and the samples judged against
//! `expect.min`/`expect.max`. Canaries, steady-state checks and hypotheses use it; so can
//! any other condition on a metric (an abort condition): [`query`], then [`judge`] or
//! [`judge_bounds`].

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::model::{Expect, PromQuery};
use super::system::Names;
use crate::http_client;

/// How long a query may take before it counts as failed.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(5);

/// The most of an answer read (a bigger one fails the query).
const MAX_ANSWER: usize = 4 * 1024 * 1024;

/// One sample of a query's result: a series' labels and its value now (a scalar has no
/// labels; a range vector gives its latest value).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The series' labels (`__name__` included when the result keeps it).
    pub labels: BTreeMap<String, String>,
    /// The value.
    pub value: f64,
}

impl Sample {
    /// `value 0.73` or `value 0.73 {job="orders"}`.
    fn describe(&self) -> String {
        let value = number(self.value);
        if self.labels.is_empty() {
            return format!("value {value}");
        }
        let labels: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        format!("value {value} {{{}}}", labels.join(","))
    }
}

/// Evaluates `query` on the Prometheus server at `url` (its base URL, e.g.
/// `http://127.0.0.1:9090`) now. The error is the reason, prefixed `prometheus: ` (a
/// connection refused, a timeout, the server's PromQL error verbatim).
pub async fn query(
    client: &reqwest::Client,
    url: &str,
    query: &str,
) -> Result<Vec<Sample>, String> {
    let endpoint = format!("{}/api/v1/query", url.trim_end_matches('/'));
    let sent = client
        .get(&endpoint)
        .query(&[("query", query)])
        .timeout(QUERY_TIMEOUT)
        .send()
        .await;
    let response = sent.map_err(|e| format!("prometheus: {}", describe(&e)))?;
    let status = response.status().as_u16();
    let body = http_client::read_capped(response, MAX_ANSWER)
        .await
        .map_err(|e| format!("prometheus: {e}"))?;
    parse(status, &body).map_err(|e| format!("prometheus: {e}"))
}

/// A scenario's Prometheus probe: `q`'s URL and query expanded with `names`, evaluated and
/// judged by `expect`. `Ok` is what was seen, `Err` why it does not hold.
pub async fn check(
    client: &reqwest::Client,
    q: &PromQuery,
    expect: &Expect,
    names: &Names,
) -> Result<String, String> {
    let url = names.expand(&q.url, None).map_err(|e| e.to_string())?;
    let text = names.expand(&q.query, None).map_err(|e| e.to_string())?;
    judge(expect, &query(client, &url, &text).await?)
}

/// A client error in the words a user reads: `connection refused`, `timed out after 5s`.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return format!("timed out after {}s", QUERY_TIMEOUT.as_secs());
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return "connection refused".into();
            }
        }
        source = s.source();
    }
    http_client::describe(e)
}

/// The API's envelope (`status`, `data` or `errorType`/`error`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    result_type: String,
    result: Value,
}

#[derive(Deserialize)]
struct Series {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    value: Option<(f64, String)>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

/// Reads an answer of the query API (its HTTP status and body) into samples; the error is
/// the server's own (`bad_data: parse error …`) or what is wrong with the answer.
pub fn parse(status: u16, body: &[u8]) -> Result<Vec<Sample>, String> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|_| {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)])
            .trim()
            .to_string();
        format!("status {status}, not an API answer: {text:?}")
    })?;
    if envelope.status != "success" {
        let kind = envelope.error_type.unwrap_or_else(|| "error".into());
        let error = envelope.error.unwrap_or_else(|| format!("status {status}"));
        return Err(format!("{kind}: {error}"));
    }
    let data = envelope
        .data
        .ok_or_else(|| "an answer without `data`".to_string())?;
    let bad = |e: serde_json::Error| format!("a {} result it cannot read: {e}", data.result_type);
    match data.result_type.as_str() {
        "scalar" => {
            let (_, v): (f64, String) = serde_json::from_value(data.result.clone()).map_err(bad)?;
            Ok(vec![sample(BTreeMap::new(), &v)?])
        }
        "vector" | "matrix" => {
            let series: Vec<Series> = serde_json::from_value(data.result.clone()).map_err(bad)?;
            series
                .into_iter()
                .filter_map(|s| {
                    let latest = s.value.or_else(|| s.values.last().cloned())?;
                    Some(sample(s.metric, &latest.1))
                })
                .collect()
        }
        other => Err(format!(
            "a {other} result: the query must give numbers (a vector or a scalar)"
        )),
    }
}

fn sample(labels: BTreeMap<String, String>, value: &str) -> Result<Sample, String> {
    let value = value
        .parse::<f64>()
        .map_err(|_| format!("{value:?} is not a number"))?;
    Ok(Sample { labels, value })
}

/// Judges a query's samples against `expect.min` and `expect.max` ([`judge_bounds`]).
pub fn judge(expect: &Expect, samples: &[Sample]) -> Result<String, String> {
    judge_bounds(expect.min, expect.max, samples)
}

/// Judges samples: each must be at least `min` and at most `max`; without either, the result
/// must be non-empty. `Ok` says what was seen (`value 0.12`, or the extreme of several:
/// `3 samples, highest value 0.4 {job="orders"}`); `Err` why it does not hold
/// (`value 0.73 > max 0.5`, `empty result`, `value NaN is not a number`).
pub fn judge_bounds(
    min: Option<f64>,
    max: Option<f64>,
    samples: &[Sample],
) -> Result<String, String> {
    if samples.is_empty() {
        return Err("empty result".into());
    }
    for s in samples {
        if s.value.is_nan() && (min.is_some() || max.is_some()) {
            return Err(format!("{} is not a number", s.describe()));
        }
        if let Some(m) = max.filter(|m| s.value > *m) {
            return Err(format!("{} > max {}", s.describe(), number(m)));
        }
        if let Some(m) = min.filter(|m| s.value < *m) {
            return Err(format!("{} < min {}", s.describe(), number(m)));
        }
    }
    Ok(seen(min, max, samples))
}

/// What a holding result showed: its one sample, or the one nearest to a bound.
fn seen(min: Option<f64>, max: Option<f64>, samples: &[Sample]) -> String {
    let by_value = |a: &&Sample, b: &&Sample| a.value.total_cmp(&b.value);
    let (word, pick) = match (min, max) {
        (Some(_), None) => ("lowest", samples.iter().min_by(by_value)),
        _ => ("highest", samples.iter().max_by(by_value)),
    };
    match (samples.len(), pick) {
        (1, _) | (_, None) => samples[0].describe(),
        (n, Some(s)) => format!("{n} samples, {word} {}", s.describe()),
    }
}

/// A value as people read it: `0.73`, `12`, `0.000123`, `NaN`, `+Inf`.
pub fn number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if v == v.trunc() && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    if v.abs() >= 0.001 {
        let fixed = format!("{v:.4}");
        return fixed
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string();
    }
    format!("{v:.3e}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(v: Value) -> Vec<u8> {
        v.to_string().into_bytes()
    }

    fn vector(values: &[(&str, &str)]) -> Vec<u8> {
        let result: Vec<Value> = values
            .iter()
            .map(|(job, v)| json!({"metric": {"job": job}, "value": [1_700_000_000.5, v]}))
            .collect();
        answer(json!({"status": "success", "data": {"resultType": "vector", "result": result}}))
    }

    #[test]
    fn reads_a_vector_with_its_labels() {
        let samples = parse(200, &vector(&[("orders", "0.73"), ("web", "+Inf")])).unwrap();
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[0].labels["job"], "orders");
        assert_eq!(samples[0].value, 0.73);
        assert_eq!(samples[1].value, f64::INFINITY);
    }

    #[test]
    fn reads_a_scalar_and_the_latest_value_of_a_matrix() {
        let scalar = answer(
            json!({"status": "success", "data": {"resultType": "scalar", "result": [1.0, "42"]}}),
        );
        let s = parse(200, &scalar).unwrap();
        assert_eq!(
            (s.len(), s[0].value, s[0].labels.is_empty()),
            (1, 42.0, true)
        );
        let matrix = answer(json!({"status": "success", "data": {"resultType": "matrix",
            "result": [{"metric": {}, "values": [[1.0, "1"], [2.0, "3"]]}]}}));
        assert_eq!(parse(200, &matrix).unwrap()[0].value, 3.0);
    }

    #[test]
    fn gives_the_servers_error_verbatim() {
        let error = answer(json!({"status": "error", "errorType": "bad_data",
            "error": "1:5: parse error: unexpected <op:*>"}));
        assert_eq!(
            parse(400, &error).unwrap_err(),
            "bad_data: 1:5: parse error: unexpected <op:*>"
        );
        let not_api = parse(404, b"404 page not found").unwrap_err();
        assert_eq!(
            not_api,
            "status 404, not an API answer: \"404 page not found\""
        );
        let string = answer(
            json!({"status": "success", "data": {"resultType": "string", "result": [1.0, "x"]}}),
        );
        assert!(parse(200, &string).unwrap_err().contains("a string result"));
    }

    fn samples(values: &[f64]) -> Vec<Sample> {
        values
            .iter()
            .map(|v| Sample {
                labels: BTreeMap::new(),
                value: *v,
            })
            .collect()
    }

    #[test]
    fn judges_every_sample_against_min_and_max() {
        assert_eq!(
            judge_bounds(None, Some(0.5), &samples(&[0.73])).unwrap_err(),
            "value 0.73 > max 0.5"
        );
        assert_eq!(
            judge_bounds(Some(1.0), None, &samples(&[3.0, 0.25])).unwrap_err(),
            "value 0.25 < min 1"
        );
        assert_eq!(
            judge_bounds(Some(0.0), Some(1.0), &samples(&[0.12])).unwrap(),
            "value 0.12"
        );
        assert_eq!(
            judge_bounds(None, Some(1.0), &samples(&[0.1, 0.4, 0.2])).unwrap(),
            "3 samples, highest value 0.4"
        );
        let nan = judge_bounds(None, Some(1.0), &samples(&[f64::NAN])).unwrap_err();
        assert_eq!(nan, "value NaN is not a number");
    }

    #[test]
    fn without_bounds_a_non_empty_result_holds() {
        assert_eq!(judge_bounds(None, None, &[]).unwrap_err(), "empty result");
        assert_eq!(
            judge_bounds(None, None, &samples(&[f64::NAN])).unwrap(),
            "value NaN"
        );
        let mut e = Expect::default();
        assert!(judge(&e, &samples(&[7.0])).is_ok());
        e.max = Some(5.0);
        assert_eq!(judge(&e, &samples(&[7.0])).unwrap_err(), "value 7 > max 5");
    }

    #[test]
    fn a_failing_sample_names_its_series() {
        let s = parse(200, &vector(&[("web", "0.1"), ("orders", "0.9")])).unwrap();
        assert_eq!(
            judge_bounds(None, Some(0.5), &s).unwrap_err(),
            "value 0.9 {job=\"orders\"} > max 0.5"
        );
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        let shown: Vec<String> = [0.73, 12.0, 0.000_123, 2.0 / 3.0, f64::NEG_INFINITY]
            .iter()
            .map(|v| number(*v))
            .collect();
        assert_eq!(shown, ["0.73", "12", "1.230e-4", "0.6667", "-Inf"]);
    }

    /// A loopback HTTP server answering every request with `status` and `body`, and what
    /// it was asked (the request line) on the channel.
    async fn server(status: u16, body: Vec<u8>) -> (String, tokio::sync::mpsc::Receiver<String>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = vec![0u8; 8192];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let line = String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let _ = tx.send(line).await;
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(&body).await;
            }
        });
        (format!("http://{addr}"), rx)
    }

    #[tokio::test]
    async fn asks_the_query_api_with_the_query_encoded() {
        let (url, mut asked) = server(200, vector(&[("orders", "0.5")])).await;
        let client = reqwest::Client::new();
        let s = query(&client, &format!("{url}/"), "rate(x{job=\"a b\"}[5s]) > 0")
            .await
            .unwrap();
        assert_eq!(s[0].value, 0.5);
        let line = asked.recv().await.unwrap();
        assert!(
            line.starts_with(
                "GET /api/v1/query?query=rate%28x%7Bjob%3D%22a+b%22%7D%5B5s%5D%29+%3E+0 "
            ),
            "{line}"
        );
    }

    #[tokio::test]
    async fn a_promql_error_from_the_server_is_the_reason() {
        let body = answer(json!({"status": "error", "errorType": "bad_data",
            "error": "invalid parameter \"query\": 1:1: parse error: unexpected end of input"}));
        let (url, _asked) = server(400, body).await;
        let err = query(&reqwest::Client::new(), &url, "(").await.unwrap_err();
        assert_eq!(
            err,
            "prometheus: bad_data: invalid parameter \"query\": 1:1: parse error: unexpected end of input"
        );
    }

    #[tokio::test]
    async fn a_server_that_is_not_there_is_a_refused_connection() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let url = format!("http://127.0.0.1:{port}");
        let err = query(&reqwest::Client::new(), &url, "up")
            .await
            .unwrap_err();
        assert_eq!(err, "prometheus: connection refused");
    }
}
