//! Chaos Mesh documents read back into a scenario (TOML text): each selector a service with
//! its `kubernetes` table, each NetworkChaos with a target a link, each chaos a fault placed
//! on the timeline by the Workflow's Serial and Parallel templates, each StatusCheck a
//! canary (Continuous) or a steady-state check (Synchronous). What the scenario cannot hold
//! is named in a warning.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize as _;
use serde_json::Value;

use super::document::dns_name;
use super::duration::{go, parse_go};

/// A scenario made from Chaos Mesh documents.
#[derive(Debug, Clone)]
pub struct Import {
    /// The scenario, as TOML.
    pub toml: String,
    /// What was left out, each naming its file and document.
    pub warnings: Vec<String>,
}

/// Why documents cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not YAML.
    #[error("{}: not YAML: {message}", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// Where and why.
        message: String,
    },
}

/// Reads the files' documents into one scenario.
pub fn import(files: &[PathBuf]) -> Result<Import, ImportError> {
    let mut docs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|source| ImportError::Io {
            path: file.clone(),
            source,
        })?;
        docs.extend(documents(&text, file)?);
    }
    import_documents(
        &docs,
        &files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>(),
    )
}

/// The documents of a (multi-document) YAML text, with the file they came from.
pub fn documents(text: &str, file: &Path) -> Result<Vec<(String, Value)>, ImportError> {
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let value = Value::deserialize(doc).map_err(|e| ImportError::Yaml {
            path: file.to_path_buf(),
            message: e.to_string(),
        })?;
        if !value.is_null() {
            out.push((file.display().to_string(), value));
        }
    }
    Ok(out)
}

/// One scenario from documents (each with the name of its file); `sources` names the
/// files in the scenario's description.
pub fn import_documents(
    docs: &[(String, Value)],
    sources: &[String],
) -> Result<Import, ImportError> {
    let mut b = Builder::default();
    for (file, doc) in docs {
        b.document(file, doc);
    }
    if b.faults.is_empty() && b.checks.is_empty() {
        b.warnings.push(format!(
            "{}: nothing a scenario can hold was found: the scenario has no faults",
            sources.join(", ")
        ));
    }
    if b.services.is_empty() {
        b.anywhere();
    }
    Ok(Import {
        toml: b.toml(sources),
        warnings: b.warnings,
    })
}

/// A service found by its selector.
#[derive(Debug, Clone, PartialEq)]
struct Pods {
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
    port: Option<u64>,
    anywhere: bool,
}

/// What the documents hold, gathered as scenario parts (faults and checks as TOML text).
#[derive(Debug, Default)]
struct Builder {
    services: BTreeMap<String, Pods>,
    links: BTreeMap<String, (String, String)>,
    faults: Vec<String>,
    checks: Vec<(bool, String)>,
    schedule: Option<String>,
    warnings: Vec<String>,
    /// Workflow templates visited so far (bounded: children may loop).
    visits: usize,
}

/// The most workflow templates one import visits.
const MAX_VISITS: usize = 10_000;

/// Where a document or template is, for warnings.
struct Origin<'a> {
    file: &'a str,
    name: String,
}

impl Builder {
    fn warn(&mut self, at: &Origin<'_>, message: impl AsRef<str>) {
        self.warnings
            .push(format!("{}: {}: {}", at.file, at.name, message.as_ref()));
    }

    fn document(&mut self, file: &str, doc: &Value) {
        let kind = doc["kind"].as_str().unwrap_or("");
        let at = Origin {
            file,
            name: format!("{kind} {}", doc["metadata"]["name"].as_str().unwrap_or("?")),
        };
        let name = doc["metadata"]["name"].as_str().unwrap_or(kind).to_string();
        let spec = &doc["spec"];
        match kind {
            "Workflow" => self.workflow(&at, spec),
            "Schedule" => self.schedule(&at, &name, spec),
            "StatusCheck" => self.status_check(&at, &name, spec, None),
            _ => {
                let duration = spec["duration"].as_str().and_then(parse_go);
                self.chaos(&at, &name, kind, spec, Duration::ZERO, duration);
            }
        }
    }

    fn schedule(&mut self, at: &Origin<'_>, name: &str, spec: &Value) {
        self.schedule = spec["schedule"].as_str().map(str::to_string);
        let kind = spec["type"].as_str().unwrap_or("");
        if kind == "Workflow" {
            return self.workflow(at, &spec["workflow"]);
        }
        let field = field_of(kind);
        let duration = spec[field]["duration"].as_str().and_then(parse_go);
        self.chaos(at, name, kind, &spec[field], Duration::ZERO, duration);
    }

