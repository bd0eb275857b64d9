//! The checks a type cannot make: names that must exist, ranges, placeholders and dependency
//! cycles (what each fault kind takes is its type's business). Problems come with a key path.

use std::collections::{BTreeMap, HashSet};

use super::duration::Dur;
use super::model::{
    Abort, Canary, ContractSweepFault, CrashFault, Effect, Expect, Fault, HttpFault, HttpRequest,
    PartitionFault, PauseFault, PromQuery, Scenario, Target,
};
use super::name;
use super::status::StatusRange;
use super::template::{self, Placeholder};
use crate::chaos::{HttpAction, MAX_TOXIC_MILLIS};

/// One step of a key path into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A path to a value in the document, e.g. `faults[2].link`.
pub type KeyPath = Vec<Seg>;

fn path(parts: &[&str], index: Option<(usize, usize)>) -> KeyPath {
    let mut p: KeyPath = parts.iter().map(|s| Seg::Key((*s).to_string())).collect();
    if let Some((at, i)) = index {
        p.insert(at, Seg::Index(i));
    }
    p
}

struct Checker<'a> {
    scenario: &'a Scenario,
    problems: Vec<(KeyPath, String)>,
}

/// Every problem of an otherwise well-typed scenario.
pub fn validate(scenario: &Scenario) -> Vec<(KeyPath, String)> {
    let mut c = Checker {
        scenario,
        problems: Vec::new(),
    };
    c.services();
    c.links();
    for (i, canary) in scenario.canaries.iter().enumerate() {
        c.canary(i, canary);
    }
    for (i, check) in scenario.steady_state.iter().enumerate() {
        let at = path(&["steady_state"], Some((1, i)));
        let source = (check.http.as_ref(), check.prometheus.as_ref());
        c.one_source(at, "steady-state check", &check.name, source, &check.expect);
    }
    for (i, h) in scenario.hypotheses.iter().enumerate() {
        let at = path(&["hypotheses"], Some((1, i)));
        let source = (h.http.as_ref(), h.prometheus.as_ref());
        c.one_source(at, "hypothesis", &h.name, source, &h.expect);
        if h.same_as.is_some() && h.prometheus.is_some() {
            c.add(
                path(&["hypotheses", "same_as"], Some((1, i))),
                "`same_as` compares HTTP answers: a `prometheus` hypothesis cannot use it".into(),
            );
        }
        if let Some(r) = &h.same_as {
            c.request(
                path(&["hypotheses", "same_as", "http"], Some((1, i))),
                &r.http,
            );
            if h.expect.json.is_none() {
                c.add(
                    path(&["hypotheses", "same_as"], Some((1, i))),
                    "`same_as` needs `expect.json` (the pointer whose value is compared)".into(),
                );
            }
        }
    }
    for (i, fault) in scenario.faults.iter().enumerate() {
        c.fault(i, fault);
    }
    for (i, abort) in scenario.abort.iter().enumerate() {
        c.abort(i, abort);
    }
    if scenario.max_duration.is_some_and(|d| d.0.is_zero()) {
        c.add(
            path(&["max_duration"], None),
            "`max_duration` must be more than 0".into(),
        );
    }
    c.problems
}

