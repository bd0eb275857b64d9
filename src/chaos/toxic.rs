//! Toxics: the faults a proxy applies to one direction of a connection (latency, bandwidth,
//! slow close, timeout, reset, slicer, data limit), in Toxiproxy's JSON shape.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Which way data flows through a toxic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// Client to server.
    Upstream,
    /// Server to client.
    #[default]
    Downstream,
}

impl Stream {
    /// `upstream` or `downstream`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Upstream => "upstream",
            Stream::Downstream => "downstream",
        }
    }
}

/// What a toxic does.
#[derive(Debug, Clone, PartialEq)]
pub enum ToxicKind {
    /// Delay every chunk by `latency` ± `jitter`.
    Latency {
        /// Added delay.
        latency: Duration,
        /// Uniform random spread around it.
        jitter: Duration,
    },
    /// Limit throughput to `rate` KB/s.
    Bandwidth {
        /// Kilobytes per second.
        rate: u64,
    },
    /// Delay closing the connection by `delay` after the other side closed.
    SlowClose {
        /// Delay before closing.
        delay: Duration,
    },
    /// Stop all data; close after `timeout` (never when zero, until the toxic is removed).
    Timeout {
        /// When to close.
        timeout: Duration,
    },
    /// Reset the connection (TCP RST) after `timeout`.
    ResetPeer {
        /// When to reset.
        timeout: Duration,
    },
    /// Cut data into pieces of `average_size` ± `size_variation` bytes, `delay` apart.
    Slicer {
        /// Average piece size in bytes.
        average_size: usize,
        /// Spread of piece sizes.
        size_variation: usize,
        /// Pause between pieces.
        delay: Duration,
    },
    /// Close the connection after `bytes` bytes.
    LimitData {
        /// Bytes allowed through.
        bytes: u64,
    },
    /// Packet loss as TCP lets it show: a lost segment is retransmitted, so each chunk is,
    /// with probability `probability`, delayed by `retransmit` (one retransmission timeout).
    Loss {
        /// Chance (0–1) that a chunk is lost once.
        probability: f64,
        /// The retransmission delay (Linux's minimum RTO is 200 ms).
        retransmit: Duration,
    },
    /// HTTP fault: requests matching `method` and `path` (a regex) are answered with a
    /// status, aborted, or delayed; `toxicity` is the share of matching requests hit.
    Http(HttpFault),
}

/// What an HTTP fault does to a matching request.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpAction {
    /// Answer with this status and body instead of the upstream.
    Respond {
        /// The status.
        status: u16,
        /// The body.
        body: String,
    },
    /// Close the connection without answering.
    Abort,
    /// Forward after this delay.
    Delay(Duration),
}

/// Which requests an HTTP fault hits, and how.
#[derive(Debug, Clone)]
pub struct HttpFault {
    /// Only this method (any when `None`).
    pub method: Option<String>,
    /// Only paths matching this regex (any when `None`).
    pub path: Option<regex::Regex>,
    /// Only requests this decides to hit, from their head and body (held up to
    /// [`MATCHED_BODY_CAP`]), e.g. those matching a contract interaction.
    pub matcher: Option<Arc<dyn RequestMatch>>,
    /// What happens.
    pub action: HttpAction,
}

/// Decides whether an HTTP fault hits a request, seeing its head and its whole body: the
/// proxy holds a body of known length up to [`MATCHED_BODY_CAP`] to ask; a request with a
/// bigger body, or one of unknown length, is never hit by a fault with a matcher.
pub trait RequestMatch: Send + Sync + std::fmt::Debug {
    /// What it hits, in words (shown by the API and in reports).
    fn describe(&self) -> &str;
    /// True when the fault hits this request.
    fn matches(&self, head: &hyper::http::request::Parts, body: &[u8]) -> bool;
}

/// The largest request body the proxy holds to ask a fault's [`RequestMatch`].
pub const MATCHED_BODY_CAP: u64 = 64 * 1024;

