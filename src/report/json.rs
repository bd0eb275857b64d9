//! The journal as pretty JSON (written atomically, read back), and `write_all`, which writes
//! every report of a run into one directory.

use std::path::{Path, PathBuf};

use super::error::ReportError;
use super::event::Journal;
use super::html::html;
use super::junit::junit_xml;
use crate::file::write_atomically;

/// Writes the journal as pretty JSON to `path`, through a temporary file in the same
/// directory renamed over `path`: readers see the old file or the new one, never half.
pub fn write_json(journal: &Journal, path: &Path) -> Result<(), ReportError> {
    let mut text = serde_json::to_vec_pretty(journal).map_err(|source| ReportError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    text.push(b'\n');
    write_file(path, &text)
}

/// Reads a journal written by [`write_json`].
pub fn read_json(path: &Path) -> Result<Journal, ReportError> {
    let text = std::fs::read(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|source| ReportError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Creates `dir` (and its parents) and writes every report of the run there:
/// `journal.json`, `junit.xml` and `report.html`, each atomically. Returns their paths in
/// that order.
///
/// ```
/// use shakedown::report::{write_all, read_json, Event, EventKind, Journal, RunOutcome};
///
/// let journal = Journal {
///     scenario: "checkout survives a slow payments link".into(),
///     run_id: "run-1".into(),
///     backend: "process".into(),
///     seed: 7,
///     outcome: RunOutcome::Passed,
///     events: vec![Event {
///         at_ms: 1500.0,
///         what: EventKind::RunFinished { outcome: RunOutcome::Passed, duration_ms: 1500 },
///     }],
///     faults: vec![],
///     canaries: vec![],
/// };
/// let dir = tempfile::tempdir().unwrap();
/// let written = write_all(&journal, &dir.path().join("reports")).unwrap();
///
/// let names: Vec<_> = written.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
/// assert_eq!(names, ["journal.json", "junit.xml", "report.html"]);
/// assert_eq!(read_json(&written[0]).unwrap(), journal);
/// ```
pub fn write_all(journal: &Journal, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let json = dir.join("journal.json");
    write_json(journal, &json)?;
    let junit = dir.join("junit.xml");
    write_file(&junit, junit_xml(journal).as_bytes())?;
    let report = dir.join("report.html");
    write_file(&report, html(journal).as_bytes())?;
    Ok(vec![json, junit, report])
}

fn write_file(path: &Path, contents: &[u8]) -> Result<(), ReportError> {
    write_atomically(path, contents).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Event, EventKind, RunOutcome};

    fn journal() -> Journal {
        Journal {
            scenario: "s".into(),
            run_id: "r".into(),
            backend: "process".into(),
            seed: 1,
            outcome: RunOutcome::Failed,
            events: vec![Event {
                at_ms: 0.25,
                what: EventKind::RunError {
                    message: "boom".into(),
                },
            }],
            faults: vec![],
            canaries: vec![],
        }
    }

    #[test]
    fn should_round_trip_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.json");
        write_json(&journal(), &path).unwrap();
        write_json(&journal(), &path).unwrap();
        assert_eq!(read_json(&path).unwrap(), journal());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["journal.json"]);
    }

    #[test]
    fn should_name_the_file_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.json");
        let err = read_json(&missing).unwrap_err();
        assert!(matches!(err, ReportError::Io { .. }));
        assert!(err.to_string().contains("nope.json"), "{err}");

        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{\"scenario\": 1}").unwrap();
        let err = read_json(&bad).unwrap_err();
        assert!(matches!(err, ReportError::Json { .. }));
        assert!(
            err.to_string().contains("bad.json: not a run journal"),
            "{err}"
        );
    }

    #[test]
    fn should_fail_with_the_path_when_the_directory_cannot_be_created() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let err = write_all(&journal(), &file.join("sub")).unwrap_err();
        assert!(err.to_string().contains("file/sub"), "{err}");
    }
}