impl Checker<'_> {
    fn add(&mut self, at: KeyPath, message: String) {
        self.problems.push((at, message));
    }

    fn service_list(&self) -> String {
        self.scenario
            .services
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A service's or link's name becomes a file name, a container name and a label.
    fn plain_name(&mut self, at: KeyPath, what: &str, name: &str) {
        if !name::is_plain(name) {
            self.add(
                at,
                format!("{what} name {name:?} is not allowed: use {}", name::RULE),
            );
        }
    }

    fn need_service(&mut self, at: KeyPath, name: &str) {
        if !self.scenario.services.contains_key(name) {
            let known = self.service_list();
            self.add(at, format!("unknown service {name:?} (services: {known})"));
        }
    }

    fn need_link(&mut self, at: KeyPath, name: &str) {
        if !self.scenario.links.contains_key(name) {
            let known: Vec<_> = self.scenario.links.keys().cloned().collect();
            self.add(
                at,
                format!("unknown link {name:?} (links: {})", known.join(", ")),
            );
        }
    }

    fn templates(&mut self, at: KeyPath, text: &str) {
        let refs = match template::references(text) {
            Ok(r) => r,
            Err(e) => return self.add(at, e.to_string()),
        };
        for expr in refs {
            match template::parse(expr) {
                Err(e) => self.add(at.clone(), e.to_string()),
                Ok(Placeholder::Service(name, _)) => self.need_service(at.clone(), name),
                Ok(Placeholder::Link(name, _)) => self.need_link(at.clone(), name),
                Ok(Placeholder::Env(name, default)) => {
                    if let Err(e) = template::env_value(name, default) {
                        self.add(at.clone(), e.to_string());
                    }
                }
                Ok(_) => {}
            }
        }
    }

    fn services(&mut self) {
        if self.scenario.services.is_empty() {
            self.add(
                vec![],
                "a scenario needs at least one service under [services.NAME]".into(),
            );
        }
        for (name, s) in &self.scenario.services {
            self.plain_name(path(&["services", name], None), "service", name);
            let at = |f: &str| path(&["services", name, f], None);
            if s.command.is_none() && s.image.is_none() {
                self.add(path(&["services", name], None), format!("service {name:?} needs `command` (process backend) or `image` (docker backend)"));
            }
            if s.command.as_ref().is_some_and(Vec::is_empty) {
                self.add(at("command"), "`command` needs at least the program".into());
            }
            for arg in s.command.iter().flatten() {
                self.templates(at("command"), arg);
            }
            for arg in s.args.iter().flatten() {
                self.templates(at("args"), arg);
            }
            for (k, v) in &s.env {
                self.templates(path(&["services", name, "env", k], None), v);
            }
            for dep in &s.depends_on {
                self.need_service(at("depends_on"), dep);
            }
        }
        if let Some(cycle) = dependency_cycle(self.scenario) {
            self.add(
                path(&["services", &cycle, "depends_on"], None),
                format!("services depend on each other in a cycle through {cycle:?}"),
            );
        }
    }

    fn links(&mut self) {
        for (name, link) in &self.scenario.links {
            self.plain_name(path(&["links", name], None), "link", name);
            self.need_service(path(&["links", name, "from"], None), &link.from);
            self.need_service(path(&["links", name, "to"], None), &link.to);
            if link.from == link.to {
                self.add(
                    path(&["links", name, "to"], None),
                    "a link joins two different services".into(),
                );
            }
        }
    }

    /// A check or hypothesis probes with exactly one of `http` or `prometheus`.
    fn one_source(
        &mut self,
        at: KeyPath,
        what: &str,
        name: &str,
        source: (Option<&HttpRequest>, Option<&PromQuery>),
        expect: &Expect,
    ) {
        let field = |f: &str| {
            let mut p = at.clone();
            p.push(Seg::Key(f.into()));
            p
        };
        match source {
            (Some(req), None) => self.request(field("http"), req),
            (None, Some(q)) => self.prometheus(field("prometheus"), q),
            _ => self.add(
                at.clone(),
                format!("{what} {name:?} needs exactly one of `http` or `prometheus`"),
            ),
        }
        self.expect(field("expect"), expect);
        self.bounds(field("expect"), source.1.is_some(), expect);
    }

    /// A Prometheus probe: an http:// URL and a query, placeholders known.
    fn prometheus(&mut self, at: KeyPath, q: &PromQuery) {
        let field = |f: &str| {
            let mut p = at.clone();
            p.push(Seg::Key(f.into()));
            p
        };
        self.templates(field("url"), &q.url);
        self.templates(field("query"), &q.query);
        if !q.url.starts_with("http://")
            && !q.url.starts_with("https://")
            && !q.url.starts_with("{{")
        {
            self.add(field("url"), format!("{:?} is not an http:// URL", q.url));
        }
        if q.query.trim().is_empty() {
            self.add(field("query"), "the PromQL query is empty".into());
        }
    }

    /// `min`/`max` judge a Prometheus query's values, and `min` cannot exceed `max`.
    fn bounds(&mut self, at: KeyPath, prometheus: bool, e: &Expect) {
        let field = |f: &str| {
            let mut p = at.clone();
            p.push(Seg::Key(f.into()));
            p
        };
        for (f, v) in [("min", e.min), ("max", e.max)] {
            match v {
                Some(_) if !prometheus => self.add(
                    field(f),
                    format!("`{f}` judges a `prometheus` query's values: this probe has none"),
                ),
                Some(v) if v.is_nan() => self.add(field(f), format!("`{f}` is not a number")),
                _ => {}
            }
        }
        if let (Some(lo), Some(hi)) = (e.min, e.max) {
            if lo > hi {
                self.add(field("min"), format!("min {lo} is more than max {hi}"));
            }
        }
    }

    fn canary(&mut self, i: usize, canary: &Canary) {
        let at = |f: &str| path(&["canaries", f], Some((1, i)));
        match (&canary.http, &canary.contract, &canary.prometheus) {
            (Some(req), None, None) => self.request(at("http"), req),
            (None, None, Some(q)) => self.prometheus(at("prometheus"), q),
            (None, Some(_), None) => match &canary.provider {
                Some(p) => self.need_service(at("provider"), p),
                None => self.add(
                    at("contract"),
                    "a contract canary needs `provider` (the service to replay it against)".into(),
                ),
            },
            _ => self.add(
                path(&["canaries"], Some((1, i))),
                format!(
                    "canary {:?} needs exactly one of `http`, `contract` or `prometheus`",
                    canary.name
                ),
            ),
        }
        if canary.every.0.is_zero() {
            self.add(at("every"), "`every` must be more than 0".into());
        }
        if canary.concurrency == Some(0) {
            self.add(at("concurrency"), "`concurrency` must be at least 1".into());
        }
        self.expect(at("expect"), &canary.expect);
        self.bounds(at("expect"), canary.prometheus.is_some(), &canary.expect);
    }

    fn request(&mut self, at: KeyPath, req: &HttpRequest) {
        let mut url_at = at.clone();
        url_at.push(Seg::Key("url".into()));
        self.templates(url_at.clone(), &req.url);
        if !req.url.starts_with("http://") && !req.url.starts_with("{{") {
            self.add(url_at, format!("{:?} is not an http:// URL", req.url));
        }
        if req.json.is_some() && req.body.is_some() {
            self.add(at, "give either `json` or `body`, not both".into());
        }
    }

    fn expect(&mut self, at: KeyPath, e: &Expect) {
        let field = |f: &str| {
            let mut p = at.clone();
            p.push(Seg::Key(f.into()));
            p
        };
        if let Some(s) = &e.status {
            if let Err(msg) = s.parse::<StatusRange>() {
                self.add(field("status"), msg);
            }
        }
        if let Some(r) = e.success_rate {
            if !(0.0..=1.0).contains(&r) {
                self.add(
                    field("success_rate"),
                    format!("success_rate {r} is not between 0 and 1"),
                );
            }
        }
        for (name, w) in [("during_faults", &e.during_faults), ("steady", &e.steady)] {
            if let Some(r) = w.as_ref().and_then(|w| w.success_rate) {
                if !(0.0..=1.0).contains(&r) {
                    let mut p = field(name);
                    p.push(Seg::Key("success_rate".into()));
                    self.add(p, format!("success_rate {r} is not between 0 and 1"));
                }
            }
        }
        if e.equals.is_some() && e.json.is_none() {
            self.add(
                field("equals"),
                "`equals` needs `json` (a JSON pointer such as \"/shipped\")".into(),
            );
        }
        if let Some(p) = &e.json {
            if !p.is_empty() && !p.starts_with('/') {
                self.add(
                    field("json"),
                    format!("{p:?} is not a JSON pointer (it starts with '/')"),
                );
            }
        }
    }

    fn fault(&mut self, i: usize, f: &Fault) {
        let at = |field: &str| path(&["faults", field], Some((1, i)));
        let swept;
        let (link, toxicity) = match &f.effect {
            Effect::Latency(l) => (&l.link, l.toxicity),
            Effect::Jitter(j) => (&j.link, j.toxicity),
            Effect::Bandwidth(b) => (&b.link, b.toxicity),
            Effect::Reset(l) | Effect::Timeout(l) => (&l.link, l.toxicity),
            Effect::Http(h) => (&h.link, h.toxicity),
            Effect::Crash(CrashFault { service, .. }) | Effect::Pause(PauseFault { service }) => {
                return self.target(at("service"), service, "services", Checker::need_service);
            }
            Effect::Partition(p) => return self.partition(at("between"), p),
            Effect::ContractSweep(c) => {
                swept = Target::One(c.link.clone());
                (&swept, c.toxicity)
            }
        };
        self.target(at("link"), link, "links", Checker::need_link);
        self.toxic_bounds(i, &f.effect);
        if matches!(&f.effect, Effect::ContractSweep(c) if c.each.0.is_zero()) {
            self.add(at("each"), "`each` must be more than 0s".into());
        }
        if let Some(t) = toxicity {
            if !(0.0..=1.0).contains(&t) {
                self.add(
                    at("toxicity"),
                    format!("toxicity {t} is not between 0 and 1"),
                );
            }
        }
    }

    /// What the fault proxy's API would refuse in a toxic, a link fault may not say either:
    /// times over a day ([`MAX_TOXIC_MILLIS`]), statuses that are not HTTP statuses.
    fn toxic_bounds(&mut self, i: usize, effect: &Effect) {
        let at = |field: &str| path(&["faults", field], Some((1, i)));
        let times = match effect {
            Effect::Latency(l) => vec![("latency", Some(l.latency)), ("jitter", l.jitter)],
            Effect::Jitter(j) => vec![("latency", j.latency), ("jitter", Some(j.jitter))],
            Effect::Http(HttpFault { action, .. })
            | Effect::ContractSweep(ContractSweepFault { action, .. }) => match *action {
                HttpAction::Respond { status, .. } if !(100..=599).contains(&status) => {
                    return self.add(
                        at("status"),
                        format!("status {status} is not an HTTP status (100 to 599)"),
                    );
                }
                HttpAction::Delay(d) => vec![("delay", Some(Dur(d)))],
                _ => vec![],
            },
            _ => vec![],
        };
        for (field, d) in times {
            if d.is_some_and(|d| d.as_millis() > MAX_TOXIC_MILLIS) {
                self.add(
                    at(field),
                    format!("`{field}` is more than a day: the fault proxy takes at most a day"),
                );
            }
        }
    }

    /// Every name of a target must exist, and a list must name at least one.
    fn target(&mut self, at: KeyPath, t: &Target, what: &str, need: fn(&mut Self, KeyPath, &str)) {
        if t.names().is_empty() {
            self.add(
                at.clone(),
                format!("the list of {what} to pick from is empty"),
            );
        }
        for name in t.names() {
            need(self, at.clone(), name);
        }
    }

    fn partition(&mut self, at: KeyPath, p: &PartitionFault) {
        if p.between.iter().any(Vec::is_empty) {
            return self.add(
                at,
                "`between` takes two non-empty groups of services".into(),
            );
        }
        let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
        for name in p.between.iter().flatten() {
            self.need_service(at.clone(), name);
            if seen.insert(name, ()).is_some() {
                self.add(at.clone(), format!("{name:?} is in both groups"));
            }
        }
    }
}

