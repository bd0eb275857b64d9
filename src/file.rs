//! Safe file updates: an exclusive lock file around a read-modify-write, and atomic writes
//! (a temporary file renamed into place). A leaf module: it imports nothing from the crate.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

/// How many symlinks a write follows to the file it replaces (as the kernel's `ELOOP`).
const MAX_LINKS: usize = 40;

/// How many random temporary names a write tries before giving up.
const TEMP_ATTEMPTS: usize = 16;

/// Runs `f` while holding an exclusive lock on `lock_path` (created if missing; kept
/// afterwards). Locks are per open file, so they exclude other threads and processes alike.
/// A symlink at `lock_path` is an error: the lock is never taken through one.
pub(crate) fn with_lock<T>(lock_path: &Path, f: impl FnOnce() -> T) -> std::io::Result<T> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    no_follow(&mut options);
    let lock = options.open(lock_path)?;
    lock.lock()?;
    let out = f();
    let _ = lock.unlock();
    Ok(out)
}

/// Writes `contents` to a new temporary file with a random name beside the file `path`
/// names, flushes it, and renames it over that file. A symlink at `path` is kept: the file
/// it points at is replaced. The file's permissions are kept. The temporary file is created
/// exclusively (`O_EXCL`, never through a symlink). On failure the temporary file is removed
/// and the file is unchanged.
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    replace(&resolve_links(path)?, contents)
}

/// Like [`write_atomically`], for files that are never reached through a symlink (state
/// files, logs): a symlink at `path` is itself replaced by the file, never followed.
pub(crate) fn replace(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, mut file) = create_temp(dir, &name)?;
    let written = (|| {
        if let Some(old) = std::fs::symlink_metadata(path).ok().filter(|m| m.is_file()) {
            file.set_permissions(old.permissions())?;
        }
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The file `path` names once every symlink on it (the last component) is followed.
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(std::io::Error::other(format!(
        "{}: more than {MAX_LINKS} symlinks",
        path.display()
    )))
}

/// A new file named `.NAME.RANDOM.tmp` in `dir`.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..TEMP_ATTEMPTS {
        let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
        match create_new_no_follow(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| ErrorKind::AlreadyExists.into()))
}

/// Opens `path` for appending (created if missing); a symlink there is an error.
#[cfg_attr(not(feature = "scenario"), allow(dead_code))]
pub(crate) fn open_append(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    no_follow(&mut options);
    options.open(path)
}

/// Creates `path`, failing if anything (a file, a symlink) is already there.
fn create_new_no_follow(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    no_follow(&mut options);
    options.open(path)
}

/// Makes `options` fail on a symlink rather than open what it points at.
fn no_follow(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    let _ = options;
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

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_the_old_predictable_temporary_name_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let thread = format!("{:?}", std::thread::current().id()).replace(['(', ')'], "");
        let planted = dir
            .path()
            .join(format!(".a.json.{}.{thread}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn a_temporary_file_is_never_opened_over_an_existing_one() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let planted = dir.path().join("planted");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        assert!(create_new_no_follow(&planted).is_err());
        assert!(create_new_no_follow(&victim).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_does_not_follow_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        let lock_path = dir.path().join(".x.lock");
        std::os::unix::fs::symlink(&victim, &lock_path).unwrap();
        let ran = with_lock(&lock_path, || ());
        assert!(ran.is_err(), "the lock was taken through a symlink");
        assert!(!victim.exists(), "the symlink's target was created");
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

    #[test]
    fn state_files_and_logs_never_write_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let state = dir.path().join("run.json");
        std::os::unix::fs::symlink(&victim, &state).unwrap();
        replace(&state, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&state).unwrap(), "{}");
        assert!(!std::fs::symlink_metadata(&state).unwrap().is_symlink());

        let log = dir.path().join("orders.log");
        std::os::unix::fs::symlink(&victim, &log).unwrap();
        assert!(open_append(&log).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }
}
