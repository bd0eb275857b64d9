//! A Docker Compose file read into the scenario's services: `image`, `command` (the
//! entrypoint's `args`), `environment`, `ports`/`expose` (the container's `port`),
//! `depends_on`, and `healthcheck` (readiness). Every other key is named in a located
//! warning; YAML syntax errors and wrong types are located errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

use super::file::{ComposeFile, ComposeService};
use super::position::locate;
use super::readiness::readiness;
use crate::scenario::load::Problem;
use crate::scenario::model::{Ready, Service};

/// Top-level keys read, or without effect on a run (`version`, `name`, `x-…` extensions).
const TOP_KEYS: &[&str] = &["services", "version", "name"];
/// Service keys read.
const SERVICE_KEYS: &[&str] = &[
    "image",
    "command",
    "environment",
    "ports",
    "expose",
    "depends_on",
    "healthcheck",
];

/// What a Compose file gives a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// Its services, for the docker backend.
    pub services: BTreeMap<String, Service>,
    /// What was not imported, and why, located in the Compose file.
    pub warnings: Vec<Problem>,
}

/// Why a Compose file cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The file cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid YAML, or not a Compose file shakedown can run.
    #[error("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
}

/// Reads a Compose file into services and warnings.
pub fn read(path: &Path) -> Result<Imported, ComposeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ComposeError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path).map_err(|problems| ComposeError::Invalid { problems })
}

