//! The `shakedown` binary under test: a command run from the crate's root, without colour.

use std::path::Path;
use std::process::{Command, Output};

/// The `shakedown` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_shakedown");

/// `shakedown ARGS` as a command, from the crate's root, `NO_COLOR=1`.
pub fn shakedown<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    command
}

/// Runs `shakedown ARGS` to the end.
pub fn run(args: &[&str]) -> Output {
    shakedown(args).output().expect("the shakedown binary runs")
}

/// Stdout then stderr, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs `shakedown ARGS` to the end with its results store in `results`.
pub fn run_with_store(args: &[&str], results: &Path) -> Output {
    shakedown(args)
        .env("SHAKEDOWN_RESULTS_DIR", results)
        .output()
        .expect("the shakedown binary runs")
}

/// `shakedown verify` of the example orders provider at `url` (with its provider-state and
/// messages endpoints), then `extra`, with its results store in `results`.
pub fn verify_orders(url: &str, results: &Path, extra: &[&str]) -> Output {
    let (state, messages) = (
        format!("{url}/_pact/state"),
        format!("{url}/_pact/messages"),
    );
    let mut args = vec![
        "verify",
        "--provider",
        "orders",
        "--base-url",
        url,
        "--state-url",
        &state,
        "--messages-url",
        &messages,
    ];
    args.extend(extra);
    run_with_store(&args, results)
}
