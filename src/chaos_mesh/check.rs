//! StatusCheck templates: canaries as `Continuous` checks for the whole run, steady-state
//! checks and hypotheses as `Synchronous` checks before and after the faults. Each aborts
//! the workflow when it fails (`abortWithStatusCheck`).

use std::time::Duration;

use serde_json::{json, Value};

use super::duration::ceil_secs;
use super::selector::host;
use super::warning::{key_path, Seg, Warning};
use crate::scenario::template::{self, Placeholder};
use crate::scenario::{Expect, HttpRequest, Scenario, StatusRange};

/// A StatusCheck's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Probed for the whole deadline; fails after `failureThreshold` failures in a row.
    Continuous,
    /// Probed until it succeeds, or fails `failureThreshold` times.
    Synchronous,
}

/// A StatusCheck template's name, deadline and `statusCheck` spec.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusCheck {
    /// Shown as the template's name (made a Kubernetes name by the workflow).
    pub name: String,
    /// How long it runs (`Continuous`) or may take (`Synchronous`).
    pub deadline: Duration,
    /// The `statusCheck` spec.
    pub spec: Value,
}

/// What a probe is made into: where it is in the scenario, and how it is checked.
pub struct Probe<'a> {
    /// The key path of the probe (`canaries[0]`).
    pub at: Vec<Seg>,
    /// Its name.
    pub name: &'a str,
    /// Its request.
    pub http: &'a HttpRequest,
    /// Its expectations.
    pub expect: &'a Expect,
    /// How often it is probed.
    pub every: Duration,
    /// How many failures in a row fail it.
    pub failures: u64,
    /// Its mode.
    pub mode: Mode,
    /// Its deadline.
    pub deadline: Duration,
}

/// The StatusCheck of a probe, or `None` (with the reason in `warnings`) when Chaos Mesh
/// cannot make its request.
pub fn status_check(
    scenario: &Scenario,
    probe: Probe<'_>,
    warnings: &mut Vec<Warning>,
) -> Option<StatusCheck> {
    let at = |field: &str| {
        let mut p = probe.at.clone();
        p.push(field.into());
        p
    };
    let url = match url(scenario, &probe.http.url) {
        Ok((url, missing)) => {
            for service in missing {
                warnings.push(Warning::new(
                    key_path!["services", &service],
                    format!(
                        "service {service} has no `port` (a process-only service): URLs to it \
                         use port 80"
                    ),
                ));
            }
            url
        }
        Err(message) => {
            warnings.push(Warning::new(at("http"), message));
            return None;
        }
    };
    let method = probe.http.method.to_uppercase();
    if method != "GET" && method != "POST" {
        warnings.push(Warning::new(
            at("http"),
            format!(
                "a StatusCheck only sends GET or POST, not {method}: {:?} is left out",
                probe.name
            ),
        ));
        return None;
    }
    expectations(&probe, warnings);
    let mut http = json!({
        "url": url,
        "method": method,
        "criteria": { "statusCode": status_code(probe.expect) },
    });
    let mut headers: serde_json::Map<String, Value> = probe
        .http
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), json!([v])))
        .collect();
    if let Some(body) = &probe.http.json {
        http["body"] = json!(body.to_string());
        headers.insert("Content-Type".into(), json!(["application/json"]));
    } else if let Some(body) = &probe.http.body {
        http["body"] = json!(body);
    }
    if !headers.is_empty() {
        http["headers"] = Value::Object(headers);
    }
    let mode = match probe.mode {
        Mode::Continuous => "Continuous",
        Mode::Synchronous => "Synchronous",
    };
    Some(StatusCheck {
        name: probe.name.to_string(),
        deadline: probe.deadline,
        spec: json!({
            "mode": mode,
            "type": "HTTP",
            "intervalSeconds": ceil_secs(probe.every),
            "timeoutSeconds": ceil_secs(probe.http.timeout.into()),
            "failureThreshold": probe.failures.max(1),
            "successThreshold": 1,
            "http": http,
        }),
    })
}

/// Warnings for the expectations a StatusCheck cannot check (it only checks the status).
fn expectations(probe: &Probe<'_>, warnings: &mut Vec<Warning>) {
    let e = probe.expect;
    let at = |field: &str| {
        let mut p = probe.at.clone();
        p.extend(["expect".into(), field.into()]);
        p
    };
    for (field, given) in [("p50", e.p50), ("p95", e.p95), ("p99", e.p99)] {
        if given.is_some() {
            warnings.push(Warning::new(
                at(field),
                format!("a StatusCheck has no latency expectation: `{field}` is not checked on the cluster"),
            ));
        }
    }
    if e.json.is_some() {
        warnings.push(Warning::new(
            at("json"),
            "a StatusCheck only checks the status: the JSON expectation is not checked on the cluster",
        ));
    }
    if probe.mode == Mode::Continuous && e.max_consecutive_failures.is_none() {
        if let Some(rate) = e.success_rate.filter(|r| *r < 1.0) {
            warnings.push(Warning::new(
                at("success_rate"),
                format!(
                    "a StatusCheck has no success rate: success_rate {rate} is exported as \
                     failureThreshold {} (failures in a row); set max_consecutive_failures to choose",
                    probe.failures
                ),
            ));
        }
    }
}

/// How many failures in a row fail a canary: `max_consecutive_failures + 1`, else 1 when
/// every probe must succeed, else 3 (Chaos Mesh's default).
pub fn canary_failures(e: &Expect) -> u64 {
    match (e.max_consecutive_failures, e.success_rate) {
        (Some(n), _) => n + 1,
        (None, Some(r)) if r < 1.0 => 3,
        _ => 1,
    }
}

/// The StatusCheck `statusCode` criterion: `"200"` or an inclusive range `"200-299"`.
fn status_code(e: &Expect) -> String {
    let range: StatusRange = e
        .status
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    let (lo, hi) = (range.0.start(), range.0.end());
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    }
}

/// The URL with `{{ services.X }}` as `http://X.NAMESPACE.svc:PORT`, and the services
/// without a port; an error for placeholders that mean nothing on a cluster.
fn url(scenario: &Scenario, text: &str) -> Result<(String, Vec<String>), String> {
    let missing = std::cell::RefCell::new(Vec::new());
    let rendered = template::render(text, |expr| match template::parse(expr).ok()? {
        Placeholder::Service(name, part) => {
            let service = scenario.services.get(name)?;
            let port = service.port.unwrap_or_else(|| {
                missing.borrow_mut().push(name.to_string());
                80
            });
            template::address_part(part, &host(scenario, name), port)
        }
        _ => None,
    });
    rendered
        .map(|url| (url, missing.into_inner()))
        .map_err(|e| format!("{e}: on a cluster only {{{{ services.NAME }}}} is known, so this probe is left out"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_criteria_are_ranges() {
        let e = |s: &str| Expect {
            status: Some(s.into()),
            ..Expect::default()
        };
        assert_eq!(status_code(&Expect::default()), "200-299");
        assert_eq!(status_code(&e("503")), "503");
        assert_eq!(status_code(&e("4xx")), "400-499");
    }
}
