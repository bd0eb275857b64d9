//! Reading scenario files: TOML to [`Scenario`], with every problem located by file, line
//! and column (syntax, unknown fields, wrong types, and the checks of [`super::validate`]).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::model::Scenario;
use super::sources::{self, Found, Origins, Place, Source};
use super::validate::{validate, KeyPath, Seg};

/// One problem found in a scenario file (in JSON: `file`, `line`, `column`, `message`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        write!(f, "{file}:{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Why a scenario cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid scenario.
    #[error("{}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
}

/// Whether reading a scenario also checks that each service's program exists (the process
/// backend needs them; the docker backend's programs live in images).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Programs {
    /// Programs are not looked for.
    #[default]
    Unchecked,
    /// A program that cannot be found is a problem, located at its `command`.
    MustExist,
}

/// Reads and checks a scenario file and the system files it names. Relative paths resolve
/// from the folder of the file that holds them (or its `root`), never the current
/// directory; a contract file that does not exist is a problem.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_with(path, Programs::Unchecked)
}

/// [`load`], also checking each service's program when `programs` says so.
pub fn load_with(path: &Path, programs: Programs) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_with(&text, path, programs).map_err(|problems| ScenarioError::Invalid { problems })
}

/// Parses and checks scenario text; `file` names it in problems, and its folder is where
/// its relative paths (system files, contracts, programs) resolve from.
///
/// ```
/// use std::path::Path;
/// let text = "name = \"x\"\n[services.a]\ncommand = [\"true\"]\n[[faults]]\nkind = \"crash\"\nservice = \"b\"\nstart = \"1s\"\n";
/// let problems = shakedown::scenario::parse(text, Path::new("x.toml")).unwrap_err();
/// assert_eq!(problems[0].to_string(), "x.toml:6:11: unknown service \"b\" (services: a)");
/// ```
pub fn parse(text: &str, file: &Path) -> Result<Scenario, Vec<Problem>> {
    parse_with(text, file, Programs::Unchecked)
}

/// [`parse`], also checking each service's program when `programs` says so.
pub fn parse_with(text: &str, file: &Path, programs: Programs) -> Result<Scenario, Vec<Problem>> {
    let mut origins = Origins::default();
    origins.add(file.to_path_buf(), text.to_string());
    let mut scenario: Scenario =
        read(&origins.sources[0], 0).map_err(|found| located(&origins, found))?;
    origins.set_root(0, scenario.root.as_deref());
    origins
        .merge(&mut scenario, &|source, index| read(source, index))
        .map_err(|found| located(&origins, found))?;
    let placed = |(path, message): (KeyPath, String)| {
        let (source, path) = origins.place(&path);
        Found {
            source,
            at: Place::Path(path),
            message,
        }
    };
    let mut found: Vec<Found> = validate(&scenario).into_iter().map(placed).collect();
    found.extend(
        contracts(&mut scenario, &origins.sources[0].root)
            .into_iter()
            .map(placed),
    );
    found.extend(
        super::contract_sweep::read_contracts(&mut scenario, &origins.sources[0].root)
            .into_iter()
            .map(placed),
    );
    if programs == Programs::MustExist {
        found.extend(super::programs::missing(&scenario).into_iter().map(placed));
    }
    if found.is_empty() {
        scenario.warnings = std::mem::take(&mut origins.warnings);
        Ok(scenario)
    } else {
        Err(located(&origins, found))
    }
}

/// Resolves each contract canary's file from `root`; one that is not a file is a problem.
fn contracts(scenario: &mut Scenario, root: &Path) -> Vec<(KeyPath, String)> {
    let mut problems = Vec::new();
    for (i, canary) in scenario.canaries.iter_mut().enumerate() {
        let Some(written) = canary.contract.take() else {
            continue;
        };
        let resolved = sources::absolute(&root.join(&written));
        if !resolved.is_file() {
            let at = vec![
                Seg::Key("canaries".into()),
                Seg::Index(i),
                Seg::Key("contract".into()),
            ];
            let message = format!(
                "contract file {} not found (looked for {})",
                written.display(),
                resolved.display()
            );
            problems.push((at, message));
        }
        canary.contract = Some(resolved);
    }
    problems
}

