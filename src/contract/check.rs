//! Checking contract files: parse errors and lint findings (rule paths that match nothing in
//! the example, examples that break their own rules), each with file, line and column.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::body::Body;
use super::interaction::{Interaction, InteractionKind};
use super::matching::check_rule;
use super::pact::{ContractError, Pact};
use super::path::{location_string, RulePath, Segment};
use super::rules::{rule_from_json, MatchingRule};
use super::span::{locate, Position};

/// How serious a problem is (in JSON: `"warning"` or `"error"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; does not fail the check.
    Warning,
    /// The contract is broken.
    Error,
}

/// One problem found in a contract file (in JSON: `file`, `line`, `column`, `severity`,
/// `message`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// Where in it.
    #[serde(flatten)]
    pub position: Position,
    /// How serious.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "{}:{}:{}: {sev}: {}",
            self.file.display(),
            self.position.line,
            self.position.column,
            self.message
        )
    }
}

/// The outcome of checking one file.
#[derive(Debug)]
pub struct CheckReport {
    /// The contract, when it could be read.
    pub pact: Option<Pact>,
    /// Problems, in file order.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    /// True when no problem is an error.
    pub fn is_ok(&self) -> bool {
        self.pact.is_some() && self.problems.iter().all(|p| p.severity < Severity::Error)
    }
}

/// Checks contract text, naming `file` in problems.
///
/// ```
/// use std::path::Path;
/// use shakedown::contract::check_text;
/// let text = r#"{"interactions": [{"description": "d", "request": {"path": "/"},
///   "response": {"status": 200, "body": {"id": 1},
///     "matchingRules": {"body": {"$.idd": {"matchers": [{"match": "integer"}]}}}}}],
///   "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#;
/// let report = check_text(text, Path::new("c.json"));
/// assert!(!report.is_ok());
/// assert!(report.problems[0].message.contains("$.idd"));
/// ```
pub fn check_text(text: &str, file: &Path) -> CheckReport {
    // Problems per interaction: a reading that starts again from 0 replaces them.
    let mut found: Vec<Vec<Problem>> = Vec::new();
    let read = Pact::parse_visiting(text, file, |key, i, raw, interaction| {
        found.truncate(i);
        found.push(lint([key, &i.to_string()], interaction, raw, text, file));
    });
    match read {
        Err(e) => CheckReport {
            pact: None,
            problems: vec![error_problem(&e, file)],
        },
        Ok(pact) => {
            let mut problems: Vec<Problem> = found.into_iter().flatten().collect();
            problems.sort_by_key(|p| (p.position.line, p.position.column));
            CheckReport {
                pact: Some(pact),
                problems,
            }
        }
    }
}

/// Checks a contract file; an unreadable file is an I/O error.
pub fn check_file(path: &Path) -> Result<CheckReport, std::io::Error> {
    let text = std::fs::read_to_string(path)?;
    Ok(check_text(&text, path))
}

fn error_problem(e: &ContractError, file: &Path) -> Problem {
    let message = match e {
        ContractError::Syntax { message, .. } => format!("malformed JSON: {message}"),
        ContractError::Invalid { error, .. } => error.to_string(),
        ContractError::Io { source, .. } => source.to_string(),
    };
    Problem {
        file: file.to_path_buf(),
        position: e.position().unwrap_or(Position { line: 1, column: 1 }),
        severity: Severity::Error,
        message,
    }
}

/// One part of an interaction whose rules can be linted: its pointer in the raw document,
/// and its body.
struct Part<'a> {
    pointer: Vec<String>,
    body: &'a Body,
}

fn parts<'a>(i: &'a Interaction, base: Vec<String>) -> Vec<Part<'a>> {
    let at = |extra: &[&str]| -> Vec<String> {
        let mut p = base.clone();
        p.extend(extra.iter().map(|s| s.to_string()));
        p
    };
    match &i.kind {
        InteractionKind::Http { request, response } => vec![
            Part {
                pointer: at(&["request"]),
                body: &request.body,
            },
            Part {
                pointer: at(&["response"]),
                body: &response.body,
            },
        ],
        InteractionKind::Message(m) => vec![Part {
            pointer: at(&[]),
            body: &m.contents,
        }],
        InteractionKind::SyncMessage { request, responses } => {
            let mut v = vec![Part {
                pointer: at(&["request"]),
                body: &request.contents,
            }];
            for (j, r) in responses.iter().enumerate() {
                v.push(Part {
                    pointer: at(&["response", &j.to_string()]),
                    body: &r.contents,
                });
            }
            v
        }
    }
}