impl PartialEq for HttpFault {
    fn eq(&self, other: &Self) -> bool {
        self.method == other.method
            && self.path.as_ref().map(regex::Regex::as_str)
                == other.path.as_ref().map(regex::Regex::as_str)
            && self.matcher.as_ref().map(|m| m.describe())
                == other.matcher.as_ref().map(|m| m.describe())
            && self.action == other.action
    }
}

impl HttpFault {
    /// True when the fault applies to this request.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_ref().is_none_or(|r| r.is_match(path))
    }
}

/// A named toxic on a stream, applied to a share (`toxicity`) of connections.
#[derive(Debug, Clone, PartialEq)]
pub struct Toxic {
    /// Unique within its proxy.
    pub name: String,
    /// Which direction.
    pub stream: Stream,
    /// Probability (0–1) that a connection gets this toxic, rolled per connection.
    pub toxicity: f64,
    /// What it does.
    pub kind: ToxicKind,
}

/// Why a toxic definition is not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ToxicError {
    /// The type is not a known toxic.
    #[error("invalid toxic type: {0:?} (known: latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, loss, http)")]
    UnknownType(String),
    /// An attribute has the wrong type or range.
    #[error("bad attribute {attribute:?} for {toxic}: {reason}")]
    BadAttribute {
        /// The toxic type.
        toxic: String,
        /// The attribute.
        attribute: String,
        /// What is wrong.
        reason: String,
    },
    /// The stream is neither upstream nor downstream.
    #[error("stream was invalid, can be either upstream or downstream")]
    BadStream,
    /// Toxicity outside 0..=1.
    #[error("toxicity must be between 0 and 1")]
    BadToxicity,
    /// The body is not a toxic object.
    #[error("bad request body: {0}")]
    BadBody(String),
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// The longest time a toxic attribute may name: a day. Longer is surely a mistake, and
/// would overflow the clock arithmetic of a chunk's departure (or wrap to no delay at all).
pub const MAX_TOXIC_MILLIS: u64 = 24 * 60 * 60 * 1000;

/// A time attribute in milliseconds, at most [`MAX_TOXIC_MILLIS`].
fn millis(
    attrs: &Map<String, Value>,
    toxic: &str,
    key: &str,
    default: u64,
) -> Result<Duration, ToxicError> {
    let ms = number(attrs, toxic, key, default)?;
    if ms > MAX_TOXIC_MILLIS {
        return Err(ToxicError::BadAttribute {
            toxic: toxic.into(),
            attribute: key.into(),
            reason: format!("{ms} ms is more than a day ({MAX_TOXIC_MILLIS} ms)"),
        });
    }
    Ok(Duration::from_millis(ms))
}

/// A time attribute in microseconds (the slicer's `delay`), at most [`MAX_TOXIC_MILLIS`].
fn micros(attrs: &Map<String, Value>, toxic: &str, key: &str) -> Result<Duration, ToxicError> {
    let us = number(attrs, toxic, key, 0)?;
    if us > MAX_TOXIC_MILLIS * 1000 {
        return Err(ToxicError::BadAttribute {
            toxic: toxic.into(),
            attribute: key.into(),
            reason: format!("{us} µs is more than a day ({MAX_TOXIC_MILLIS} ms)"),
        });
    }
    Ok(Duration::from_micros(us))
}

fn number(
    attrs: &Map<String, Value>,
    toxic: &str,
    key: &str,
    default: u64,
) -> Result<u64, ToxicError> {
    match attrs.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .ok_or_else(|| ToxicError::BadAttribute {
                toxic: toxic.into(),
                attribute: key.into(),
                reason: format!("expected a non-negative number, got {v}"),
            }),
    }
}

