//! The results store: an append-only JSON Lines file under a directory, shared safely by
//! concurrent writers (exclusive lock, whole lines, fsync). It records published contracts,
//! verification results and deployments.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::record::Record;
use crate::verifier::VerificationReport;

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading, locking or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// There is no store there (reading never creates one).
    #[error("no results store at {0}: publish contracts or record verifications first")]
    Missing(PathBuf),
    /// A line is not a record.
    #[error("{path}:{line}: not a results record: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// The store under a directory (`results.jsonl`).
#[derive(Debug, Clone)]
pub struct ResultsStore {
    dir: PathBuf,
}

impl ResultsStore {
    /// The store in `dir` (created on first write).
    pub fn new(dir: impl AsRef<Path>) -> Self {
        ResultsStore {
            dir: dir.as_ref().to_path_buf(),
        }
    }

    fn file(&self) -> PathBuf {
        self.dir.join("results.jsonl")
    }

    fn with_lock<T>(&self, f: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let lock_path = self.dir.join(".results.lock");
        crate::file::with_lock(&lock_path, f).map_err(io(&lock_path))?
    }

    /// Appends records atomically with respect to other writers.
    ///
    /// ```
    /// use shakedown::gate::{ResultsStore, Record};
    /// let dir = tempfile::tempdir().unwrap();
    /// let store = ResultsStore::new(dir.path());
    /// store.append(&[Record::Deployment { pacticipant: "orders".into(), version: "1.0".into(),
    ///     environment: "production".into(), at: "2026-01-01T00:00:00Z".into() }]).unwrap();
    /// assert_eq!(store.read().unwrap().len(), 1);
    /// ```
    pub fn append(&self, records: &[Record]) -> Result<(), StoreError> {
        let path = self.file();
        let mut text = String::new();
        for r in records {
            text.push_str(&serde_json::to_string(r).unwrap_or_default());
            text.push('\n');
        }
        self.with_lock(|| {
            let io = |source| StoreError::Io {
                path: path.clone(),
                source,
            };
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .read(true)
                .open(&path)
                .map_err(io)?;
            drop_torn_tail(&mut f).map_err(io)?;
            f.write_all(text.as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)
        })
    }

    /// Records `report`, verified by `version` of the provider: one verification record per
    /// contract (see [`Record::from_report`]).
    pub fn record_verification(
        &self,
        report: &VerificationReport,
        version: &str,
    ) -> Result<(), StoreError> {
        self.append(&Record::from_report(report, version))
    }

    /// The contracts `provider` has verified successfully, as (consumer, digest), oldest
    /// first: what `Verifier::verified_before` takes, so that any other contract is pending.
    pub fn verified_digests(&self, provider: &str) -> Result<Vec<(String, String)>, StoreError> {
        let verified = self.read()?.into_iter().filter_map(|r| match r {
            Record::Verification {
                provider: p,
                consumer,
                digest,
                success: true,
                ..
            } if p == provider => Some((consumer, digest)),
            _ => None,
        });
        Ok(verified.collect())
    }

    /// Every record, oldest first.
    pub fn read(&self) -> Result<Vec<Record>, StoreError> {
        if !self.dir.is_dir() {
            return Err(StoreError::Missing(self.dir.clone()));
        }
        let path = self.file();
        self.with_lock(|| {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
                Err(source) => {
                    return Err(StoreError::Io {
                        path: path.clone(),
                        source,
                    })
                }
            };
            complete_lines(&text)
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    serde_json::from_str(l).map_err(|e| StoreError::Corrupt {
                        path: path.clone(),
                        line: i + 1,
                        reason: e.to_string(),
                    })
                })
                .collect()
        })
    }
}

/// The lines a writer finished: a last line without its newline is a write cut off midway
/// (the writer was killed), never a record.
fn complete_lines(text: &str) -> impl Iterator<Item = &str> {
    let end = text.rfind('\n').map_or(0, |i| i + 1);
    text[..end].lines()
}

/// Cuts a torn last line (no newline: its writer died mid-write) off the file, so that the
/// next record starts on a line of its own instead of being glued to it.
fn drop_torn_tail(f: &mut std::fs::File) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let mut last = [0u8; 1];
    f.seek(SeekFrom::Start(len - 1))?;
    f.read_exact(&mut last)?;
    if last[0] == b'\n' {
        return Ok(());
    }
    let mut text = Vec::new();
    f.seek(SeekFrom::Start(0))?;
    f.read_to_end(&mut text)?;
    let keep = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    f.set_len(keep as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::now;

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::thread::scope(|s| {
            for t in 0..8 {
                let store = ResultsStore::new(dir.path());
                s.spawn(move || {
                    for n in 0..25 {
                        let r = Record::deployment(&format!("app{t}"), &n.to_string(), "test");
                        store.append(&[r]).unwrap();
                    }
                });
            }
        });
        assert_eq!(ResultsStore::new(dir.path()).read().unwrap().len(), 200);
    }

    fn verification(provider: &str, consumer: &str, digest: &str, success: bool) -> Record {
        Record::Verification {
            provider: provider.into(),
            provider_version: "1".into(),
            consumer: consumer.into(),
            digest: digest.into(),
            success,
            at: now(),
        }
    }

    #[test]
    fn verified_digests_are_the_provider_s_successful_verifications() {
        let dir = tempfile::tempdir().unwrap();
        let store = ResultsStore::new(dir.path());
        store
            .append(&[
                verification("orders", "web", "d1", true),
                verification("orders", "web", "d2", false),
                verification("payments", "orders", "d3", true),
                Record::deployment("orders", "1", "production"),
                verification("orders", "shipping", "d4", true),
            ])
            .unwrap();
        assert_eq!(
            store.verified_digests("orders").unwrap(),
            [
                ("web".to_string(), "d1".to_string()),
                ("shipping".to_string(), "d4".to_string())
            ]
        );
        assert!(store.verified_digests("shipping").unwrap().is_empty());
    }

    #[test]
    fn verified_digests_need_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let err = ResultsStore::new(dir.path().join("none"))
            .verified_digests("orders")
            .unwrap_err();
        assert!(matches!(err, StoreError::Missing(_)), "{err}");
    }

    #[test]
    fn corrupt_lines_are_reported_with_their_number() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("results.jsonl"), "{\"kind\":\"deployment\",\"pacticipant\":\"a\",\"version\":\"1\",\"environment\":\"e\",\"at\":\"t\"}\nnot json\n").unwrap();
        let err = ResultsStore::new(dir.path()).read().unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { line: 2, .. }), "{err}");
    }
}
