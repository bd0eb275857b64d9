//! What an export or import could not carry over, located in the scenario file.

use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::scenario::Problem;

/// One step of a key path into a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Something the other side cannot express, at a key path of the scenario (empty: the whole
/// file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where, e.g. `faults[2].toxicity`.
    pub at: Vec<Seg>,
    /// What was left out or approximated, and why.
    pub message: String,
}

/// Builds a key path: `key_path!["faults", 2, "toxicity"]`.
macro_rules! key_path {
    ($($seg:expr),* $(,)?) => {
        vec![$($crate::chaos_mesh::warning::Seg::from($seg)),*]
    };
}
pub(crate) use key_path;

impl From<&str> for Seg {
    fn from(k: &str) -> Self {
        Seg::Key(k.to_string())
    }
}

impl From<&String> for Seg {
    fn from(k: &String) -> Self {
        Seg::Key(k.clone())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

impl Warning {
    /// A warning at `at`.
    pub fn new(at: Vec<Seg>, message: impl Into<String>) -> Self {
        Warning {
            at,
            message: message.into(),
        }
    }
}

/// The warnings located in `file` (whose text is `text`): at the deepest key of each path
/// the file has, else at its start. Sorted by position.
pub fn locate(file: &Path, text: &str, warnings: &[Warning]) -> Vec<Problem> {
    let doc = DeTable::parse(text).ok();
    let mut problems: Vec<Problem> = warnings
        .iter()
        .map(|w| {
            let span = doc.as_ref().and_then(|d| span_of(d, &w.at));
            let (line, column) = line_col(text, span.map_or(0, |s| s.start));
            Problem {
                file: file.to_path_buf(),
                line,
                column,
                message: w.message.clone(),
            }
        })
        .collect();
    problems.sort_by_key(|p| (p.line, p.column));
    problems
}

/// The span of the deepest value of `path` that the document has.
fn span_of(doc: &Spanned<DeTable<'_>>, path: &[Seg]) -> Option<Range<usize>> {
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

/// 1-based line and character column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_point_at_the_deepest_key_the_file_has() {
        let text = "name = \"x\"\n[[faults]]\nkind = \"crash\"\n[[faults]]\nkind = \"latency\"\ntoxicity = 0.5\n";
        let w = [
            Warning::new(key_path!["faults", 1usize, "toxicity"], "t"),
            Warning::new(key_path!["faults", 0usize, "nothing"], "n"),
            Warning::new(key_path!["schedule"], "s"),
        ];
        let located: Vec<String> = locate(Path::new("s.toml"), text, &w)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            located,
            ["s.toml:1:1: s", "s.toml:2:1: n", "s.toml:6:12: t"]
        );
    }
}
