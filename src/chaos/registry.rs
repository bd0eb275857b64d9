//! The registry behind the Toxiproxy-compatible API: proxies by name, with the operations
//! the API offers and errors carrying their HTTP status.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde_json::{json, Value};

use super::policy::{ListenPolicy, UpstreamPolicy};
use super::proxy::{Proxy, ProxyError};
use super::toxic::Toxic;

/// An API error: an HTTP status and a message, in Toxiproxy's `{"error", "status"}` shape.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// What went wrong.
    pub message: String,
}

impl ApiError {
    pub(super) fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// Toxiproxy's JSON shape.
    pub fn to_json(&self) -> Value {
        json!({"error": self.message, "status": self.status})
    }
}

impl From<ProxyError> for ApiError {
    fn from(e: ProxyError) -> Self {
        let status = match e {
            ProxyError::ToxicExists(_) => 409,
            ProxyError::ToxicNotFound(_) => 404,
            ProxyError::Bind { .. } => 400,
        };
        ApiError::new(status, e.to_string())
    }
}

/// Proxies by name.
pub struct Registry {
    proxies: Mutex<Proxies>,
    policy: UpstreamPolicy,
    listen_policy: ListenPolicy,
    seed: u64,
}

/// The running proxies, and the names of those being started (taken, so that two creates
/// of one name cannot both succeed).
#[derive(Default)]
struct Proxies {
    ready: BTreeMap<String, Proxy>,
    starting: BTreeSet<String>,
}

/// A name taken by a create in progress; given back when dropped.
struct Reservation<'a> {
    registry: &'a Registry,
    name: String,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.registry.lock().starting.remove(&self.name);
    }
}

fn field<'a>(v: &'a Value, key: &str) -> Result<Option<&'a str>, ApiError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::new(
            400,
            format!("bad request body: {key} must be a string"),
        )),
    }
}

/// Checks a proxy or toxic name: 1 to 64 of `A-Z a-z 0-9 _ . -`, so that it is safe in URL
/// paths and in the metrics' labels (400 otherwise).
fn check_name(what: &str, name: &str) -> Result<(), ApiError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    if (1..=64).contains(&name.len()) && name.chars().all(allowed) {
        return Ok(());
    }
    Err(ApiError::new(
        400,
        format!("bad {what} name {name:?}: use 1 to 64 letters, digits, '_', '.' or '-'"),
    ))
}

/// A Prometheus label value, escaped (`\`, `"` and newlines).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Prometheus text for `proxies` (name, proxy): bytes forwarded by direction, connections
/// accepted and open, each series labelled `proxy`. The API's `/metrics` and a scenario
/// run's proxies' endpoint serve it.
pub fn proxy_metrics<'a>(proxies: impl Iterator<Item = (&'a str, &'a Proxy)> + Clone) -> String {
    use std::sync::atomic::Ordering::Relaxed;
    let mut out = String::new();
    out.push_str("# HELP shakedown_proxy_bytes_total Bytes forwarded, by proxy and direction.\n# TYPE shakedown_proxy_bytes_total counter\n");
    for (n, p) in proxies.clone() {
        let n = label(n);
        let m = p.metrics();
        out.push_str(&format!(
            "shakedown_proxy_bytes_total{{proxy=\"{n}\",direction=\"upstream\"}} {}\n",
            m.bytes_upstream.load(Relaxed)
        ));
        out.push_str(&format!(
            "shakedown_proxy_bytes_total{{proxy=\"{n}\",direction=\"downstream\"}} {}\n",
            m.bytes_downstream.load(Relaxed)
        ));
    }
    out.push_str("# HELP shakedown_proxy_connections_total Connections accepted, by proxy.\n# TYPE shakedown_proxy_connections_total counter\n");
    for (n, p) in proxies.clone() {
        let n = label(n);
        out.push_str(&format!(
            "shakedown_proxy_connections_total{{proxy=\"{n}\"}} {}\n",
            p.metrics().connections_total.load(Relaxed)
        ));
    }
    out.push_str("# HELP shakedown_proxy_connections_active Connections open now, by proxy.\n# TYPE shakedown_proxy_connections_active gauge\n");
    for (n, p) in proxies {
        let n = label(n);
        out.push_str(&format!(
            "shakedown_proxy_connections_active{{proxy=\"{n}\"}} {}\n",
            p.metrics().connections_active.load(Relaxed)
        ));
    }
    out
}

impl Registry {
    /// An empty registry whose proxies connect to upstreams `policy` allows and listen on
    /// loopback only (see [`Registry::with_listen_policy`]).
    pub fn new(policy: UpstreamPolicy, seed: u64) -> Self {
        Registry {
            proxies: Mutex::new(Proxies::default()),
            policy,
            listen_policy: ListenPolicy::default(),
            seed,
        }
    }

