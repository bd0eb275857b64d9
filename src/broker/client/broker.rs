//! The broker connection: its base URL and credentials, requests with retries, answers
//! checked (status → [`BrokerError`], body → HAL), and the index its links start from.

use std::time::Duration;

use reqwest::{Method, Url};
use serde_json::Value;

use super::auth::Auth;
use super::error::BrokerError;
use super::hal::{Hal, Link};
use crate::http_client::{builder, describe, read_capped};

/// `Accept` for HAL resources.
pub(super) const HAL: &str = "application/hal+json";
/// `Accept` of the requests the official client sends for versions (HAL or plain JSON).
pub(super) const HAL_OR_JSON: &str = "application/hal+json, application/json";
/// The largest answer read (a big pact).
const MAX_ANSWER: usize = 64 * 1024 * 1024;
/// One request's timeout.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How 5xx answers and failed connections are retried: `retries` more attempts, the first
/// after `first_delay`, each delay doubling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts after the first (default 3).
    pub retries: u32,
    /// The delay before the first retry (default 200 ms).
    pub first_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            retries: 3,
            first_delay: Duration::from_millis(200),
        }
    }
}

/// A Pact Broker (or PactFlow), reached through its HAL API.
///
/// Every operation starts at the index (`GET /`) and follows `_links` by relation name.
///
/// ```no_run
/// use shakedown::broker::client::{block_on, Auth, Broker};
/// let broker = Broker::new("http://127.0.0.1:9292", Auth::Token("t".into())).unwrap();
/// let matrix = block_on(broker.can_i_deploy("web", "1.0.0", Some("production"))).unwrap().unwrap();
/// println!("deployable: {:?} ({})", matrix.deployable, matrix.reason.unwrap_or_default());
/// ```
#[derive(Debug, Clone)]
pub struct Broker {
    base: Url,
    auth: Auth,
    retry: Retry,
    client: reqwest::Client,
}

/// An answer that passed the status checks.
#[derive(Debug)]
pub(super) struct Answer {
    /// The URL asked.
    pub url: String,
    /// The body as JSON (`Null` when empty).
    pub body: Value,
}

/// A request body: JSON, with its content type.
pub(super) struct Body<'a> {
    pub json: &'a Value,
    pub content_type: &'static str,
}

impl<'a> Body<'a> {
    /// `application/json`.
    pub fn json(json: &'a Value) -> Self {
        Body {
            json,
            content_type: "application/json",
        }
    }
}