/// A file's text as `T`, serde's problem located in it.
fn read<T: serde::de::DeserializeOwned>(source: &Source, index: usize) -> Result<T, Vec<Found>> {
    toml::from_str(&source.text).map_err(|e| {
        let message = e.message().trim().to_string();
        let doc = DeTable::parse(&source.text).ok();
        let (span, message) = match (doc.as_ref(), e.span()) {
            (Some(doc), Some(span)) => in_fault(doc, span, message),
            (_, span) => (span, message),
        };
        vec![Found {
            source: index,
            at: Place::Span(span),
            message,
        }]
    })
}

/// The problems, each located in its file, in file order then line and column.
fn located(origins: &Origins, found: Vec<Found>) -> Vec<Problem> {
    let mut problems: Vec<(usize, Problem)> = found
        .into_iter()
        .map(|f| {
            let source = &origins.sources[f.source];
            let span = match f.at {
                Place::Span(span) => span,
                Place::Path(path) => DeTable::parse(&source.text)
                    .ok()
                    .and_then(|d| locate(&d, &path)),
            };
            let (line, column) = line_col(&source.text, span.map_or(0, |s| s.start));
            let problem = Problem {
                file: source.file.clone(),
                line,
                column,
                message: f.message,
            };
            (f.source, problem)
        })
        .collect();
    problems.sort_by_key(|(source, p)| (*source, p.line, p.column));
    problems.into_iter().map(|(_, p)| p).collect()
}

/// Locates messages given at key paths of the merged scenario in `text` (read from `file`),
/// each in the file that holds it (the scenario or one of its system files), at the deepest
/// key of its path that file has: for what others say about a loaded scenario (the Chaos
/// Mesh export's warnings). In file order, then line and column.
pub fn locate_paths(text: &str, file: &Path, found: Vec<(KeyPath, String)>) -> Vec<Problem> {
    let mut origins = Origins::default();
    origins.add(file.to_path_buf(), text.to_string());
    if let Ok(mut scenario) = read::<Scenario>(&origins.sources[0], 0) {
        origins.set_root(0, scenario.root.as_deref());
        // A scenario that loaded once merges again; were it not, paths stay in its own file.
        let _ = origins.merge(&mut scenario, &|source, index| read(source, index));
    }
    let found = found
        .into_iter()
        .map(|(path, message)| {
            let (source, path) = origins.place(&path);
            Found {
                source,
                at: Place::Path(path),
                message,
            }
        })
        .collect();
    located(&origins, found)
}

/// The line and column of `path` in a file (1:1 when it is not there).
pub(super) fn position(source: &Source, path: &KeyPath) -> (usize, usize) {
    let span = DeTable::parse(&source.text)
        .ok()
        .and_then(|d| locate(&d, path));
    line_col(&source.text, span.map_or(0, |s| s.start))
}

/// Serde reads a fault's fields from a buffer (its `kind` decides which fields it takes), so
/// an error there comes located at the whole fault. This says which kind of fault, and points
/// at the key or value the message names first (else at the fault).
fn in_fault(
    doc: &Spanned<DeTable<'_>>,
    span: Range<usize>,
    message: String,
) -> (Option<Range<usize>>, String) {
    let faults = doc
        .get_ref()
        .get("faults")
        .and_then(|f| f.get_ref().as_array());
    let fault = faults.and_then(|f| f.iter().find(|f| f.span() == span));
    let Some(table) = fault.and_then(|f| f.get_ref().as_table()) else {
        return (Some(span), message);
    };
    let kind = table.get("kind").and_then(|k| k.get_ref().as_str());
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'));
    if let Some(field) = missing {
        let what = kind.map_or("a fault".into(), |k| format!("a {k} fault"));
        return (Some(span), format!("{what} needs `{field}`"));
    }
    let at = named(table, &message).unwrap_or(span);
    match kind {
        Some(kind) if !message.starts_with("unknown variant") => {
            (Some(at), format!("{kind} fault: {message}"))
        }
        _ => (Some(at), message),
    }
}