/// Reads Compose text; `file` is only used to name it in problems.
pub fn parse(text: &str, file: &Path) -> Result<Imported, Vec<Problem>> {
    let at = |path: &[&str], message: String| {
        let (line, column) = locate(text, path);
        problem(file, line, column, message)
    };
    let tree: Value = serde_yaml_ng::from_str(text).map_err(|e| vec![yaml_problem(file, &e)])?;
    if !tree.is_mapping() {
        let what = "a Compose file: a map with `services`".to_string();
        return Err(vec![at(&[], format!("expected {what}"))]);
    }
    let compose: ComposeFile =
        serde_yaml_ng::from_str(text).map_err(|e| vec![yaml_problem(file, &e)])?;
    let mut warnings = unread_keys(&tree, &at);
    let mut services = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, written) in &compose.services {
        match service(name, written, &at) {
            Ok((service, mut notes)) => {
                services.insert(name.clone(), service);
                warnings.append(&mut notes);
            }
            Err(e) => errors.push(e),
        }
    }
    if compose.services.is_empty() {
        errors.push(at(
            &["services"],
            "no services: a Compose file needs `services`".into(),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    warnings.sort_by_key(|p| (p.line, p.column));
    Ok(Imported { services, warnings })
}

fn problem(file: &Path, line: usize, column: usize, message: String) -> Problem {
    Problem {
        file: file.to_path_buf(),
        line,
        column,
        message,
    }
}

/// A YAML syntax or type error at its place (serde_yaml_ng's message without its own
/// " at line L column C").
fn yaml_problem(file: &Path, e: &serde_yaml_ng::Error) -> Problem {
    let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    problem(file, line, column, without_location(&e.to_string()))
}

/// `text` without the first " at line L column C" in it.
fn without_location(text: &str) -> String {
    let Some(start) = text.find(" at line ") else {
        return text.to_string();
    };
    let rest = &text[start + " at line ".len()..];
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let line_digits = digits(rest);
    let Some(after_column) = rest[line_digits..].strip_prefix(" column ") else {
        return text.to_string();
    };
    let end = &after_column[digits(after_column)..];
    format!("{}{end}", &text[..start])
}

/// Warnings for every key that is neither read nor without effect.
fn unread_keys(tree: &Value, at: &dyn Fn(&[&str], String) -> Problem) -> Vec<Problem> {
    let mut warnings = Vec::new();
    for key in keys(tree) {
        if !TOP_KEYS.contains(&key.as_str()) && !key.starts_with("x-") {
            warnings.push(at(&[&key], unsupported(&key, &key)));
        }
    }
    let services = tree.get("services").map(keys).unwrap_or_default();
    for name in services {
        for key in tree
            .get("services")
            .and_then(|s| s.get(&name))
            .map(keys)
            .unwrap_or_default()
        {
            if !SERVICE_KEYS.contains(&key.as_str()) && !key.starts_with("x-") {
                let path = format!("services.{name}.{key}");
                warnings.push(at(&["services", &name, &key], unsupported(&path, &key)));
            }
        }
    }
    warnings
}

/// The string keys of a mapping (none for anything else).
fn keys(value: &Value) -> Vec<String> {
    value
        .as_mapping()
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Why a key is not imported.
fn unsupported(path: &str, key: &str) -> String {
    let why = match key {
        "build" => "images are never built: build it first and name it in `image`",
        "volumes" => "nothing is mounted",
        "networks" => {
            "every service joins the run's own network, where its service name reaches it"
        }
        "container_name" | "hostname" => {
            "containers are named after the run and reached by their service name"
        }
        "restart" => "a container restarts only when a crash fault heals",
        "entrypoint" => "the image's own entrypoint runs, with `command` as its arguments",
        "env_file" => "only `environment` is read",
        _ => "shakedown does not support it",
    };
    format!("{path} is not imported: {why}")
}

/// One Compose service as a scenario service, with its warnings.
fn service(
    name: &str,
    written: &ComposeService,
    at: &dyn Fn(&[&str], String) -> Problem,
) -> Result<(Service, Vec<Problem>), Problem> {
    let here = |key: &str, message: String| at(&["services", name, key], message);
    let Some(image) = written.image.clone() else {
        let message = format!("service {name} has no `image` (images are never built or pulled: build it first and name it here)");
        return Err(at(&["services", name], message));
    };
    let mut warnings = Vec::new();
    if image.contains('$') {
        warnings.push(here(
            "image",
            format!("services.{name}.image: variables are not substituted in `image` ({image})"),
        ));
    }
    let (port, mut notes) = port(name, written, &here);
    warnings.append(&mut notes);
    let env = written
        .environment
        .0
        .iter()
        .map(|(k, v)| {
            let value = match v {
                Some(v) => interpolate(v),
                None => format!("{{{{ env.{k} | default: \"\" }}}}"),
            };
            (k.clone(), value)
        })
        .collect();
    let args = written
        .command
        .as_ref()
        .map(|c| c.0.iter().map(|a| interpolate(a)).collect());
    let mut depends_on = Vec::new();
    for (dependency, condition) in &written.depends_on.0 {
        if condition.as_deref() == Some("service_completed_successfully") {
            let message = format!("services.{name}.depends_on.{dependency}: `service_completed_successfully` is not supported: {name} starts once {dependency} is ready");
            warnings.push(here("depends_on", message));
        }
        depends_on.push(dependency.clone());
    }
    let ready = match &written.healthcheck {
        None => Ready::default(),
        Some(check) => {
            let (ready, note) = readiness(check, port)
                .map_err(|m| here("healthcheck", format!("services.{name}.healthcheck: {m}")))?;
            warnings.extend(
                note.map(|m| here("healthcheck", format!("services.{name}.healthcheck: {m}"))),
            );
            ready
        }
    };
    let service = Service {
        command: None,
        dir: PathBuf::new(),
        image: Some(image),
        args,
        port,
        env,
        ready,
        depends_on,
        kubernetes: None,
    };
    Ok((service, warnings))
}

/// The port the service listens on: the first of `ports`, else of `expose`.
fn port(
    name: &str,
    written: &ComposeService,
    here: &dyn Fn(&str, String) -> Problem,
) -> (Option<u16>, Vec<Problem>) {
    let mut warnings = Vec::new();
    let all: Vec<_> = written
        .ports
        .iter()
        .map(|p| ("ports", p))
        .chain(written.expose.iter().map(|p| ("expose", p)))
        .collect();
    let Some((_, first)) = all.first() else {
        let message = format!("services.{name} names no port (`ports` or `expose`): the docker backend needs the port it listens on");
        return (None, vec![here("ports", message)]);
    };
    for (key, p) in &all {
        if let Some(host) = &p.published {
            warnings.push(here(key, format!("services.{name}.{key}: host port {host} is not published (shakedown reaches services on the run's network: {{{{ services.{name} }}}})")));
        }
        if p.protocol != "tcp" {
            warnings.push(here(
                key,
                format!(
                    "services.{name}.{key}: {}/{} is not proxied (TCP only)",
                    p.container, p.protocol
                ),
            ));
        }
    }
    if all.len() > 1 || first.range_end.is_some() {
        warnings.push(here(all[0].0, format!("services.{name}: only port {} is used (readiness, {{{{ services.{name} }}}} and links); other ports are reachable on the run's network but not through links", first.container)));
    }
    (Some(first.container), warnings)
}

/// Compose's variable substitution as shakedown placeholders: `${VAR}` and `$VAR` become
/// `{{ env.VAR | default: "" }}` (unset, Compose substitutes an empty string),
/// `${VAR:-x}` and `${VAR-x}` `{{ env.VAR | default: "x" }}`, `${VAR:?msg}` `{{ env.VAR }}`
/// (unset, an error), `$$` a `$`.
pub fn interpolate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (replacement, used) = substitution(after);
        out.push_str(&replacement);
        rest = &after[used..];
    }
    out.push_str(rest);
    out
}

/// What a `$` followed by `after` stands for, and how many bytes of `after` it took.
fn substitution(after: &str) -> (String, usize) {
    let word = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let env = |name: &str, default: Option<&str>| match default {
        Some(d) => format!("{{{{ env.{name} | default: \"{d}\" }}}}"),
        None => format!("{{{{ env.{name} }}}}"),
    };
    if after.starts_with('$') {
        return ("$".into(), 1);
    }
    if let Some(inner) = after.strip_prefix('{') {
        let Some(close) = inner.find('}') else {
            return ("$".into(), 0);
        };
        let body = &inner[..close];
        let name_len = word(body);
        let (name, op) = body.split_at(name_len);
        let default = op.strip_prefix(":-").or_else(|| op.strip_prefix('-'));
        let text = match (default, op) {
            (Some(d), _) => env(name, Some(d)),
            (None, o) if o.starts_with(":?") || o.starts_with('?') => env(name, None),
            _ => env(name, Some("")),
        };
        return (text, close + 2);
    }
    match word(after) {
        0 => ("$".into(), 0),
        n => (env(&after[..n], Some("")), n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORMS: &str = r#"version: "3.8"
x-common: &common
  restart: always
services:
  long:
    image: shop/long:1
    command: ["serve", "--port", 8080]
    environment:
      URL: http://short:9090
      RETRIES: 3
      DEBUG: true
      FROM_SHELL:
      MODE: ${MODE:-fast}
    ports:
      - target: 8080
        published: 18080
    depends_on:
      short:
        condition: service_healthy
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
      interval: 1s
      retries: 5
  short:
    image: shop/short:1
    command: serve --name 'the short one'
    environment:
      - A=1
      - B=x=y
      - C
    ports:
      - "9090"
      - 9091
    expose:
      - "9092"
    depends_on: [other]
    healthcheck:
      test: curl -f http://127.0.0.1:9090/ || exit 1
  other:
    image: shop/other:1
    expose: ["7000/tcp"]
"#;

    fn imported(text: &str) -> Imported {
        parse(text, Path::new("compose.yml")).unwrap_or_else(|p| panic!("{p:?}"))
    }

    fn errors(text: &str) -> Vec<String> {
        let problems = parse(text, Path::new("compose.yml")).unwrap_err();
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_form_of_the_keys_it_reads() {
        let Imported { services, warnings } = imported(FORMS);
        let long = &services["long"];
        assert_eq!(long.image.as_deref(), Some("shop/long:1"));
        assert_eq!(long.args.as_deref().unwrap(), ["serve", "--port", "8080"]);
        assert_eq!(long.port, Some(8080));
        assert_eq!(long.env["URL"], "http://short:9090");
        assert_eq!(long.env["RETRIES"], "3");
        assert_eq!(long.env["DEBUG"], "true");
        assert_eq!(
            long.env["FROM_SHELL"],
            "{{ env.FROM_SHELL | default: \"\" }}"
        );
        assert_eq!(long.env["MODE"], "{{ env.MODE | default: \"fast\" }}");
        assert_eq!(long.depends_on, ["short"]);
        assert_eq!(long.ready.http.as_deref(), Some("/health"));
        assert_eq!(long.ready.within, crate::scenario::Dur::secs(10)); // 5 × 1s, at least 10s
        let short = &services["short"];
        assert_eq!(
            short.args.as_deref().unwrap(),
            ["serve", "--name", "the short one"]
        );
        let env: Vec<_> = short.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(env, ["A=1", "B=x=y", "C={{ env.C | default: \"\" }}"]);
        assert_eq!(short.port, Some(9090));
        assert_eq!(short.depends_on, ["other"]);
        assert_eq!(short.ready.http.as_deref(), Some("/"));
        assert_eq!(services["other"].port, Some(7000));
        assert_eq!(services["other"].args, None);
        let said: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "compose.yml:14:5: services.long.ports: host port 18080 is not published \
                 (shakedown reaches services on the run's network: {{ services.long }})",
                "compose.yml:31:5: services.short: only port 9090 is used (readiness, \
                 {{ services.short }} and links); other ports are reachable on the run's \
                 network but not through links",
            ]
        );
    }

    #[test]
    fn unsupported_keys_are_warned_where_they_are_written() {
        let text = "services:\n  web:\n    image: x\n    expose: [80]\n    build: .\n    volumes:\n      - ./d:/d\n    networks: [front]\n  db: { image: y, expose: [5432], restart: always }\nvolumes:\n  d: {}\nnetworks:\n  front:\n";
        let said: Vec<String> = imported(text)
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            said,
            [
                "compose.yml:5:5: services.web.build is not imported: images are never built: build it first and name it in `image`",
                "compose.yml:6:5: services.web.volumes is not imported: nothing is mounted",
                "compose.yml:8:5: services.web.networks is not imported: every service joins the run's own network, where its service name reaches it",
                "compose.yml:9:3: services.db.restart is not imported: a container restarts only when a crash fault heals",
                "compose.yml:10:1: volumes is not imported: nothing is mounted",
                "compose.yml:12:1: networks is not imported: every service joins the run's own network, where its service name reaches it",
            ]
        );
    }

    #[test]
    fn bad_yaml_and_wrong_types_are_located_errors() {
        assert_eq!(
            errors("services:\n  web:\n    image: [x\n"),
            ["compose.yml:4:1: did not find expected ',' or ']', while parsing a flow sequence at line 3 column 12"]
        );
        let wrong = errors("services:\n  web:\n    image: x\n    ports:\n      - http\n");
        assert_eq!(wrong.len(), 1);
        assert!(
            wrong[0].starts_with("compose.yml:5:9: services.web.ports[0]: \"http\" is not a port"),
            "{wrong:?}"
        );
        let wrong = errors("services:\n  web:\n    image: x\n    environment: 3\n");
        assert!(wrong[0].starts_with("compose.yml:4:18: services.web.environment: invalid type: integer `3`, expected an environment"), "{wrong:?}");
        let wrong = errors("services:\n  web:\n    command: run\n");
        assert!(
            wrong[0].starts_with("compose.yml:2:3: service web has no `image`"),
            "{wrong:?}"
        );
        let wrong = errors("- a\n- b\n");
        assert!(wrong[0].contains("expected a Compose file"), "{wrong:?}");
        let wrong = errors("services:\n  web:\n    image: x\n    healthcheck:\n      test: [CMD, x]\n      interval: soon\n");
        assert!(
            wrong[0].starts_with("compose.yml:4:5: services.web.healthcheck: interval \"soon\""),
            "{wrong:?}"
        );
    }

    #[test]
    fn variables_become_placeholders() {
        assert_eq!(interpolate("a $$b ${X} $Y ${Z:-1} ${W-2} ${V:?no} $"), "a $b {{ env.X | default: \"\" }} {{ env.Y | default: \"\" }} {{ env.Z | default: \"1\" }} {{ env.W | default: \"2\" }} {{ env.V }} $");
    }
}