impl Broker {
    /// The broker at `base_url` (http or https), with `auth` on every request.
    pub fn new(base_url: &str, auth: Auth) -> Result<Self, BrokerError> {
        let bad = |reason: String| BrokerError::BadUrl {
            url: base_url.to_string(),
            reason,
        };
        let mut base = Url::parse(base_url).map_err(|e| bad(e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(bad("expected http://host:port or https://host:port".into()));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let client = builder(TIMEOUT)
            .build()
            .map_err(|e| BrokerError::Runtime(e.to_string()))?;
        Ok(Broker {
            base,
            auth,
            retry: Retry::default(),
            client,
        })
    }

    /// Retries 5xx answers and failed connections this way instead.
    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// The base URL (ending with `/`).
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// The index (`GET /`): where every relation starts.
    pub async fn index(&self) -> Result<Hal, BrokerError> {
        self.index_accepting(HAL).await
    }

    /// The index, asked with this `Accept` header.
    pub(super) async fn index_accepting(&self, accept: &str) -> Result<Hal, BrokerError> {
        self.get_hal(self.base.as_str(), accept).await.map_err(|e| {
            e.looking_for("the broker's index (is --broker-url the broker's base URL?)")
        })
    }

    /// The index's link of relation `rel`, or an error naming what the index offers.
    pub(super) async fn relation(&self, rel: &str, accept: &str) -> Result<Link, BrokerError> {
        let index = self.index_accepting(accept).await?;
        index
            .link(rel)
            .ok_or_else(|| missing(rel, format!("the broker's index at {}", self.base), &index))
    }

    /// The index's link of relation `rel`, or `fallback` (the path the official client
    /// uses) when this broker's index lacks it: documented per operation.
    pub(super) async fn relation_or(&self, rel: &str, fallback: &str) -> Result<Link, BrokerError> {
        let index = self.index().await?;
        Ok(index.link(rel).unwrap_or_else(|| Link {
            href: fallback.to_string(),
            name: None,
            title: None,
        }))
    }

    /// `href` resolved against the base URL.
    pub(super) fn resolve(&self, href: &str) -> Result<Url, BrokerError> {
        // Absolute paths (what brokers answer) are from the host's root, like a browser's.
        self.base.join(href).map_err(|e| BrokerError::BadUrl {
            url: href.to_string(),
            reason: e.to_string(),
        })
    }

    /// `GET href`, which must answer a HAL document.
    pub(super) async fn get_hal(&self, href: &str, accept: &str) -> Result<Hal, BrokerError> {
        let answer = self.send(Method::GET, href, None, accept).await?;
        hal(answer)
    }

    /// Sends a request (retrying 5xx answers and failed connections) and checks its answer.
    pub(super) async fn send(
        &self,
        method: Method,
        href: &str,
        body: Option<Body<'_>>,
        accept: &str,
    ) -> Result<Answer, BrokerError> {
        let url = self.resolve(href)?;
        let mut delay = self.retry.first_delay;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = self.attempt(&method, &url, body.as_ref(), accept).await;
            let last = attempts > self.retry.retries;
            match result {
                Err(Failure::Retryable(_)) if !last => {}
                Err(Failure::Retryable(e)) | Err(Failure::Final(e)) => {
                    return Err(with_attempts(e, attempts))
                }
                Ok(answer) => return Ok(answer),
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&Body<'_>>,
        accept: &str,
    ) -> Result<Answer, Failure> {
        let mut request = self
            .client
            .request(method.clone(), url.clone())
            .header("Accept", accept);
        if let Some(b) = body {
            let bytes = serde_json::to_vec(b.json).unwrap_or_default();
            request = request.header("Content-Type", b.content_type).body(bytes);
        }
        let response = match self.auth.apply(request).send().await {
            Ok(r) => r,
            Err(e) => {
                return Err(Failure::Retryable(BrokerError::Unreachable {
                    url: url.to_string(),
                    attempts: 1,
                    reason: describe(&e),
                }))
            }
        };
        let status = response.status().as_u16();
        let json_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|t| t.to_ascii_lowercase().contains("json"));
        let bytes = read_capped(response, MAX_ANSWER).await.map_err(|e| {
            Failure::Retryable(BrokerError::Unreachable {
                url: url.to_string(),
                attempts: 1,
                reason: e.to_string(),
            })
        })?;
        let url = url.to_string();
        let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
        let message = || explain(parsed.as_ref(), &bytes);
        match status {
            200..=299 => answer(url, &bytes, parsed.clone(), json_type).map_err(Failure::Final),
            401 | 403 => Err(Failure::Final(BrokerError::Auth { url, status })),
            404 => Err(Failure::Final(BrokerError::NotFound {
                what: "the resource".into(),
                url,
            })),
            409 => Err(Failure::Final(BrokerError::Conflict {
                url,
                message: message(),
            })),
            500..=599 => Err(Failure::Retryable(BrokerError::Server {
                url,
                status,
                attempts: 1,
                message: message(),
            })),
            _ => Err(Failure::Final(BrokerError::Rejected {
                url,
                status,
                message: message(),
            })),
        }
    }
}

/// A failed attempt: worth another, or not.
enum Failure {
    Retryable(BrokerError),
    Final(BrokerError),
}

fn with_attempts(e: BrokerError, n: u32) -> BrokerError {
    match e {
        BrokerError::Server {
            url,
            status,
            message,
            ..
        } => BrokerError::Server {
            url,
            status,
            attempts: n,
            message,
        },
        BrokerError::Unreachable { url, reason, .. } => BrokerError::Unreachable {
            url,
            attempts: n,
            reason,
        },
        other => other,
    }
}

/// A 2xx answer: an empty body, or JSON (a body that is not JSON is refused).
fn answer(
    url: String,
    bytes: &[u8],
    parsed: Option<Value>,
    json_type: Option<bool>,
) -> Result<Answer, BrokerError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Answer {
            url,
            body: Value::Null,
        });
    }
    match parsed {
        Some(body) => Ok(Answer { url, body }),
        None => Err(BrokerError::NotHal {
            reason: match json_type {
                Some(true) => "its body is not valid JSON".into(),
                _ => "its answer is not JSON (is the URL a Pact Broker?)".into(),
            },
            url,
        }),
    }
}

