//! Reading scenario files: TOML to [`Scenario`], with every problem located by file, line
//! and column (syntax, unknown fields, wrong types, and the checks of [`super::validate`]).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::model::Scenario;
use super::validate::{validate, KeyPath, Seg};

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Reads and checks a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path).map_err(|problems| ScenarioError::Invalid { problems })
}

/// Parses and checks scenario text; `file` is only used to name it in problems.
///
/// ```
/// use std::path::Path;
/// let text = "name = \"x\"\n[services.a]\ncommand = [\"true\"]\n[[faults]]\nkind = \"crash\"\nservice = \"b\"\nstart = \"1s\"\n";
/// let problems = shakedown::scenario::parse(text, Path::new("x.toml")).unwrap_err();
/// assert_eq!(problems[0].to_string(), "x.toml:6:11: unknown service \"b\" (services: a)");
/// ```
pub fn parse(text: &str, file: &Path) -> Result<Scenario, Vec<Problem>> {
    let at = |span: Option<Range<usize>>, message: String| {
        let (line, column) = line_col(text, span.map_or(0, |s| s.start));
        Problem {
            file: file.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let scenario: Scenario =
        toml::from_str(text).map_err(|e| vec![at(e.span(), e.message().trim().to_string())])?;
    let problems = validate(&scenario);
    if problems.is_empty() {
        return Ok(scenario);
    }
    let doc = DeTable::parse(text).ok();
    let mut located: Vec<Problem> = problems
        .into_iter()
        .map(|(path, message)| at(doc.as_ref().and_then(|d| locate(d, &path)), message))
        .collect();
    located.sort_by_key(|p| (p.line, p.column));
    Err(located)
}

/// 1-based line and character column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The span of the deepest value of `path` that the document has.
fn locate(doc: &Spanned<DeTable<'_>>, path: &KeyPath) -> Option<Range<usize>> {
    let mut span = doc.span();
    let mut table = Some(doc.get_ref());
    let mut array: Option<&toml::de::DeArray<'_>> = None;
    for seg in path {
        let value = match seg {
            Seg::Key(k) => table?
                .iter()
                .find(|(key, _)| key.get_ref() == k)
                .map(|(_, v)| v),
            Seg::Index(i) => array?.get(*i),
        }?;
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

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_col("é = 1\nab", 7), (2, 1));
        assert_eq!(line_col("é = 1", 3), (1, 3));
    }
}
