//! The example shop's binaries (`target/PROFILE/orders`, `payments`, `shipping`, `web`):
//! built once per test binary, since `cargo test` builds a package's binaries only for its
//! own integration tests, and the shop (`shakedown-shop`) has none.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// `target/PROFILE` of the running test (it runs as `target/PROFILE/deps/NAME-HASH`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/PROFILE")
        .to_path_buf()
}

/// Builds the shop with cargo's `profile`; whether that worked.
fn build(profile: &str) -> bool {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--profile",
            profile,
            "-p",
            "shakedown-shop",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .is_ok_and(|s| s.success())
}

/// The folder of the shop's binaries built with the test's own profile.
pub fn bin_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = profile_dir();
        let profile = match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        assert!(build(profile), "building the example shop failed");
        dir
    })
}

/// Builds the shop's debug binaries (`target/debug/…`, which the scenarios name), once;
/// whether that worked.
pub fn build_debug() -> bool {
    static BUILT: OnceLock<bool> = OnceLock::new();
    *BUILT.get_or_init(|| build("dev"))
}