/// The problems of the interaction at `at` (list key, index), read from `raw` (its JSON as
/// written).
fn lint(
    at: [&str; 2],
    interaction: &Interaction,
    raw: &Value,
    text: &str,
    file: &Path,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for part in parts(interaction, at.map(str::to_string).to_vec()) {
        let rules = raw
            .pointer(&pointer_string(&part.pointer[2..]))
            .and_then(|p| p.get("matchingRules"));
        let Some(rules) = rules else { continue };
        for (pointer, severity, message) in lint_part(&part, rules) {
            let position = locate(text, &pointer).unwrap_or(Position { line: 1, column: 1 });
            problems.push(Problem {
                file: file.to_path_buf(),
                position,
                severity,
                message,
            });
        }
    }
    problems
}

/// The findings of one part's body rules, each with its pointer in the document.
fn lint_part(part: &Part<'_>, rules: &Value) -> Vec<(Vec<String>, Severity, String)> {
    let entries = body_rule_entries(rules);
    // The example is parsed once for all of its part's rule paths.
    let doc = if entries.is_empty() {
        None
    } else {
        part.body.as_json()
    };
    let mut found = Vec::new();
    for (raw_key, rule_path, defs) in entries {
        let mut pointer = part.pointer.clone();
        pointer.push("matchingRules".into());
        pointer.extend(raw_key);
        found.extend(
            lint_rule_path(&rule_path, defs, doc.as_ref())
                .map(|(sev, msg)| (pointer.clone(), sev, msg)),
        );
    }
    found
}

fn pointer_string(p: &[String]) -> String {
    p.iter()
        .map(|k| format!("/{}", k.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// Body rule entries as (raw keys to the entry, parsed path, rule definitions).
fn body_rule_entries(rules: &Value) -> Vec<(Vec<String>, RulePath, &[Value])> {
    let Some(obj) = rules.as_object() else {
        return vec![];
    };
    let mut out = Vec::new();
    let flat = !obj.is_empty() && obj.keys().all(|k| k.starts_with('$'));
    if flat {
        for (k, def) in obj.iter().filter(|(k, _)| k.starts_with("$.body")) {
            if let Ok(path) = RulePath::parse(&format!("${}", &k["$.body".len()..])) {
                out.push((vec![k.clone()], path, std::slice::from_ref(def)));
            }
        }
        return out;
    }
    for cat in ["body", "content"] {
        for (k, list) in obj
            .get(cat)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let defs = list
                .get("matchers")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            if let Ok(path) = RulePath::parse(k) {
                out.push((vec![cat.to_string(), k.clone()], path, defs));
            }
        }
    }
    out
}

fn lint_rule_path(
    path: &RulePath,
    defs: &[Value],
    doc: Option<&Value>,
) -> Option<(Severity, String)> {
    let doc = doc?;
    let mut hits = Vec::new();
    collect_hits(path, doc, &mut Vec::new(), &mut hits);
    if hits.is_empty() {
        return Some((
            Severity::Error,
            format!("rule path `{path}` matches nothing in the example body"),
        ));
    }
    let rules: Vec<MatchingRule> = defs.iter().filter_map(|d| rule_from_json(d).ok()).collect();
    for (location, value) in &hits {
        for rule in &rules {
            if matches!(
                rule,
                MatchingRule::Type { .. } | MatchingRule::Values | MatchingRule::ArrayContains(_)
            ) && !value.is_array()
                && !value.is_object()
            {
                continue;
            }
            if let Err(reason) = check_rule(rule, value, value) {
                return Some((
                    Severity::Warning,
                    format!(
                        "the example at {} does not satisfy its own rule {rule}: {reason}",
                        location_string(location)
                    ),
                ));
            }
        }
    }
    None
}

fn collect_hits<'a>(
    path: &RulePath,
    node: &'a Value,
    at: &mut Vec<Segment>,
    hits: &mut Vec<(Vec<Segment>, &'a Value)>,
) {
    if hits.len() > 16 {
        return;
    }
    if path.depth() == at.len() {
        if path.weight(at) > 0 {
            hits.push((at.clone(), node));
        }
        return;
    }
    let children: Vec<(Segment, &'a Value)> = match node {
        Value::Object(o) => o
            .iter()
            .map(|(k, v)| (Segment::Key(k.clone()), v))
            .collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (Segment::Index(i), v))
            .collect(),
        _ => return,
    };
    for (seg, child) in children {
        at.push(seg);
        if path.prefix_fits(at) {
            collect_hits(path, child, at, hits);
        }
        at.pop();
    }
}
