//! What an export or import could not carry over, located in the scenario file.

use std::path::Path;

use crate::scenario::Problem;

pub use crate::scenario::Seg;

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

/// The warnings located in `file` (whose text is `text`) or the system file that holds
/// their key: at the deepest key of each path the file has, else at its start. Sorted by
/// position.
pub fn locate(file: &Path, text: &str, warnings: &[Warning]) -> Vec<Problem> {
    let found = warnings
        .iter()
        .map(|w| (w.at.clone(), w.message.clone()))
        .collect();
    crate::scenario::locate_paths(text, file, found)
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
