//! The state folder (run state files and service logs): per user, created 0700, never
//! reached through a symlink. `$SHAKEDOWN_STATE_DIR` overrides where it is.

use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

/// The default state folder: `$SHAKEDOWN_STATE_DIR`, else `$XDG_STATE_HOME/shakedown`, else
/// `~/.local/state/shakedown`, else `$XDG_RUNTIME_DIR/shakedown`, else a folder of this user
/// in the temporary directory (`<temp>/shakedown-UID`).
pub fn default_state_dir() -> PathBuf {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("SHAKEDOWN_STATE_DIR") {
        return dir;
    }
    var("XDG_STATE_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".local").join("state")))
        .or_else(|| var("XDG_RUNTIME_DIR"))
        .map_or_else(
            || std::env::temp_dir().join(format!("shakedown-{}", my_uid().unwrap_or(0))),
            |base| base.join("shakedown"),
        )
}

/// Makes `dir` ready for a run: created (with its parents) when missing, the folder itself
/// mode 0700; refused when it is a symlink, not a folder, or another user's.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(dir).is_err() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    check_private(dir)
}

/// Refuses a state folder that is a symlink, not a folder, or another user's: its state
/// files could name processes `clean` would then kill.
pub fn check_private(dir: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(dir)?;
    let refuse = |why: &str| Err(std::io::Error::other(format!("{}: {why}", dir.display())));
    if meta.file_type().is_symlink() {
        return refuse("is a symlink; refused (point SHAKEDOWN_STATE_DIR at the real folder)");
    }
    if !meta.is_dir() {
        return refuse("not a folder");
    }
    if my_uid().is_some_and(|uid| uid != meta.uid()) {
        return refuse("belongs to another user");
    }
    Ok(())
}

/// This process's user id (the owner of `/proc/self`).
fn my_uid() -> Option<u32> {
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}