impl ToxicKind {
    /// The Toxiproxy type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            ToxicKind::Latency { .. } => "latency",
            ToxicKind::Bandwidth { .. } => "bandwidth",
            ToxicKind::SlowClose { .. } => "slow_close",
            ToxicKind::Timeout { .. } => "timeout",
            ToxicKind::ResetPeer { .. } => "reset_peer",
            ToxicKind::Slicer { .. } => "slicer",
            ToxicKind::LimitData { .. } => "limit_data",
            ToxicKind::Http(_) => "http",
            ToxicKind::Loss { .. } => "loss",
        }
    }

    /// Reads a type and its attributes (missing attributes take Toxiproxy's defaults).
    pub fn from_attributes(kind: &str, attrs: &Map<String, Value>) -> Result<Self, ToxicError> {
        let n = |key: &str, default: u64| number(attrs, kind, key, default);
        let d = |key: &str, default: u64| millis(attrs, kind, key, default);
        Ok(match kind {
            "latency" => ToxicKind::Latency {
                latency: d("latency", 0)?,
                jitter: d("jitter", 0)?,
            },
            "bandwidth" => ToxicKind::Bandwidth {
                rate: n("rate", 0)?,
            },
            "slow_close" => ToxicKind::SlowClose {
                delay: d("delay", 0)?,
            },
            "timeout" => ToxicKind::Timeout {
                timeout: d("timeout", 0)?,
            },
            "reset_peer" => ToxicKind::ResetPeer {
                timeout: d("timeout", 0)?,
            },
            "slicer" => ToxicKind::Slicer {
                average_size: n("average_size", 0)? as usize,
                size_variation: n("size_variation", 0)? as usize,
                delay: micros(attrs, kind, "delay")?,
            },
            "limit_data" => ToxicKind::LimitData {
                bytes: n("bytes", 0)?,
            },
            "http" => ToxicKind::Http(http_fault(attrs)?),
            "loss" => ToxicKind::Loss {
                probability: probability(attrs)?,
                retransmit: d("retransmit", 200)?,
            },
            other => return Err(ToxicError::UnknownType(other.to_string())),
        })
    }

    /// The attributes in Toxiproxy's shape.
    pub fn attributes(&self) -> Value {
        match self {
            ToxicKind::Latency { latency, jitter } => {
                json!({"latency": ms(*latency), "jitter": ms(*jitter)})
            }
            ToxicKind::Bandwidth { rate } => json!({"rate": rate}),
            ToxicKind::SlowClose { delay } => json!({"delay": ms(*delay)}),
            ToxicKind::Timeout { timeout } | ToxicKind::ResetPeer { timeout } => {
                json!({"timeout": ms(*timeout)})
            }
            ToxicKind::Slicer {
                average_size,
                size_variation,
                delay,
            } => {
                json!({"average_size": average_size, "size_variation": size_variation, "delay": delay.as_micros() as u64})
            }
            ToxicKind::LimitData { bytes } => json!({"bytes": bytes}),
            ToxicKind::Http(f) => http_attributes(f),
            ToxicKind::Loss {
                probability,
                retransmit,
            } => json!({"probability": probability, "retransmit": ms(*retransmit)}),
        }
    }
}

fn probability(attrs: &Map<String, Value>) -> Result<f64, ToxicError> {
    match attrs.get("probability") {
        None | Some(Value::Null) => Ok(0.0),
        Some(v) => v
            .as_f64()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| ToxicError::BadAttribute {
                toxic: "loss".into(),
                attribute: "probability".into(),
                reason: format!("expected a number between 0 and 1, got {v}"),
            }),
    }
}

fn http_fault(attrs: &Map<String, Value>) -> Result<HttpFault, ToxicError> {
    let bad = |attribute: &str, reason: String| ToxicError::BadAttribute {
        toxic: "http".into(),
        attribute: attribute.into(),
        reason,
    };
    let text = |key: &str| -> Result<Option<String>, ToxicError> {
        match attrs.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(bad(key, format!("expected a string, got {v}"))),
        }
    };
    let path = text("path")?
        .map(|p| regex::Regex::new(&p).map_err(|e| bad("path", e.to_string())))
        .transpose()?;
    let action = match (attrs.get("status"), attrs.get("abort"), attrs.get("delay")) {
        (Some(s), None, None) => {
            let status = s
                .as_u64()
                .filter(|s| (100..=599).contains(s))
                .ok_or_else(|| bad("status", format!("expected an HTTP status, got {s}")))?;
            HttpAction::Respond {
                status: status as u16,
                body: text("body")?.unwrap_or_default(),
            }
        }
        (None, Some(Value::Bool(true)), None) => HttpAction::Abort,
        (None, None, Some(_)) => HttpAction::Delay(millis(attrs, "http", "delay", 0)?),
        _ => {
            return Err(bad(
                "status",
                "give exactly one of status, abort: true, or delay".into(),
            ))
        }
    };
    Ok(HttpFault {
        method: text("method")?,
        path,
        matcher: None,
        action,
    })
}

