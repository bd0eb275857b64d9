//! Safe file updates: an exclusive lock file around a read-modify-write, and atomic writes
//! (a temporary file renamed into place). A leaf module: it imports nothing from the crate.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::Path;

/// Runs `f` while holding an exclusive lock on `lock_path` (created if missing; kept
/// afterwards). Locks are per open file, so they exclude other threads and processes alike.
pub(crate) fn with_lock<T>(lock_path: &Path, f: impl FnOnce() -> T) -> std::io::Result<T> {
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)?;
    lock.lock()?;
    let out = f();
    let _ = lock.unlock();
    Ok(out)
}

/// Writes `contents` to a temporary file beside `path`, flushes it, and renames it over
/// `path`. On failure the temporary file is removed and `path` is unchanged.
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = format!(
        ".{name}.{}.{:?}.tmp",
        std::process::id(),
        std::thread::current().id()
    );
    let tmp = dir.join(unique.replace(['(', ')'], ""));
    let written = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_whole_file_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_atomically(&path, b"first, and longer").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, "old").unwrap();
        let missing = dir.path().join("no-such-dir").join("a.json");
        assert!(write_atomically(&missing, b"new").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    }

    #[test]
    fn the_lock_is_held_while_f_runs_and_its_value_returned() {
        let dir = tempfile::tempdir().unwrap();
        let lock_path = dir.path().join(".x.lock");
        let out = with_lock(&lock_path, || {
            let other = File::open(&lock_path).unwrap();
            other.try_lock().is_err()
        });
        assert!(out.unwrap(), "another handle could take the lock");
        assert!(lock_path.exists(), "the lock file is kept");
    }
}
