//! Hostile file systems: `contract check --upgrade` keeps a contract's file mode and its
//! symlink, and never writes through a symlink planted where its temporary file goes.
#![cfg(all(feature = "cli", unix))]

mod common;

use std::os::unix::fs::{symlink, PermissionsExt as _};
use std::path::{Path, PathBuf};

use common::cli::{run as shakedown, text};

/// A V2 contract copied into `dir` as `name`, so that `--upgrade` rewrites it.
fn v2_contract(dir: &Path, name: &str) -> PathBuf {
    let file = dir.join(name);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pacts/web-orders-v2.json"),
        &file,
    )
    .unwrap();
    file
}

fn upgrade(file: &Path) {
    let out = shakedown(&["contract", "check", "--upgrade", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("upgraded from Pact 2.0.0 to 4.0"),
        "{}",
        text(&out)
    );
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn upgrade_keeps_the_file_mode() {
    let dir = tempfile::tempdir().unwrap();
    let file = v2_contract(dir.path(), "c.json");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    upgrade(&file);
    assert_eq!(mode(&file), 0o640, "the contract's mode changed");
}

#[test]
fn upgrade_writes_through_a_symlink_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("real");
    std::fs::create_dir(&real_dir).unwrap();
    let real = v2_contract(&real_dir, "c.json");
    let link = dir.path().join("link.json");
    symlink(&real, &link).unwrap();
    upgrade(&link);
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(
        meta.file_type().is_symlink(),
        "the symlink was replaced by a file"
    );
    assert!(
        std::fs::read_to_string(&real).unwrap().contains("\"4.0\""),
        "the file the link points at was not upgraded"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .chain(std::fs::read_dir(&real_dir).unwrap())
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "c.json" && n != "link.json" && n != "real")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