/// The span of the key or value of `table` that `message` names first.
fn named(table: &DeTable<'_>, message: &str) -> Option<Range<usize>> {
    table
        .iter()
        .flat_map(|(k, v)| {
            let key = std::iter::once((format!("`{}`", k.get_ref()), k.span()));
            key.chain(
                spelled(v.get_ref())
                    .into_iter()
                    .map(|text| (text, v.span())),
            )
        })
        .filter_map(|(text, at)| message.find(&text).map(|i| (i, at)))
        .min_by_key(|(i, _)| *i)
        .map(|(_, at)| at)
}

/// How serde's messages quote a value: strings as `"text"` or `` `text` ``, others in
/// backticks.
fn spelled(value: &DeValue<'_>) -> Vec<String> {
    match value {
        DeValue::String(s) => vec![format!("{s:?}"), format!("`{s}`")],
        DeValue::Integer(i) => vec![format!("`{}`", i.as_str())],
        DeValue::Float(f) => vec![format!("`{}`", f.as_str())],
        DeValue::Boolean(b) => vec![format!("`{b}`")],
        _ => Vec::new(),
    }
}

/// 1-based line and character column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The span of the deepest value of `path` that the document has (the whole document when
/// it has none).
fn locate(doc: &Spanned<DeTable<'_>>, path: &KeyPath) -> Option<Range<usize>> {
    let mut span = doc.span();
    let mut table = Some(doc.get_ref());
    let mut array: Option<&toml::de::DeArray<'_>> = None;
    for seg in path {
        let value = match seg {
            Seg::Key(k) => table
                .and_then(|t| t.iter().find(|(key, _)| key.get_ref() == k))
                .map(|(_, v)| v),
            Seg::Index(i) => array.and_then(|a| a.get(*i)),
        };
        let Some(value) = value else { break };
        span = value.span();
        (table, array) = match value.get_ref() {
            DeValue::Table(t) => (Some(t), None),
            DeValue::Array(a) => (None, Some(a)),
            _ => (None, None),
        };
    }
    Some(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        parse(text, Path::new("s.toml"))
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let p = problems("name = \"x\"\nseed = \n");
        assert!(p[0].starts_with("s.toml:2:"), "{p:?}");
    }

    #[test]
    fn unknown_fields_are_named() {
        let p = problems("name = \"x\"\n[services.a]\ncommand = [\"true\"]\nimgae = \"y\"\n");
        assert!(
            p[0].starts_with("s.toml:4:1:") && p[0].contains("imgae"),
            "{p:?}"
        );
    }

    #[test]
    fn bad_durations_say_what_was_expected() {
        let p = problems("name = \"x\"\nsettle = \"soon\"\n[services.a]\ncommand = [\"true\"]\n");
        assert!(
            p[0].starts_with("s.toml:2:10:") && p[0].contains("250ms"),
            "{p:?}"
        );
    }

    /// Asserts that a scenario whose second fault is `fault` (the first is sound) has one
    /// problem, beginning with `expected`.
    fn says(fault: &str, expected: &str) {
        let p = problems(&format!(
            "name = \"x\"\n[services.a]\ncommand = [\"true\"]\n[links.l]\nfrom = \"a\"\nto = \"a\"\n\
             [[faults]]\nkind = \"pause\"\nservice = \"a\"\nstart = \"1s\"\n\
             [[faults]]\n{fault}start = \"2s\"\n"
        ));
        assert!(p.len() == 1 && p[0].starts_with(expected), "{p:?}");
    }

    #[test]
    fn a_missing_field_names_the_fault_kind_at_its_fault() {
        let latency = "kind = \"latency\"\nlink = \"l\"\n";
        says(latency, "s.toml:11:1: a latency fault needs `latency`");
        says("service = \"a\"\n", "s.toml:11:1: a fault needs `kind`");
    }

    #[test]
    fn a_field_the_kind_does_not_take_is_located_at_its_key() {
        let crash = "kind = \"crash\"\nservice = \"a\"\nlatency = \"1s\"\n";
        let expected = "crash fault: unknown field `latency`, expected one of `service`";
        says(crash, &format!("s.toml:14:1: {expected}"));
    }

    #[test]
    fn a_bad_value_in_a_fault_is_located_at_the_value() {
        let duration = "kind = \"latency\"\nlink = \"l\"\nlatency = \"soon\"\n";
        says(
            duration,
            "s.toml:14:11: latency fault: \"soon\" is not a duration",
        );
        let regex = "kind = \"http\"\nlink = \"l\"\nabort = true\npath = \"(x\"\n";
        says(regex, "s.toml:15:8: http fault: bad regex \"(x\"");
        let one_group = "kind = \"partition\"\nbetween = [[\"a\"]]\n";
        says(
            one_group,
            "s.toml:13:1: partition fault: `between` takes two groups",
        );
    }

    #[test]
    fn an_unknown_kind_is_located_at_the_kind() {
        let earthquake = "service = \"a\"\nkind = \"earthquake\"\n";
        says(
            earthquake,
            "s.toml:13:8: unknown variant `earthquake`, expected one of",
        );
    }

    #[test]
    fn an_http_fault_takes_exactly_one_action() {
        let two = "kind = \"http\"\nlink = \"l\"\ndelay = \"1s\"\nabort = true\n";
        let expected = "http fault: give exactly one of `status`, `abort = true` or `delay`";
        says(two, &format!("s.toml:14:1: {expected}"));
        let body = "kind = \"http\"\nlink = \"l\"\nabort = true\nbody = \"x\"\n";
        says(body, "s.toml:15:1: http fault: `body` goes with `status`");
    }

    #[test]
    fn link_faults_stay_within_what_the_fault_proxy_takes() {
        let text = |fault: &str| {
            format!(
                "name = \"x\"\n[services.a]\ncommand = [\"true\"]\n[services.b]\n\
                 command = [\"true\"]\n[links.l]\nfrom = \"a\"\nto = \"b\"\n\
                 [[faults]]\nlink = \"l\"\nstart = \"1s\"\n{fault}"
            )
        };
        let says = |fault: &str, expected: &str| {
            let p = problems(&text(fault));
            assert!(p.len() == 1 && p[0].starts_with(expected), "{p:?}");
        };
        says(
            "kind = \"latency\"\nlatency = \"25h\"\n",
            "s.toml:13:11: `latency` is more than a day",
        );
        says(
            "kind = \"jitter\"\njitter = \"2days\"\n",
            "s.toml:13:10: `jitter` is more than a day",
        );
        says(
            "kind = \"http\"\ndelay = \"86401s\"\n",
            "s.toml:13:9: `delay` is more than a day",
        );
        for status in ["0", "99", "600", "65535"] {
            says(
                &format!("kind = \"http\"\nstatus = {status}\n"),
                &format!("s.toml:13:10: status {status} is not an HTTP status"),
            );
        }
        let a_day = text("kind = \"latency\"\nlatency = \"24h\"\njitter = \"24h\"\n");
        assert!(parse(&a_day, Path::new("s.toml")).is_ok());
    }

    #[test]
    fn faults_written_inline_are_located_too() {
        let p = problems(
            "name = \"x\"\nfaults = [\n  { kind = \"pause\", service = \"a\", start = \"1s\" },\n  \
             { kind = \"pause\", service = \"a\", start = \"1s\", rate = 3 },\n]\n\
             [services.a]\ncommand = [\"true\"]\n",
        );
        assert!(
            p[0].starts_with("s.toml:4:50: pause fault: unknown field `rate`"),
            "{p:?}"
        );
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_col("é = 1\nab", 7), (2, 1));
        assert_eq!(line_col("é = 1", 3), (1, 3));
    }
}