    /// The same registry, its proxies listening where `policy` allows.
    pub fn with_listen_policy(mut self, policy: ListenPolicy) -> Self {
        self.listen_policy = policy;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Proxies> {
        self.proxies.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes `name` for a proxy about to start: 409 when a proxy has it or is starting with it.
    fn reserve(&self, name: &str) -> Result<Reservation<'_>, ApiError> {
        let mut proxies = self.lock();
        if proxies.ready.contains_key(name) || !proxies.starting.insert(name.to_string()) {
            return Err(ApiError::new(409, "proxy already exists"));
        }
        Ok(Reservation {
            registry: self,
            name: name.to_string(),
        })
    }

    /// A proxy by name.
    pub fn get(&self, name: &str) -> Result<Proxy, ApiError> {
        self.lock()
            .ready
            .get(name)
            .cloned()
            .ok_or_else(|| ApiError::new(404, "proxy not found"))
    }

    /// Every proxy, as `{name: proxy}`.
    pub fn index(&self) -> Value {
        Value::Object(
            self.lock()
                .ready
                .iter()
                .map(|(n, p)| (n.clone(), p.to_json()))
                .collect(),
        )
    }

    /// Creates a proxy from `{"name", "listen", "upstream", "enabled"}`.
    pub fn create(&self, body: &Value) -> Result<Proxy, ApiError> {
        let name = field(body, "name")?
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ApiError::new(400, "missing required field: name"))?;
        check_name("proxy", name)?;
        let upstream = field(body, "upstream")?
            .filter(|u| !u.is_empty())
            .ok_or_else(|| ApiError::new(400, "missing required field: upstream"))?;
        let listen = field(body, "listen")?.unwrap_or("127.0.0.1:0");
        self.policy.check(upstream)?;
        self.listen_policy.check(listen)?;
        let reservation = self.reserve(name)?;
        let seed = self.seed
            ^ name
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
        let proxy = Proxy::start(name, listen, upstream, seed).map_err(ApiError::from)?;
        if body.get("enabled") == Some(&Value::Bool(false)) {
            proxy.disable();
        }
        self.lock().ready.insert(name.to_string(), proxy.clone());
        drop(reservation);
        Ok(proxy)
    }

    /// Updates `listen`, `upstream` or `enabled` of a proxy.
    pub fn update(&self, name: &str, body: &Value) -> Result<Proxy, ApiError> {
        let proxy = self.get(name)?;
        if let Some(up) = field(body, "upstream")? {
            self.policy.check(up)?;
            proxy.set_upstream(up);
        }
        if let Some(listen) = field(body, "listen")? {
            if listen != proxy.listen_addr().to_string() {
                self.listen_policy.check(listen)?;
                proxy.set_listen(listen).map_err(ApiError::from)?;
            }
        }
        match body.get("enabled") {
            Some(Value::Bool(false)) => proxy.disable(),
            Some(Value::Bool(true)) => proxy.enable().map_err(ApiError::from)?,
            Some(_) => {
                return Err(ApiError::new(
                    400,
                    "bad request body: enabled must be a boolean",
                ))
            }
            None => {}
        }
        Ok(proxy)
    }

    /// Removes a proxy, closing its connections.
    pub fn delete(&self, name: &str) -> Result<(), ApiError> {
        let proxy = self
            .lock()
            .ready
            .remove(name)
            .ok_or_else(|| ApiError::new(404, "proxy not found"))?;
        proxy.stop();
        Ok(())
    }

    /// Creates or replaces proxies from a list (Toxiproxy's `/populate`).
    pub fn populate(&self, body: &Value) -> Result<Vec<Proxy>, ApiError> {
        let list = body
            .as_array()
            .ok_or_else(|| ApiError::new(400, "bad request body: expected an array of proxies"))?;
        let mut out = Vec::new();
        for item in list {
            if let Some(name) = field(item, "name")? {
                if self.lock().ready.contains_key(name) {
                    self.delete(name)?;
                }
            }
            out.push(self.create(item)?);
        }
        Ok(out)
    }

    /// Re-enables every proxy and removes every toxic.
    pub fn reset(&self) -> Result<(), ApiError> {
        for p in self.lock().ready.values() {
            p.clear_toxics();
            p.enable().map_err(ApiError::from)?;
        }
        Ok(())
    }

    /// Adds a toxic from Toxiproxy's JSON.
    pub fn add_toxic(&self, proxy: &str, body: &Value) -> Result<Toxic, ApiError> {
        let p = self.get(proxy)?;
        let toxic = Toxic::from_json(body).map_err(|e| ApiError::new(400, e.to_string()))?;
        check_name("toxic", &toxic.name)?;
        p.add_toxic(toxic.clone())?;
        Ok(toxic)
    }

    /// A toxic by name.
    pub fn toxic(&self, proxy: &str, name: &str) -> Result<Toxic, ApiError> {
        self.get(proxy)?
            .toxics()
            .into_iter()
            .find(|t| t.name == name)
            .ok_or_else(|| ApiError::new(404, "toxic not found"))
    }

    /// Updates a toxic (attributes merge).
    pub fn update_toxic(&self, proxy: &str, name: &str, body: &Value) -> Result<Toxic, ApiError> {
        let current = self.toxic(proxy, name)?;
        let updated = current
            .updated(body)
            .map_err(|e| ApiError::new(400, e.to_string()))?;
        self.get(proxy)?.update_toxic(updated.clone())?;
        Ok(updated)
    }

    /// Removes a toxic.
    pub fn remove_toxic(&self, proxy: &str, name: &str) -> Result<(), ApiError> {
        Ok(self.get(proxy)?.remove_toxic(name)?)
    }

    /// Prometheus text: bytes and connections per proxy and direction ([`proxy_metrics`]).
    pub fn metrics(&self) -> String {
        let proxies = &self.lock().ready;
        proxy_metrics(proxies.iter().map(|(n, p)| (n.as_str(), p)))
    }

    /// Stops every proxy.
    pub fn shutdown(&self) {
        for p in self.lock().ready.values() {
            p.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_label_values_as_prometheus_reads_them() {
        assert_eq!(label("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
        assert_eq!(label("plain-name_1.2"), "plain-name_1.2");
    }

    #[test]
    fn accepts_short_plain_names_only() {
        assert!(check_name("proxy", "db-1_a.b").is_ok());
        for bad in ["", "a b", "a\"b", "a/b", "é", &"x".repeat(65)] {
            assert_eq!(check_name("proxy", bad).unwrap_err().status, 400, "{bad:?}");
        }
    }
}