fn http_attributes(f: &HttpFault) -> Value {
    let mut v = json!({});
    if let Some(m) = &f.method {
        v["method"] = json!(m);
    }
    if let Some(p) = &f.path {
        v["path"] = json!(p.as_str());
    }
    if let Some(m) = &f.matcher {
        v["matching"] = json!(m.describe());
    }
    match &f.action {
        HttpAction::Respond { status, body } => {
            v["status"] = json!(status);
            v["body"] = json!(body);
        }
        HttpAction::Abort => v["abort"] = json!(true),
        HttpAction::Delay(d) => v["delay"] = json!(ms(*d)),
    }
    v
}

impl Toxic {
    /// A toxic on all connections.
    pub fn new(name: &str, stream: Stream, kind: ToxicKind) -> Self {
        Toxic {
            name: name.to_string(),
            stream,
            toxicity: 1.0,
            kind,
        }
    }

    /// Reads Toxiproxy's JSON: `{"name", "type", "stream", "toxicity", "attributes"}`.
    pub fn from_json(v: &Value) -> Result<Self, ToxicError> {
        let obj = v
            .as_object()
            .ok_or_else(|| ToxicError::BadBody("expected a JSON object".into()))?;
        let kind_name = obj
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| ToxicError::BadBody("missing required field: type".into()))?;
        let stream = match obj.get("stream").and_then(Value::as_str) {
            None => Stream::Downstream,
            Some("upstream") => Stream::Upstream,
            Some("downstream") => Stream::Downstream,
            Some(_) => return Err(ToxicError::BadStream),
        };
        let toxicity = match obj.get("toxicity") {
            None | Some(Value::Null) => 1.0,
            Some(t) => t
                .as_f64()
                .filter(|t| (0.0..=1.0).contains(t))
                .ok_or(ToxicError::BadToxicity)?,
        };
        let attrs = obj
            .get("attributes")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let kind = ToxicKind::from_attributes(kind_name, &attrs)?;
        let name = obj
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("{kind_name}_{}", stream.as_str()));
        Ok(Toxic {
            name,
            stream,
            toxicity,
            kind,
        })
    }

    /// Applies a Toxiproxy update (PATCH): given fields replace, attributes merge.
    pub fn updated(&self, v: &Value) -> Result<Self, ToxicError> {
        let mut current = self.to_json();
        if let (Some(cur), Some(new)) = (current.as_object_mut(), v.as_object()) {
            for (k, val) in new {
                if k == "attributes" {
                    let attrs = cur.entry("attributes").or_insert_with(|| json!({}));
                    if let (Some(a), Some(n)) = (attrs.as_object_mut(), val.as_object()) {
                        a.extend(n.clone());
                    }
                } else if k != "name" && k != "type" {
                    cur.insert(k.clone(), val.clone());
                }
            }
        }
        Toxic::from_json(&current)
    }

    /// Toxiproxy's JSON shape.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "type": self.kind.type_name(),
            "stream": self.stream.as_str(),
            "toxicity": self.toxicity,
            "attributes": self.kind.attributes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_toxiproxy_json() {
        let v = json!({"name": "lat", "type": "latency", "stream": "upstream", "toxicity": 0.5, "attributes": {"latency": 100, "jitter": 5}});
        let t = Toxic::from_json(&v).unwrap();
        assert_eq!(
            t.kind,
            ToxicKind::Latency {
                latency: Duration::from_millis(100),
                jitter: Duration::from_millis(5)
            }
        );
        assert_eq!(t.to_json(), v);
        let defaulted =
            Toxic::from_json(&json!({"type": "bandwidth", "attributes": {"rate": 10}})).unwrap();
        assert_eq!(defaulted.name, "bandwidth_downstream");
        assert_eq!(defaulted.toxicity, 1.0);
    }

    #[test]
    fn rejects_bad_toxics_with_reasons() {
        assert!(matches!(
            Toxic::from_json(&json!({"type": "teleport"})),
            Err(ToxicError::UnknownType(_))
        ));
        assert_eq!(
            Toxic::from_json(&json!({"type": "latency", "stream": "sideways"})),
            Err(ToxicError::BadStream)
        );
        assert_eq!(
            Toxic::from_json(&json!({"type": "latency", "toxicity": 2})),
            Err(ToxicError::BadToxicity)
        );
        assert!(matches!(
            Toxic::from_json(&json!({"type": "latency", "attributes": {"latency": "soon"}})),
            Err(ToxicError::BadAttribute { .. })
        ));
    }

    #[test]
    fn reads_http_faults() {
        let v = json!({"name": "h", "type": "http", "stream": "upstream", "toxicity": 0.5,
                       "attributes": {"method": "GET", "path": "^/orders", "status": 503, "body": "down"}});
        let t = Toxic::from_json(&v).unwrap();
        let ToxicKind::Http(f) = &t.kind else {
            panic!("not http")
        };
        assert!(
            f.matches("get", "/orders/1")
                && !f.matches("POST", "/orders")
                && !f.matches("GET", "/health")
        );
        assert_eq!(t.to_json(), v);
        assert!(Toxic::from_json(
            &json!({"type": "http", "attributes": {"status": 503, "abort": true}})
        )
        .is_err());
        assert!(Toxic::from_json(
            &json!({"type": "http", "attributes": {"path": "(", "abort": true}})
        )
        .is_err());
    }

    #[test]
    fn refuses_times_over_a_day_in_every_unit() {
        let day_ms = MAX_TOXIC_MILLIS;
        let slicer = |delay: u64| {
            Toxic::from_json(
                &json!({"type": "slicer", "attributes": {"average_size": 1, "delay": delay}}),
            )
        };
        assert!(slicer(day_ms * 1000).is_ok());
        assert!(matches!(
            slicer(day_ms * 1000 + 1),
            Err(ToxicError::BadAttribute { .. })
        ));
        assert!(slicer(u64::MAX).is_err());
        let latency =
            |ms: u64| Toxic::from_json(&json!({"type": "latency", "attributes": {"latency": ms}}));
        assert!(latency(day_ms).is_ok() && latency(day_ms + 1).is_err());
    }

    #[test]
    fn reads_loss() {
        let v = json!({"name": "l", "type": "loss", "stream": "downstream", "toxicity": 1.0, "attributes": {"probability": 0.25, "retransmit": 200}});
        let t = Toxic::from_json(&v).unwrap();
        assert_eq!(
            t.kind,
            ToxicKind::Loss {
                probability: 0.25,
                retransmit: Duration::from_millis(200)
            }
        );
        assert_eq!(t.to_json(), v);
        assert!(
            Toxic::from_json(&json!({"type": "loss", "attributes": {"probability": 1.5}})).is_err()
        );
    }

    #[test]
    fn updates_merge_attributes() {
        let t = Toxic::from_json(
            &json!({"name": "l", "type": "latency", "attributes": {"latency": 100, "jitter": 5}}),
        )
        .unwrap();
        let u = t
            .updated(&json!({"attributes": {"jitter": 9}, "toxicity": 0.3}))
            .unwrap();
        assert_eq!(
            u.kind,
            ToxicKind::Latency {
                latency: Duration::from_millis(100),
                jitter: Duration::from_millis(9)
            }
        );
        assert_eq!(u.toxicity, 0.3);
        assert_eq!(u.name, "l");
    }
}
