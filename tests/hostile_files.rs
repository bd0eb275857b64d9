//! Hostile file systems: `contract check --upgrade` keeps a contract's file mode and its
//! symlink, and never writes through a symlink planted where its temporary file goes.
#![cfg(all(feature = "cli", unix))]

mod common;

use std::os::unix::fs::{symlink, PermissionsExt as _};
use std::path::{Path, PathBuf};

use common::cli::{run as shakedown, text};
use shakedown::contract::{ContractError, Pact, SpecVersion};

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

fn contract_with_version(version: &str) -> String {
    format!(
        r#"{{"consumer": {{"name": "web"}}, "provider": {{"name": "orders"}}, "interactions": [],
  "metadata": {{"pactSpecification": {{"version": "{version}"}}}}}}"#
    )
}

#[test]
fn an_unknown_pact_version_is_a_located_error_naming_the_versions_understood() {
    for version in ["9.0.0", "banana", "0.1", ""] {
        let text = contract_with_version(version);
        let err = match Pact::from_str(&text) {
            Ok(p) => panic!("{version:?} was read as {}", p.spec_version),
            Err(e) => e,
        };
        let ContractError::Invalid { line, error, .. } = &err else {
            panic!("{version:?}: not a located error: {err}");
        };
        assert_eq!(*line, 2, "{err}");
        assert_eq!(error.json_pointer(), "/metadata/pactSpecification/version");
        let message = err.to_string();
        for known in ["1.0.0", "1.1.0", "2.0.0", "3.0.0", "4.0"] {
            assert!(message.contains(known), "{message}");
        }
    }
}

#[test]
fn known_pact_versions_in_any_spelling_are_still_read() {
    for (version, read) in [
        ("1.0.0", SpecVersion::V1),
        ("1.1", SpecVersion::V1_1),
        ("2.0", SpecVersion::V2),
        ("3.0", SpecVersion::V3),
        ("v4", SpecVersion::V4),
        ("4.0", SpecVersion::V4),
    ] {
        let pact = Pact::from_str(&contract_with_version(version)).unwrap();
        assert_eq!(pact.spec_version, read, "{version}");
    }
    let missing =
        r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"}, "interactions": []}"#;
    assert_eq!(
        Pact::from_str(missing).unwrap().spec_version,
        SpecVersion::V2
    );
}

/// Runs `shakedown ARGS` with a standard output whose reading end is already closed.
fn run_into_a_closed_pipe(args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    common::cli::shakedown(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_standard_output_is_no_panic() {
    let commands: [&[&str]; 6] = [
        &["contract", "check", "examples/pacts/web-orders-v2.json"],
        &["schema"],
        &["list", "scenarios"],
        &[
            "diff",
            "--json",
            "examples/pacts/web-orders-v2.json",
            "examples/pacts/web-orders-v2.json",
        ],
        &["validate", "scenarios/crash.toml"],
        &[
            "run",
            "scenarios/game-day.toml",
            "--dry-run",
            "--seed",
            "1",
            "--backend",
            "docker",
        ],
    ];
    for args in commands {
        let out = run_into_a_closed_pipe(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
    }
}