/// Guardrails: what each `[[abort]]` watches must exist, with a threshold it can judge.
impl Checker<'_> {
    fn abort(&mut self, i: usize, a: &Abort) {
        let at = |f: &str| path(&["abort", f], Some((1, i)));
        match (&a.canary, &a.steady_state, &a.prometheus) {
            (Some(c), None, None) => self.abort_canary(at("canary"), c),
            (None, Some(c), None) => self.abort_check(at("steady_state"), c),
            (None, None, Some(q)) => self.prometheus(at("prometheus"), q),
            _ => self.add(
                path(&["abort"], Some((1, i))),
                "an abort condition needs exactly one of `canary`, `steady_state` or `prometheus`"
                    .into(),
            ),
        }
        self.abort_thresholds(i, a);
        for (field, d) in [("over", a.over), ("every", a.every)] {
            if d.0.is_zero() {
                self.add(at(field), format!("`{field}` must be more than 0"));
            }
        }
    }

    fn abort_canary(&mut self, at: KeyPath, c: &str) {
        let s = self.scenario;
        if !s.canaries.iter().any(|k| k.name == c) {
            let known: Vec<_> = s.canaries.iter().map(|k| k.name.as_str()).collect();
            self.add(
                at,
                format!("unknown canary {c:?} (canaries: {})", known.join(", ")),
            );
        }
    }

    fn abort_check(&mut self, at: KeyPath, c: &str) {
        let s = self.scenario;
        if !s.steady_state.iter().any(|k| k.name == c) {
            let known: Vec<_> = s.steady_state.iter().map(|k| k.name.as_str()).collect();
            self.add(
                at,
                format!(
                    "unknown steady-state check {c:?} (checks: {})",
                    known.join(", ")
                ),
            );
        }
    }

    /// Each source's thresholds: rates and p99 for probes (p99 for canaries only), values
    /// for a Prometheus query.
    fn abort_thresholds(&mut self, i: usize, a: &Abort) {
        let at = |f: &str| path(&["abort", f], Some((1, i)));
        let whole = path(&["abort"], Some((1, i)));
        if a.prometheus.is_some() {
            for (field, given) in [
                ("success_rate_below", a.success_rate_below.is_some()),
                ("p99_above", a.p99_above.is_some()),
            ] {
                if given {
                    self.add(
                        at(field),
                        format!("`{field}` is for canaries and steady-state checks: a Prometheus query is judged by `value_above` or `value_below`"),
                    );
                }
            }
            if a.value_above.is_none() && a.value_below.is_none() {
                self.add(whole, "a Prometheus abort condition needs a threshold: `value_above` or `value_below`".into());
            }
            return;
        }
        for (field, given) in [
            ("value_above", a.value_above.is_some()),
            ("value_below", a.value_below.is_some()),
        ] {
            if given {
                self.add(at(field), format!("`{field}` is for a `prometheus` query"));
            }
        }
        if a.steady_state.is_some() && a.p99_above.is_some() {
            self.add(
                at("p99_above"),
                "`p99_above` is for canaries: a steady-state check is judged by \
                 `success_rate_below`"
                    .into(),
            );
        }
        match a.success_rate_below {
            None if a.p99_above.is_none() => self.add(
                whole,
                "an abort condition needs a threshold: `success_rate_below` or `p99_above`".into(),
            ),
            Some(r) if !(0.0..=1.0).contains(&r) => self.add(
                at("success_rate_below"),
                format!("success_rate_below {r} is not between 0 and 1"),
            ),
            _ => {}
        }
    }
}

