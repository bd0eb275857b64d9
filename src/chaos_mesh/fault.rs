//! One fault of the timeline as Chaos Mesh chaos: NetworkChaos for link faults and
//! partitions, PodChaos for crash and pause, HTTPChaos for HTTP faults.
//!
//! A link `from → to` is a selector on `from`'s pods with `to`'s pods as the `target`; the
//! link's direction becomes Chaos Mesh's: `upstream` (requests, from → to) is `to`,
//! `downstream` (answers, to → from) is `from`, `both` is `both`. A link to a service marked
//! `kubernetes.anywhere` stands for all of the client's traffic: no `target`.

use base64::Engine as _;
use serde_json::{json, Value};

use super::duration::go;
use super::selector::{pods, selector};
use super::warning::{key_path, Warning};
use crate::chaos::HttpAction;
use crate::scenario::{Aim, Direction, Effect, HttpFault, Planned, Scenario};

/// Chaos Mesh's name for a fault kind: `NetworkChaos`, `PodChaos`, `HTTPChaos`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `NetworkChaos`.
    Network,
    /// `PodChaos`.
    Pod,
    /// `HTTPChaos`.
    Http,
}

impl Kind {
    /// The resource kind.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Network => "NetworkChaos",
            Kind::Pod => "PodChaos",
            Kind::Http => "HTTPChaos",
        }
    }

    /// The field of a Workflow template that holds its spec.
    pub fn field(self) -> &'static str {
        match self {
            Kind::Network => "networkChaos",
            Kind::Pod => "podChaos",
            Kind::Http => "httpChaos",
        }
    }
}

/// A chaos spec, without its duration (the workflow template's `deadline` gives it).
#[derive(Debug, Clone, PartialEq)]
pub struct Chaos {
    /// Its kind.
    pub kind: Kind,
    /// Its spec.
    pub spec: Value,
}

/// The chaos for fault `index` of the scenario, planned as `p` (a partition between groups
/// is one NetworkChaos per pair of services), and what could not be carried over.
pub fn chaos(scenario: &Scenario, index: usize, p: &Planned) -> (Vec<Chaos>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let at = |field: &str| key_path!["faults", index, field];
    let toxicity = match &p.spec.effect {
        Effect::Latency(f) => f.toxicity,
        Effect::Jitter(f) => f.toxicity,
        Effect::Bandwidth(f) => f.toxicity,
        Effect::Reset(f) | Effect::Timeout(f) => f.toxicity,
        Effect::Http(f) => f.toxicity,
        _ => None,
    };
    if toxicity.is_some_and(|t| t < 1.0) {
        warnings.push(Warning::new(
            at("toxicity"),
            "toxicity has no Chaos Mesh equivalent (it hits all traffic of the selected pods): \
             exported as if 1",
        ));
    }
    let chaos = match (&p.spec.effect, &p.aim) {
        (Effect::Crash(c), Aim::Crash(service)) => {
            if c.restart_after.is_some() || c.no_restart {
                let field = if c.no_restart {
                    "no_restart"
                } else {
                    "restart_after"
                };
                warnings.push(Warning::new(
                    at(field),
                    "Kubernetes restarts a killed pod itself: `restart_after` and `no_restart` \
                     have no Chaos Mesh equivalent",
                ));
            }
            vec![pod(scenario, "pod-kill", service)]
        }
        (Effect::Pause(_), Aim::Pause(service)) => {
            warnings.push(Warning::new(
                at("kind"),
                "pause is exported as PodChaos pod-failure (approximate: the pod stops serving \
                 for the duration, its connections are not kept frozen)",
            ));
            vec![pod(scenario, "pod-failure", service)]
        }
        (Effect::Partition(f), _) => partition(scenario, &f.between, f.one_way),
        (Effect::Http(h), Aim::Link { link, .. }) => {
            vec![http(scenario, index, link, h, &mut warnings)]
        }
        (effect, Aim::Link { link, .. }) => {
            vec![network(scenario, index, link, effect, &mut warnings)]
        }
        _ => Vec::new(),
    };
    (chaos, warnings)
}

fn pod(scenario: &Scenario, action: &str, service: &str) -> Chaos {
    Chaos {
        kind: Kind::Pod,
        spec: json!({ "action": action, "mode": "all", "selector": selector(scenario, service) }),
    }
}

/// One NetworkChaos `partition` per pair across the two groups.
fn partition(scenario: &Scenario, between: &[Vec<String>; 2], one_way: bool) -> Vec<Chaos> {
    let direction = if one_way { "to" } else { "both" };
    let [a, b] = between;
    a.iter()
        .flat_map(|x| b.iter().map(move |y| (x, y)))
        .map(|(x, y)| Chaos {
            kind: Kind::Network,
            spec: json!({
                "action": "partition",
                "mode": "all",
                "selector": selector(scenario, x),
                "direction": direction,
                "target": { "mode": "all", "selector": selector(scenario, y) },
            }),
        })
        .collect()
}

/// Chaos Mesh's `direction` for a link's.
pub fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Upstream => "to",
        Direction::Downstream => "from",
        Direction::Both => "both",
    }
}