/// Scenarios made of several files: each problem located in the file that holds it, paths
/// from each file's folder.
#[cfg(test)]
mod files {
    use super::*;

    /// Writes `files` (relative name, text) into a new temporary folder.
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    /// The problems of loading `file` of `dir`, with the folder's path left out.
    fn problems(dir: &tempfile::TempDir, file: &str, programs: Programs) -> Vec<String> {
        let prefix = format!("{}/", dir.path().display());
        match load_with(&dir.path().join(file), programs) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .to_string()
                .lines()
                .map(|l| l.replace(&prefix, ""))
                .collect(),
        }
    }

    const SYSTEM: &str = "[services.a]\ncommand = [\"bin/a\"]\n\n[[steady_state]]\nname = \"up\"\nhttp = { url = \"{{ services.a }}/health\" }\n";

    #[test]
    fn a_problem_in_the_system_file_is_located_there() {
        let system = "[services.a]\ncommand = [\"true\"]\ndepends_on = [\"nobody\"]\n";
        let dir = folder(&[
            (
                "s/scenario.toml",
                "name = \"x\"\nsystem = \"systems/shop.toml\"\n",
            ),
            ("s/systems/shop.toml", system),
        ]);
        let p = problems(&dir, "s/scenario.toml", Programs::Unchecked);
        assert_eq!(
            p,
            ["s/systems/shop.toml:3:14: unknown service \"nobody\" (services: a)"]
        );
        let typo = folder(&[
            ("scenario.toml", "name = \"x\"\nsystem = [\"shop.toml\"]\n"),
            ("shop.toml", "[services.a]\ncomand = [\"true\"]\n"),
        ]);
        let p = problems(&typo, "scenario.toml", Programs::Unchecked);
        assert!(
            p.len() == 1 && p[0].starts_with("shop.toml:2:1: unknown field `comand`"),
            "{p:?}"
        );
    }

    #[test]
    fn a_problem_in_the_scenario_is_located_there_and_steady_state_indices_per_file() {
        let scenario = "name = \"x\"\nsystem = \"shop.toml\"\n\n[[steady_state]]\nname = \"mine\"\nhttp = { url = \"{{ services.b }}/\" }\n";
        let system = "[services.a]\ncommand = [\"true\"]\n\n[[steady_state]]\nname = \"theirs\"\nhttp = { url = \"{{ services.c }}/\" }\n";
        let dir = folder(&[("scenario.toml", scenario), ("shop.toml", system)]);
        let p = problems(&dir, "scenario.toml", Programs::Unchecked);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(
            p[0],
            "scenario.toml:6:16: unknown service \"b\" (services: a)"
        );
        assert_eq!(p[1], "shop.toml:6:16: unknown service \"c\" (services: a)");
    }

    #[test]
    fn a_service_defined_in_two_files_names_both_places() {
        let scenario =
            "name = \"x\"\nsystem = \"shop.toml\"\n\n[services.a]\ncommand = [\"true\"]\n";
        let system = "# the shop\n[services.a]\ncommand = [\"true\"]\n";
        let dir = folder(&[("scenario.toml", scenario), ("shop.toml", system)]);
        let p = problems(&dir, "scenario.toml", Programs::Unchecked);
        assert_eq!(
            p,
            ["scenario.toml:4:1: service \"a\" is defined twice: here and at shop.toml:2:1"]
        );
    }

    #[test]
    fn system_files_including_each_other_are_an_error_not_a_hang() {
        let dir = folder(&[
            ("scenario.toml", "name = \"x\"\nsystem = \"a.toml\"\n"),
            (
                "a.toml",
                "system = \"b.toml\"\n[services.a]\ncommand = [\"true\"]\n",
            ),
            ("b.toml", "system = \"./a.toml\"\n"),
        ]);
        let p = problems(&dir, "scenario.toml", Programs::Unchecked);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("b.toml:1:10: system file a.toml includes itself: "),
            "{p:?}"
        );
        let itself = folder(&[(
            "scenario.toml",
            "name = \"x\"\nsystem = \"scenario.toml\"\n",
        )]);
        let p = problems(&itself, "scenario.toml", Programs::Unchecked);
        assert!(
            p[0].starts_with("scenario.toml:2:10: system file scenario.toml includes itself"),
            "{p:?}"
        );
    }

    #[test]
    fn a_system_file_included_along_two_paths_is_read_once() {
        let dir = folder(&[
            (
                "scenario.toml",
                "name = \"x\"\nsystem = [\"a.toml\", \"b.toml\"]\n",
            ),
            (
                "a.toml",
                "system = \"c.toml\"\n[services.a]\ncommand = [\"true\"]\n",
            ),
            (
                "b.toml",
                "system = \"c.toml\"\n[services.b]\ncommand = [\"true\"]\n",
            ),
            ("c.toml", "[services.c]\ncommand = [\"true\"]\n"),
        ]);
        let s = load(&dir.path().join("scenario.toml")).unwrap();
        assert_eq!(s.services.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn a_missing_system_file_or_compose_is_located_at_the_reference() {
        let dir = folder(&[
            (
                "scenario.toml",
                "name = \"x\"\nsystem = [\"a.toml\", \"gone.toml\"]\n",
            ),
            ("a.toml", "[services.a]\ncommand = [\"true\"]\n"),
        ]);
        let p = problems(&dir, "scenario.toml", Programs::Unchecked);
        assert!(
            p.len() == 1 && p[0].starts_with("scenario.toml:2:21: system file gone.toml: "),
            "{p:?}"
        );
        let compose = folder(&[(
            "scenario.toml",
            "name = \"x\"\nsystem = { compose = \"docker-compose.yml\" }\n",
        )]);
        let p = problems(&compose, "scenario.toml", Programs::Unchecked);
        assert!(
            p.len() == 1
                && p[0].starts_with("scenario.toml:2:22: in the Compose file: ")
                && p[0].contains("docker-compose.yml: cannot read"),
            "{p:?}"
        );
        let wrong = folder(&[("scenario.toml", "name = \"x\"\nsystem = 3\n")]);
        let p = problems(&wrong, "scenario.toml", Programs::Unchecked);
        assert!(
            p[0].contains("a system file's path, a list of paths, or { compose = \"PATH\" }"),
            "{p:?}"
        );
    }

    #[test]
    fn a_missing_program_and_a_missing_contract_are_located() {
        let scenario = "name = \"x\"\nsystem = \"sys/shop.toml\"\n\n[[canaries]]\nname = \"c\"\ncontract = \"pacts/gone.json\"\nprovider = \"a\"\n";
        let dir = folder(&[("scenario.toml", scenario), ("sys/shop.toml", SYSTEM)]);
        let p = problems(&dir, "scenario.toml", Programs::MustExist);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("scenario.toml:6:12: contract file pacts/gone.json not found (looked for pacts/gone.json)"), "{p:?}");
        assert!(
            p[1].starts_with(
                "sys/shop.toml:2:12: command \"bin/a\" does not exist (no file sys/bin/a)"
            ),
            "{p:?}"
        );
        // Programs only when asked (the docker backend's live in images).
        assert_eq!(
            problems(&dir, "scenario.toml", Programs::Unchecked).len(),
            1
        );
    }

    #[test]
    fn paths_resolve_from_the_file_that_holds_them_not_the_current_directory() {
        let scenario = "name = \"x\"\nsystem = \"sys/shop.toml\"\n\n[[canaries]]\nname = \"c\"\ncontract = \"pacts/web.json\"\nprovider = \"a\"\n";
        let dir = folder(&[
            ("scenario.toml", scenario),
            ("sys/shop.toml", SYSTEM),
            ("sys/bin/a", "#!/bin/sh\n"),
            ("pacts/web.json", "{}"),
        ]);
        // The test runs in the crate's root, where none of these paths exist.
        assert!(!Path::new("sys/bin/a").exists() && !Path::new("pacts/web.json").exists());
        let s = load_with(&dir.path().join("scenario.toml"), Programs::MustExist).unwrap();
        assert_eq!(s.services["a"].dir, dir.path().join("sys"));
        assert_eq!(
            s.canaries[0].contract.as_deref(),
            Some(dir.path().join("pacts/web.json").as_path())
        );
        assert_eq!(s.steady_state[0].name, "up");
    }

    #[test]
    fn a_root_moves_where_paths_resolve_and_env_placeholders_are_rendered() {
        let system = "root = \"..\"\n[services.a]\ncommand = ['{{ env.SHAKEDOWN_TEST_SURELY_UNSET | default: \"build\" }}/a']\n";
        let dir = folder(&[
            (
                "s/scenario.toml",
                "name = \"x\"\nsystem = \"../sys/shop.toml\"\n",
            ),
            ("sys/shop.toml", system),
            ("build/a", ""),
        ]);
        let s = load_with(&dir.path().join("s/scenario.toml"), Programs::MustExist).unwrap();
        assert_eq!(s.services["a"].dir, dir.path());
    }
}