/// A 2xx answer that must be a HAL document (a JSON object).
pub(super) fn hal(answer: Answer) -> Result<Hal, BrokerError> {
    match answer.body {
        Value::Object(_) => Ok(Hal(answer.body)),
        Value::Null => Err(BrokerError::NotHal {
            url: answer.url,
            reason: "its answer is empty".into(),
        }),
        _ => Err(BrokerError::NotHal {
            url: answer.url,
            reason: "its answer is not a JSON object".into(),
        }),
    }
}

/// The error for a relation `at` lacks, naming the ones it has.
pub(super) fn missing(rel: &str, at: String, doc: &Hal) -> BrokerError {
    let offered = doc.relations();
    let detail = if offered.is_empty() {
        " (it has no links: is this a Pact Broker?)".to_string()
    } else {
        format!(
            " (it has: {}); the broker may be too old for this operation",
            offered.join(", ")
        )
    };
    BrokerError::MissingLink {
        relation: rel.to_string(),
        at,
        detail,
    }
}

/// The broker's explanation of an error answer: its notices, errors, or text (cut short).
pub(super) fn explain(parsed: Option<&Value>, bytes: &[u8]) -> String {
    let mut parts = Vec::new();
    if let Some(v) = parsed {
        if let Some(notices) = v.get("notices").and_then(Value::as_array) {
            parts.extend(
                notices
                    .iter()
                    .filter_map(|n| n.get("text").and_then(Value::as_str))
                    .map(str::to_string),
            );
        }
        if parts.is_empty() {
            collect_errors(v.get("errors").or_else(|| v.get("error")), &mut parts);
        }
        if parts.is_empty() && !v.is_null() {
            parts.push(cut(&v.to_string()));
        }
    } else if !bytes.is_empty() {
        parts.push(cut(&String::from_utf8_lossy(bytes)));
    }
    if parts.is_empty() {
        "(no explanation)".into()
    } else {
        parts.join("; ")
    }
}

fn collect_errors(v: Option<&Value>, out: &mut Vec<String>) {
    match v {
        Some(Value::String(s)) => out.push(s.clone()),
        Some(Value::Array(items)) => items.iter().for_each(|i| collect_errors(Some(i), out)),
        Some(Value::Object(map)) => {
            for (field, value) in map {
                let mut inner = Vec::new();
                collect_errors(Some(value), &mut inner);
                out.extend(inner.into_iter().map(|m| format!("{field}: {m}")));
            }
        }
        Some(other) => out.push(other.to_string()),
        None => {}
    }
}

fn cut(text: &str) -> String {
    const MAX: usize = 500;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_refuse_a_base_url_that_is_not_http() {
        assert!(matches!(
            Broker::new("ftp://x", Auth::None),
            Err(BrokerError::BadUrl { .. })
        ));
        assert!(matches!(
            Broker::new("nonsense", Auth::None),
            Err(BrokerError::BadUrl { .. })
        ));
    }

    #[test]
    fn should_resolve_relative_and_absolute_hrefs() {
        let b = Broker::new("http://h:1", Auth::None).unwrap();
        assert_eq!(
            b.resolve("/environments").unwrap().as_str(),
            "http://h:1/environments"
        );
        assert_eq!(b.resolve("http://o:2/x").unwrap().as_str(), "http://o:2/x");
        let prefixed = Broker::new("http://h:1/broker", Auth::None).unwrap();
        assert_eq!(prefixed.base_url(), "http://h:1/broker/");
        assert_eq!(prefixed.resolve("").unwrap().as_str(), "http://h:1/broker/");
    }

    #[test]
    fn should_explain_errors_from_notices_errors_or_text() {
        let notices =
            json!({"notices": [{"text": "a", "type": "error"}], "errors": {"content": ["b"]}});
        assert_eq!(explain(Some(&notices), b""), "a");
        let errors = json!({"errors": {"content": ["b", "c"]}});
        assert_eq!(explain(Some(&errors), b""), "content: b; content: c");
        assert_eq!(explain(None, b"boom"), "boom");
        assert_eq!(explain(None, b""), "(no explanation)");
    }
}