/// A service on a `depends_on` cycle, if any.
fn dependency_cycle(s: &Scenario) -> Option<String> {
    let mut done = HashSet::new();
    s.services.keys().find_map(|n| cycle_from(s, n, &mut done))
}

/// A depth-first walk of `depends_on` from `root` (iterative: a long chain cannot exhaust
/// the stack; sets: linear in services and edges); a service on a cycle, if one is found.
fn cycle_from<'a>(s: &'a Scenario, root: &'a str, done: &mut HashSet<&'a str>) -> Option<String> {
    let deps = |n: &str| {
        s.services
            .get(n)
            .map(|x| x.depends_on.as_slice())
            .unwrap_or_default()
    };
    let mut on_path: HashSet<&str> = HashSet::new();
    let mut path: Vec<(&str, usize)> = Vec::new();
    if done.contains(root) {
        return None;
    }
    on_path.insert(root);
    path.push((root, 0));
    while let Some((n, next)) = path.last_mut() {
        let Some(d) = deps(n).get(*next) else {
            done.insert(*n);
            on_path.remove(*n);
            path.pop();
            continue;
        };
        *next += 1;
        let d = d.as_str();
        if on_path.contains(d) {
            return Some(d.to_string());
        }
        if !done.contains(d) {
            on_path.insert(d);
            path.push((d, 0));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scenario whose services `s0 … s{n-1}` each depend on the next; the last on `last`.
    fn chain(n: usize, last: &[&str]) -> Scenario {
        let services: serde_json::Map<String, serde_json::Value> = (0..n)
            .map(|i| {
                let next = if i + 1 < n {
                    vec![format!("s{}", i + 1)]
                } else {
                    last.iter().map(|s| s.to_string()).collect()
                };
                let service = serde_json::json!({"command": ["true"], "depends_on": next});
                (format!("s{i}"), service)
            })
            .collect();
        serde_json::from_value(serde_json::json!({"name": "s", "services": services})).unwrap()
    }

    #[test]
    fn a_cycle_at_the_end_of_a_long_chain_is_found_without_exhausting_the_stack() {
        // 200,000 deep: a recursive walk overflowed the stack (an abort, not an error).
        assert_eq!(dependency_cycle(&chain(200_000, &[])), None);
        let cycle = dependency_cycle(&chain(200_000, &["s199990"]));
        assert!(
            cycle.is_some_and(|c| c.starts_with("s19999")),
            "a service on the cycle"
        );
    }

    #[test]
    fn shared_dependencies_are_not_cycles() {
        let s: Scenario = serde_json::from_value(serde_json::json!({"name": "s", "services": {
            "a": {"command": ["true"], "depends_on": ["c", "b"]},
            "b": {"command": ["true"], "depends_on": ["c"]},
            "c": {"command": ["true"]},
            "d": {"command": ["true"], "depends_on": ["d"]},
        }}))
        .unwrap();
        assert_eq!(dependency_cycle(&s).as_deref(), Some("d"));
    }

    #[test]
    fn a_canary_needs_a_concurrency_and_window_rates_that_make_sense() {
        let text = "name = \"s\"\n\
            [services.a]\ncommand = [\"true\"]\n\
            [[canaries]]\nname = \"c\"\nhttp = { url = \"http://127.0.0.1:1/\" }\n\
            concurrency = 0\n\
            expect = { during_faults = { success_rate = 2.0 } }\n";
        let problems = crate::scenario::parse(text, std::path::Path::new("s.toml")).unwrap_err();
        let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            said.contains(&"s.toml:7:15: `concurrency` must be at least 1".to_string()),
            "{said:?}"
        );
        assert!(
            said.iter().any(|p| p.starts_with("s.toml:8:")
                && p.ends_with("success_rate 2 is not between 0 and 1")),
            "{said:?}"
        );
    }
}