fn network(
    scenario: &Scenario,
    index: usize,
    link: &str,
    effect: &Effect,
    warnings: &mut Vec<Warning>,
) -> Chaos {
    let (from, to) = ends(scenario, link);
    let (action, dir, extra) = match effect {
        Effect::Latency(l) => (
            "delay",
            l.direction,
            json!({ "delay": delay(l.latency.into(), l.jitter.map(Into::into)) }),
        ),
        Effect::Jitter(j) => (
            "delay",
            j.direction,
            json!({ "delay": delay(j.latency.map(Into::into).unwrap_or_default(), Some(j.jitter.into())) }),
        ),
        Effect::Bandwidth(b) => (
            "bandwidth",
            b.direction,
            json!({ "bandwidth": { "rate": format!("{}kbps", b.rate), "limit": 20_971_520, "buffer": 10_000 } }),
        ),
        Effect::Timeout(t) => {
            warnings.push(Warning::new(
                key_path!["faults", index, "kind"],
                "timeout is exported as NetworkChaos loss 100% (approximate: packets are \
                 dropped, so new connections hang too, where the fault proxy accepts them)",
            ));
            ("loss", t.direction, json!({ "loss": { "loss": "100" } }))
        }
        Effect::Reset(r) => {
            warnings.push(Warning::new(
                key_path!["faults", index, "kind"],
                "reset is exported as NetworkChaos partition (approximate: packets are \
                 dropped, so clients see timeouts, not connection resets)",
            ));
            ("partition", r.direction, json!({}))
        }
        _ => ("delay", Direction::Both, json!({})),
    };
    let mut spec = json!({
        "action": action,
        "mode": "all",
        "selector": selector(scenario, &from),
        "direction": direction(dir),
        "target": { "mode": "all", "selector": selector(scenario, &to) },
    });
    if let (Some(spec), Value::Object(extra)) = (spec.as_object_mut(), extra) {
        spec.extend(extra);
        // A link to a service that stands for anywhere: all of the client's traffic.
        if pods(scenario, &to).anywhere {
            spec.remove("target");
        }
    }
    Chaos {
        kind: Kind::Network,
        spec,
    }
}

fn delay(latency: std::time::Duration, jitter: Option<std::time::Duration>) -> Value {
    let mut d = json!({ "latency": go(latency) });
    if let Some(j) = jitter.filter(|j| !j.is_zero()) {
        d["jitter"] = json!(go(j));
    }
    d
}

/// The client and server of a link (the link's own name when unknown: validation rejects
/// that before).
fn ends(scenario: &Scenario, link: &str) -> (String, String) {
    scenario
        .links
        .get(link)
        .map(|l| (l.from.clone(), l.to.clone()))
        .unwrap_or_else(|| (link.to_string(), link.to_string()))
}

/// HTTPChaos on the server's pods (it acts on the server side, so every client of the
/// server is hit, not only the link's).
fn http(
    scenario: &Scenario,
    index: usize,
    link: &str,
    h: &HttpFault,
    warnings: &mut Vec<Warning>,
) -> Chaos {
    let (from, to) = ends(scenario, link);
    if !pods(scenario, &from).anywhere {
        warnings.push(Warning::new(
            key_path!["faults", index, "link"],
            format!(
                "HTTPChaos acts on {to}'s pods: every client of {to} is hit, not only {from} \
             (labels {:?})",
                pods(scenario, &to).labels
            ),
        ));
    }
    let mut spec = json!({ "mode": "all", "selector": selector(scenario, &to) });
    match &h.action {
        HttpAction::Respond { status, body } => {
            spec["target"] = json!("Response");
            spec["replace"] = json!({ "code": status });
            if !body.is_empty() {
                let b64 = base64::engine::general_purpose::STANDARD.encode(body);
                spec["replace"]["body"] = json!(b64);
            }
        }
        HttpAction::Abort => {
            spec["target"] = json!("Request");
            spec["abort"] = json!(true);
        }
        HttpAction::Delay(d) => {
            spec["target"] = json!("Request");
            spec["delay"] = json!(go(*d));
        }
    }
    match scenario.services.get(&to).and_then(|s| s.port) {
        Some(port) => spec["port"] = json!(port),
        None => warnings.push(Warning::new(
            key_path!["services", &to],
            format!("service {to} has no `port`: the HTTPChaos names none (Chaos Mesh then needs one to hit)"),
        )),
    }
    if let Some(m) = &h.method {
        spec["method"] = json!(m);
    }
    if let Some(p) = &h.path {
        spec["path"] = json!(glob(p.regex().as_str()).unwrap_or_else(|| {
            warnings.push(Warning::new(
                key_path!["faults", index, "path"],
                format!(
                    "path regex {:?} has no Chaos Mesh equivalent (it takes a path with `*`): \
                     exported as \"*\"",
                    p.regex().as_str()
                ),
            ));
            "*".into()
        }));
    }
    Chaos {
        kind: Kind::Http,
        spec,
    }
}

/// A path regex as Chaos Mesh's path pattern, when it is a plain prefix (`^/payments` →
/// `/payments*`) or a plain path (`^/health$` → `/health`).
pub fn glob(regex: &str) -> Option<String> {
    let rest = regex.strip_prefix('^')?;
    let (plain, exact) = match rest.strip_suffix('$') {
        Some(p) => (p, true),
        None => (rest, false),
    };
    let meta = |c: char| ".[](){}+*?|\\^$".contains(c);
    if plain.chars().any(meta) {
        return None;
    }
    Some(if exact {
        plain.into()
    } else {
        format!("{plain}*")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_regexes_become_chaos_mesh_paths() {
        assert_eq!(glob("^/payments").as_deref(), Some("/payments*"));
        assert_eq!(glob("^/health$").as_deref(), Some("/health"));
        assert_eq!(glob("/orders/[0-9]+"), None);
        assert_eq!(glob("^/a.b"), None);
    }
}