    /// The templates from the entry, each at its start.
    fn workflow(&mut self, at: &Origin<'_>, spec: &Value) {
        let templates: BTreeMap<&str, &Value> = spec["templates"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| Some((t["name"].as_str()?, t)))
            .collect();
        let entry = spec["entry"].as_str().unwrap_or("");
        self.node(at, &templates, entry, Duration::ZERO, 0);
    }

    /// Template `name` and its children from `start`; returns how long it lasts.
    fn node(
        &mut self,
        at: &Origin<'_>,
        templates: &BTreeMap<&str, &Value>,
        name: &str,
        start: Duration,
        depth: usize,
    ) -> Duration {
        self.visits += 1;
        if self.visits > MAX_VISITS {
            if self.visits == MAX_VISITS + 1 {
                let why = format!("more than {MAX_VISITS} templates visited (children that loop?): the rest is left out");
                self.warn(at, why);
            }
            return Duration::ZERO;
        }
        let Some(t) = templates.get(name).copied().filter(|_| depth < 64) else {
            self.warn(
                at,
                format!("template {name:?} is missing (or nested too deep)"),
            );
            return Duration::ZERO;
        };
        let deadline = t["deadline"].as_str().and_then(parse_go);
        let children: Vec<&str> = t["children"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let kind = t["templateType"].as_str().unwrap_or("");
        let length = match kind {
            "Serial" => children.iter().fold(Duration::ZERO, |cursor, c| {
                cursor + self.node(at, templates, c, start + cursor, depth + 1)
            }),
            "Parallel" => children
                .iter()
                .map(|c| self.node(at, templates, c, start, depth + 1))
                .max()
                .unwrap_or_default(),
            "Suspend" => deadline.unwrap_or_default(),
            "StatusCheck" => {
                self.status_check(at, name, &t["statusCheck"], deadline);
                Duration::ZERO
            }
            _ => {
                let spec = &t[field_of(kind)];
                let duration = deadline.or_else(|| spec["duration"].as_str().and_then(parse_go));
                self.chaos(at, name, kind, spec, start, duration);
                duration.unwrap_or_default()
            }
        };
        deadline.map_or(length, |d| d.min(length))
    }

    /// A service for a selector: found again by its labels and namespace, else added.
    fn service(&mut self, at: &Origin<'_>, selector: &Value) -> Option<String> {
        let labels: BTreeMap<String, String> = selector["labelSelectors"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        let namespaces: Vec<&str> = selector["namespaces"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if labels.is_empty() {
            self.warn(
                at,
                "a selector without labelSelectors cannot name a service: left out",
            );
            return None;
        }
        if namespaces.len() > 1 {
            self.warn(
                at,
                "a selector over several namespaces: only the first is kept",
            );
        }
        let others: Vec<&str> = [
            "pods",
            "fieldSelectors",
            "expressionSelectors",
            "annotationSelectors",
            "nodes",
            "nodeSelectors",
            "podPhaseSelectors",
        ]
        .into_iter()
        .filter(|k| !selector[*k].is_null())
        .collect();
        if !others.is_empty() {
            self.warn(
                at,
                format!("selector fields {others:?} are not kept (only labels and namespace)"),
            );
        }
        let pods = Pods {
            namespace: namespaces.first().map(|s| s.to_string()),
            labels,
            port: None,
            anywhere: false,
        };
        let same = |p: &Pods| p.namespace == pods.namespace && p.labels == pods.labels;
        if let Some((name, _)) = self.services.iter().find(|(_, p)| same(p)) {
            return Some(name.clone());
        }
        let wanted = [
            "app",
            "app.kubernetes.io/name",
            "app.kubernetes.io/component",
        ]
        .iter()
        .find_map(|k| pods.labels.get(*k))
        .or_else(|| pods.labels.values().next())
        .map(|v| dns_name(v))
        .unwrap_or_else(|| "service".into());
        let mut name = wanted.clone();
        let mut n = 2;
        while self.services.contains_key(&name) {
            name = format!("{wanted}-{n}");
            n += 1;
        }
        self.services.insert(name.clone(), pods);
        Some(name)
    }

    /// The service that stands for every destination (or every client).
    fn anywhere(&mut self) -> String {
        let pods = Pods {
            namespace: None,
            labels: BTreeMap::new(),
            port: None,
            anywhere: true,
        };
        self.services.insert("anywhere".into(), pods);
        "anywhere".into()
    }

    fn link(&mut self, from: &str, to: &str) -> String {
        let name = dns_name(&format!("{from}-{to}"));
        self.links.insert(name.clone(), (from.into(), to.into()));
        name
    }

    fn chaos(
        &mut self,
        at: &Origin<'_>,
        name: &str,
        kind: &str,
        spec: &Value,
        start: Duration,
        duration: Option<Duration>,
    ) {
        if let Some(mode) = spec["mode"].as_str().filter(|m| *m != "all") {
            self.warn(at, format!("mode {mode}: a scenario's fault hits all pods of a service (exported as mode all)"));
        }
        let body = match kind {
            "NetworkChaos" => self.network(at, spec),
            "PodChaos" => self.pod(at, spec),
            "HTTPChaos" => self.http(at, spec),
            "" => {
                self.warn(at, "no kind: left out");
                None
            }
            other => {
                self.warn(at, format!("{other} has no scenario fault kind: left out"));
                None
            }
        };
        let Some(body) = body else { return };
        let mut fault = format!(
            "[[faults]]\nname = {}\n{body}start = {:?}\n",
            quote(name),
            go(start)
        );
        if let Some(d) = duration {
            let _ = writeln!(fault, "duration = {:?}", go(d));
        }
        self.faults.push(fault);
    }

    fn network(&mut self, at: &Origin<'_>, spec: &Value) -> Option<String> {
        let from = self.service(at, &spec["selector"])?;
        let target = &spec["target"]["selector"];
        let to = if target.is_null() {
            None
        } else {
            Some(self.service(at, target)?)
        };
        let direction = match spec["direction"].as_str().unwrap_or("to") {
            "from" => "downstream",
            "both" => "both",
            _ => "upstream",
        };
        for field in ["externalTargets", "device", "targetDevice", "remoteCluster"] {
            if !spec[field].is_null() {
                self.warn(at, format!("`{field}` is not kept"));
            }
        }
        let action = spec["action"].as_str().unwrap_or("");
        if action == "partition" {
            let Some(to) = to else {
                self.warn(
                    at,
                    "a partition without a target cannot be a scenario partition: left out",
                );
                return None;
            };
            if from == to {
                self.warn(at, format!("a partition of {from} from itself cannot be a scenario partition: left out"));
                return None;
            }
            let one_way = direction != "both";
            let (a, b) = if direction == "downstream" {
                (&to, &from)
            } else {
                (&from, &to)
            };
            return Some(format!(
                "kind = \"partition\"\nbetween = [[{}], [{}]]\none_way = {one_way}\n",
                quote(a),
                quote(b)
            ));
        }
        let to = match to {
            Some(to) => to,
            None => self.anywhere(),
        };
        let link = self.link(&from, &to);
        let head = format!("link = {}\ndirection = \"{direction}\"\n", quote(&link));
        let fields = match action {
            "delay" => self.delay(at, &spec["delay"]),
            "bandwidth" => self.bandwidth(at, &spec["bandwidth"]),
            "loss" if spec["loss"]["loss"].as_str() == Some("100") => {
                Some("kind = \"timeout\"\n".to_string())
            }
            other => {
                self.warn(at, format!("NetworkChaos {other} has no scenario fault kind (loss only at 100%, as timeout): left out"));
                None
            }
        }?;
        Some(format!("{fields}{head}"))
    }

    fn delay(&mut self, at: &Origin<'_>, delay: &Value) -> Option<String> {
        for field in ["correlation", "reorder"] {
            if !delay[field].is_null() {
                self.warn(at, format!("delay `{field}` is not kept"));
            }
        }
        let latency = delay["latency"]
            .as_str()
            .and_then(parse_go)
            .unwrap_or_default();
        let mut out = format!("kind = \"latency\"\nlatency = {:?}\n", go(latency));
        if let Some(j) = delay["jitter"]
            .as_str()
            .and_then(parse_go)
            .filter(|j| !j.is_zero())
        {
            let _ = writeln!(out, "jitter = {:?}", go(j));
        }
        Some(out)
    }

    fn bandwidth(&mut self, at: &Origin<'_>, bw: &Value) -> Option<String> {
        let Some(rate) = bw["rate"].as_str().and_then(kilobytes) else {
            self.warn(
                at,
                format!("bandwidth rate {} is not a rate: left out", bw["rate"]),
            );
            return None;
        };
        let kept = |k: &str| {
            k == "rate"
                || (k == "limit" && bw[k] == 20_971_520)
                || (k == "buffer" && bw[k] == 10_000)
        };
        let dropped: Vec<&String> = bw
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
            .filter(|k| !kept(k))
            .collect();
        if !dropped.is_empty() {
            self.warn(at, format!("bandwidth {dropped:?} are not kept (export writes limit 20971520, buffer 10000)"));
        }
        Some(format!("kind = \"bandwidth\"\nrate = {rate}\n"))
    }

    fn pod(&mut self, at: &Origin<'_>, spec: &Value) -> Option<String> {
        let kind = match spec["action"].as_str().unwrap_or("") {
            "pod-kill" => "crash",
            "pod-failure" => "pause",
            other => {
                self.warn(
                    at,
                    format!("PodChaos {other} has no scenario fault kind: left out"),
                );
                return None;
            }
        };
        let service = self.service(at, &spec["selector"])?;
        Some(format!(
            "kind = \"{kind}\"\nservice = {}\n",
            quote(&service)
        ))
    }

    fn http(&mut self, at: &Origin<'_>, spec: &Value) -> Option<String> {
        let action = if spec["abort"] == Value::Bool(true) {
            "abort = true\n".to_string()
        } else if let Some(d) = spec["delay"].as_str().and_then(parse_go) {
            format!("delay = {:?}\n", go(d))
        } else if let Some(code) = spec["replace"]["code"].as_u64() {
            let body = spec["replace"]["body"]
                .as_str()
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            let body = body
                .map(|b| format!("body = {}\n", quote(&b)))
                .unwrap_or_default();
            format!("status = {code}\n{body}")
        } else {
            self.warn(at, "HTTPChaos without abort, delay or replace.code (patch, other replacements) has no scenario fault: left out");
            return None;
        };
        let service = self.service(at, &spec["selector"])?;
        if let Some(port) = spec["port"].as_u64() {
            if let Some(p) = self.services.get_mut(&service) {
                p.port = Some(port);
            }
        }
        let client = self.anywhere();
        let link = self.link(&client, &service);
        let mut out = format!("kind = \"http\"\nlink = {}\n{action}", quote(&link));
        if let Some(m) = spec["method"].as_str() {
            let _ = writeln!(out, "method = {}", quote(m));
        }
        match spec["path"].as_str().map(regex_of) {
            None | Some(None) => {}
            Some(Some(re)) => {
                let _ = writeln!(out, "path = {}", quote(&re));
            }
        }
        Some(out)
    }

    fn status_check(
        &mut self,
        at: &Origin<'_>,
        name: &str,
        spec: &Value,
        deadline: Option<Duration>,
    ) {
        let http = &spec["http"];
        let Some(url) = http["url"].as_str() else {
            return self.warn(at, "a StatusCheck without an HTTP url: left out");
        };
        let continuous = spec["mode"].as_str() == Some("Continuous");
        let method = http["method"].as_str().unwrap_or("GET");
        let status = http["criteria"]["statusCode"].as_str().unwrap_or("200");
        let every = spec["intervalSeconds"].as_u64().unwrap_or(10);
        let failures = spec["failureThreshold"].as_u64().unwrap_or(3);
        let request = format!("{{ method = {}, url = {} }}", quote(method), quote(url));
        let text = if continuous {
            let expect = format!(
                "{{ status = {}, max_consecutive_failures = {} }}",
                quote(status),
                failures.saturating_sub(1)
            );
            format!("[[canaries]]\nname = {}\nhttp = {request}\nevery = \"{every}s\"\nexpect = {expect}\n", quote(name))
        } else {
            let within = deadline
                .map(|d| format!("within = {:?}\n", go(d)))
                .unwrap_or_default();
            format!("[[steady_state]]\nname = {}\nhttp = {request}\nexpect = {{ status = {} }}\n{within}", quote(name), quote(status))
        };
        self.checks.push((continuous, text));
    }

    fn toml(&self, sources: &[String]) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "name = \"imported from Chaos Mesh\"");
        let _ = writeln!(out, "description = {}", quote(&format!("Imported by `shakedown import chaos-mesh` from {}. Services get a placeholder image: set `image` or `command` to run it locally.", sources.join(", "))));
        let _ = writeln!(out, "warmup = \"0s\"\nsettle = \"0s\"");

        if let Some(cron) = &self.schedule {
            let _ = writeln!(out, "schedule = {}", quote(cron));
        }
        for (name, p) in &self.services {
            let _ = writeln!(out, "\n[services.{name}]\nimage = \"{name}:latest\"");
            if let Some(port) = p.port {
                let _ = writeln!(out, "port = {port}");
            }
            if p.anywhere {
                let _ = writeln!(out, "kubernetes = {{ anywhere = true }}");
                continue;
            }
            let labels: Vec<String> = p
                .labels
                .iter()
                .map(|(k, v)| format!("{} = {}", quote(k), quote(v)))
                .collect();
            let ns = p
                .namespace
                .as_ref()
                .map(|n| format!("namespace = {}, ", quote(n)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "kubernetes = {{ {ns}labels = {{ {} }} }}",
                labels.join(", ")
            );
        }
        for (name, (from, to)) in &self.links {
            let _ = writeln!(
                out,
                "\n[links.{name}]\nfrom = {}\nto = {}",
                quote(from),
                quote(to)
            );
        }
        for (_, check) in self.checks.iter().filter(|(c, _)| !*c) {
            let _ = write!(out, "\n{check}");
        }
        for (_, check) in self.checks.iter().filter(|(c, _)| *c) {
            let _ = write!(out, "\n{check}");
        }
        for fault in &self.faults {
            let _ = write!(out, "\n{fault}");
        }
        out
    }
}

/// The field of a Schedule or Workflow template that holds a chaos spec of `kind`.
fn field_of(kind: &str) -> &'static str {
    match kind {
        "NetworkChaos" => "networkChaos",
        "PodChaos" => "podChaos",
        "HTTPChaos" => "httpChaos",
        "StressChaos" => "stressChaos",
        "IOChaos" => "ioChaos",
        "TimeChaos" => "timeChaos",
        "DNSChaos" => "dnsChaos",
        _ => "",
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A Chaos Mesh rate (`100kbps`: bytes; `8mbit`: bits) in KB/s, rounded, at least 1.
fn kilobytes(rate: &str) -> Option<u64> {
    let n = rate
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rate.len());
    let value: f64 = rate[..n].parse().ok()?;
    let bytes = match &rate[n..] {
        "bps" => 1.0,
        "kbps" => 1e3,
        "mbps" => 1e6,
        "gbps" => 1e9,
        "bit" => 1.0 / 8.0,
        "kbit" => 1e3 / 8.0,
        "mbit" => 1e6 / 8.0,
        "gbit" => 1e9 / 8.0,
        _ => return None,
    };
    Some(((value * bytes / 1e3).round() as u64).max(1))
}

/// A Chaos Mesh path pattern as a regex: `*` anything, `/a*` a prefix, `/a` exactly; `None`
/// for `*` (every path).
fn regex_of(path: &str) -> Option<String> {
    if path == "*" || path.is_empty() {
        return None;
    }
    let escaped = regex::escape(path.trim_end_matches('*')).replace("\\*", ".*");
    Some(if path.ends_with('*') {
        format!("^{escaped}")
    } else {
        format!("^{escaped}$")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workflow_whose_children_loop_ends_with_a_warning() {
        let doc: Value = serde_json::json!({
            "kind": "Workflow",
            "metadata": { "name": "loop" },
            "spec": { "entry": "a", "templates": [
                { "name": "a", "templateType": "Parallel", "children": ["a", "a", "a", "a"] }
            ] }
        });
        let import = import_documents(&[("w.yaml".into(), doc)], &["w.yaml".into()]).unwrap();
        assert!(
            import
                .warnings
                .iter()
                .any(|w| w.contains("children that loop")),
            "{:?}",
            import.warnings
        );
    }

    #[test]
    fn rates_and_paths_are_translated() {
        assert_eq!(kilobytes("100kbps"), Some(100));
        assert_eq!(kilobytes("8mbit"), Some(1000));
        assert_eq!(kilobytes("fast"), None);
        assert_eq!(regex_of("*"), None);
        assert_eq!(regex_of("/payments*").as_deref(), Some("^/payments"));
        assert_eq!(regex_of("/health").as_deref(), Some("^/health$"));
    }
}
