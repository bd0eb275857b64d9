//! Behaviour of `shakedown contract check`: problems located by file, line and column, exit
//! codes 0/1/2, and `--upgrade` rewriting files as V4.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::Output;

use common::cli::run as shakedown;
use shakedown::contract::{Pact, SpecVersion};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn should_accept_sound_contracts_of_every_version() {
    let out = shakedown(&[
        "contract",
        "check",
        "examples/pacts/web-orders-v2.json",
        "examples/pacts/shipping-orders-v3-messages.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn should_locate_malformed_json() {
    let out = shakedown(&["contract", "check", "tests/fixtures/check/malformed.json"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn should_locate_unknown_matchers() {
    let out = shakedown(&[
        "contract",
        "check",
        "tests/fixtures/check/unknown-matcher.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn should_locate_bad_regexes() {
    let out = shakedown(&["contract", "check", "tests/fixtures/check/bad-regex.json"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn should_locate_rule_paths_that_match_nothing() {
    let out = shakedown(&[
        "contract",
        "check",
        "tests/fixtures/check/wrong-rule-path.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn should_warn_but_pass_when_an_example_breaks_its_own_rule() {
    let out = shakedown(&[
        "contract",
        "check",
        "tests/fixtures/check/self-contradicting.json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn should_exit_2_when_a_file_cannot_be_read() {
    let out = shakedown(&[
        "contract",
        "check",
        "tests/fixtures/check/no-such-file.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.json: cannot read"));
}

#[test]
fn should_exit_2_on_usage_errors_and_0_on_help() {
    assert_eq!(shakedown(&["contract", "check"]).status.code(), Some(2));
    assert_eq!(
        shakedown(&["contract", "frobnicate"]).status.code(),
        Some(2)
    );
    let help = shakedown(&["contract", "check", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("--upgrade"));
}

#[test]
fn should_upgrade_files_to_v4_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("web-orders.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pacts/web-orders-v2.json"),
        &file,
    )
    .unwrap();
    let original = Pact::from_file(&file).unwrap();
    let out = shakedown(&["contract", "check", "--upgrade", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("upgraded from Pact 2.0.0 to 4.0"));
    let upgraded = Pact::from_file(&file).unwrap();
    assert_eq!(upgraded.spec_version, SpecVersion::V4);
    assert_eq!(upgraded.interactions.len(), original.interactions.len());
    for (a, b) in original.interactions.iter().zip(&upgraded.interactions) {
        assert_eq!(a.kind, b.kind);
    }
    let text = std::fs::read_to_string(&file).unwrap();
    let again = shakedown(&["contract", "check", "--upgrade", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        text,
        "upgrading twice changes nothing"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != "web-orders.json")
        .collect();
    assert!(leftovers.is_empty(), "no temporary files are left behind");
}

#[test]
fn should_not_rewrite_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/unknown-matcher.json"),
        &file,
    )
    .unwrap();
    let before = std::fs::read_to_string(&file).unwrap();
    let out = shakedown(&["contract", "check", "--upgrade", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}
