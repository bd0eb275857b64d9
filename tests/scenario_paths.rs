//! Paths in scenarios resolve from the file that holds them, never the current directory:
//! `validate`, `run --dry-run` and a real run work from anywhere (and with
//! `CARGO_TARGET_DIR` elsewhere); a missing program stops a run before anything starts; a
//! run that started nothing shows no success figure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{shakedown, text};
use common::harness::Tests;
use common::prerequisite::Need;

/// The crate's root (where `scenarios/` is).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `shakedown ARGS` run with `cwd` as its current directory and its state in `state`.
fn from(cwd: &Path, state: &Path, args: &[&str]) -> Output {
    shakedown(args)
        .current_dir(cwd)
        .env("SHAKEDOWN_STATE_DIR", state)
        .output()
        .unwrap()
}

fn should_validate_and_dry_run_a_scenario_from_another_directory() {
    let elsewhere = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/latency.toml");
    let scenario = scenario.to_str().unwrap();
    let state = elsewhere.path().join("state");
    let out = from(elsewhere.path(), &state, &["validate", scenario]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The process backend's dry run checks the programs too: the shop's, where cargo put them.
    let out = from(elsewhere.path(), &state, &["run", "--dry-run", scenario]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("timeline"), "{}", text(&out));
}

fn should_refuse_a_run_whose_program_is_missing_before_starting_anything() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    let scenario = "name = \"x\"\n[services.a]\ncommand = [\"bin/a\"]\n\n\
                    [[canaries]]\nname = \"c\"\nhttp = { url = \"{{ services.a }}/\" }\n";
    std::fs::write(&file, scenario).unwrap();
    // Beside the scenario's folder, not in it: `bin/a` would be found from here.
    std::fs::create_dir_all(dir.path().join("cwd/bin")).unwrap();
    std::fs::write(dir.path().join("cwd/bin/a"), "").unwrap();
    let state = dir.path().join("state");
    let out = from(
        &dir.path().join("cwd"),
        &state,
        &["run", "--no-live", file.to_str().unwrap()],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    let expected = format!(
        "{}:3:12: command \"bin/a\" does not exist (no file {}/bin/a)",
        file.display(),
        dir.path().display()
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), expected);
    assert!(out.stdout.is_empty(), "{all}");
    assert!(!state.join("runs").exists(), "nothing started: {all}");
}

fn should_say_what_failed_and_no_success_rate_when_nothing_started() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    let scenario = "name = \"x\"\n[services.a]\ncommand = [\"false\"]\n\n\
                    [[canaries]]\nname = \"checkout\"\nhttp = { url = \"{{ services.a }}/\" }\n";
    std::fs::write(&file, scenario).unwrap();
    let out = from(
        dir.path(),
        &dir.path().join("state"),
        &["run", "--no-live", file.to_str().unwrap()],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(stdout.starts_with("✘ error: x"), "{stdout}");
    assert!(
        stdout.contains("service \"a\""),
        "says which service: {stdout}"
    );
    assert!(
        stdout.contains("checkout  not probed: the run ended before its first probe"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('%') && !stdout.contains("0 probes"),
        "{stdout}"
    );
}

/// The shop's latency scenario on local processes, run from `/tmp`, with the binaries in a
/// `CARGO_TARGET_DIR` of their own (a copy of the built ones, somewhere else).
fn should_run_the_shop_from_another_directory() {
    let state = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/latency.toml");
    let built = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), |t| root().join(t))
        .join("debug");
    let elsewhere = state.path().join("elsewhere");
    std::fs::create_dir_all(elsewhere.join("debug")).unwrap();
    for bin in ["orders", "payments", "shipping"] {
        std::fs::copy(built.join(bin), elsewhere.join("debug").join(bin)).unwrap();
    }
    let out = shakedown(["run", "--no-live", scenario.to_str().unwrap()])
        .current_dir("/tmp")
        .env("SHAKEDOWN_STATE_DIR", state.path().join("state"))
        .env("CARGO_TARGET_DIR", &elsewhere)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stdout.starts_with("✔ passed"), "{stdout}");
    assert!(stdout.contains("the web contract holds"), "{stdout}");
}

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            &[Need::ShopBuilt, Need::NatsServer],
            "should_validate_and_dry_run_a_scenario_from_another_directory",
            should_validate_and_dry_run_a_scenario_from_another_directory,
        )
        .test(
            "should_refuse_a_run_whose_program_is_missing_before_starting_anything",
            should_refuse_a_run_whose_program_is_missing_before_starting_anything,
        )
        .test(
            "should_say_what_failed_and_no_success_rate_when_nothing_started",
            should_say_what_failed_and_no_success_rate_when_nothing_started,
        )
        .needs(
            &[Need::ShopBuilt, Need::NatsServer],
            "should_run_the_shop_from_another_directory",
            should_run_the_shop_from_another_directory,
        )
        .run()
}
