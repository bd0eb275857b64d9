//! What some tests need from the machine (the example shop built, nats-server, Docker and
//! the example images): present, or skipped with a printed notice — a failure under CI,
//! which must run them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `var` is set to `value` (`CI=true`, `SHAKEDOWN_REQUIRE_DOCKER=1`).
fn required(var: &str, value: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == value)
}

/// Skips (false, after a notice) when `ok` is false, unless `var=value` says the test must
/// run: then it fails.
fn present(ok: bool, var: &str, value: &str, missing: &str) -> bool {
    if !ok {
        assert!(!required(var, value), "{var}={value} but {missing}");
        eprintln!("skipped: {missing}");
    }
    ok
}

/// The example shop's services in `target/debug`, built first if need be.
pub fn shop_built(services: &[&str]) -> bool {
    let ok = super::shop::build_debug()
        && services
            .iter()
            .all(|s| Path::new("target/debug").join(s).exists());
    present(
        ok,
        "CI",
        "true",
        "the example shop could not be built (cargo build -p shakedown-shop)",
    )
}

/// `nats-server` (in `/usr/sbin`, where Debian puts it, or on `PATH`), if installed.
pub fn nats_server() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::iter::once(PathBuf::from("/usr/sbin/nats-server"))
        .chain(std::env::split_paths(&path).map(|d| d.join("nats-server")))
        .find(|p| p.is_file());
    present(
        found.is_some(),
        "CI",
        "true",
        "nats-server is missing (apt-get install nats-server)",
    );
    found
}

/// Docker answers and has these local images.
pub fn docker_images(images: &[&str]) -> bool {
    let ok = Command::new("docker")
        .args(["image", "inspect"])
        .args(images)
        .output()
        .is_ok_and(|o| o.status.success());
    present(
        ok,
        "SHAKEDOWN_REQUIRE_DOCKER",
        "1",
        "Docker or the example images are missing (run scripts/images.sh)",
    )
}

/// The example shop's images (`scripts/images.sh`).
pub fn shop_images() -> bool {
    docker_images(&[
        "shakedown-example/orders:latest",
        "shakedown-example/payments:latest",
        "shakedown-example/shipping:latest",
        "shakedown-example/nats:latest",
    ])
}
