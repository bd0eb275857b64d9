//! ReportError: why a run's report could not be read or written.

use std::path::PathBuf;

/// Why a report could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Creating, reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not a run journal (or the journal could not be written as JSON).
    #[error("{path}: not a run journal: {source}")]
    Json {
        /// The file involved.
        path: PathBuf,
        /// What serde_json said.
        source: serde_json::Error,
    },
}
