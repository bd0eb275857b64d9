//! The test harness of the test binaries whose tests need something from the machine: a
//! test whose [`Need`] is missing is reported `ignored (the reason)` by `cargo test` and
//! counted in "N ignored" — never a pass — and fails instead where its need's variable says
//! it must run (`CI=true`, `SHAKEDOWN_REQUIRE_DOCKER=1`). Built on `libtest-mimic`, so
//! `--ignored`, `--include-ignored`, filters, `--skip`, `--exact`, `--list` and nextest work.
//!
//! Converting a test file (mechanical):
//! 1. in `Cargo.toml`, `[[test]] name = "FILE" harness = false`; the file's
//!    `#![cfg(feature = …)]` line becomes `required-features = [...]` there (a file without
//!    `harness` needs its `main` whatever the features);
//! 2. drop `#[test]` from its tests (they stay plain `fn`s; an `async fn` runs in a tokio
//!    runtime the test file builds, as `#[tokio::test]` did: see `block_on` in
//!    `docker_backend.rs`) and any `if !prerequisite() { return; }` at their top; a new
//!    prerequisite is a new [`Need`] variant (`prerequisite.rs`);
//! 3. list them in a `main`, each with what it needs:
//!
//! ```ignore
//! use common::harness::Tests;
//! use common::prerequisite::Need;
//!
//! fn main() -> std::process::ExitCode {
//!     Tests::new()
//!         .test("should_refuse_names_that_are_paths", should_refuse_names_that_are_paths)
//!         .needs(&[Need::ShopImages], "should_start_the_shop", should_start_the_shop)
//!         .run()
//! }
//! ```
//!
//! A test left out of `main` is dead code, which clippy (`-D warnings`) refuses. Test output
//! is not captured (libtest-mimic has no capture): a test prints only what is worth reading.

use std::process::ExitCode;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use super::prerequisite::Need;

/// The tests of one test binary, and the command line they run with.
pub struct Tests {
    args: Arguments,
    trials: Vec<Trial>,
}

impl Tests {
    /// No tests yet; the command line is the process's (libtest's flags).
    pub fn new() -> Self {
        Tests {
            args: Arguments::from_args(),
            trials: vec![],
        }
    }

    /// A test that needs nothing from the machine.
    pub fn test(self, name: &str, test: impl FnOnce() + Send + 'static) -> Self {
        self.needs(&[], name, test)
    }

    /// A test that runs only when every one of `needs` is met here.
    ///
    /// `--list` (which nextest reads) already marks it ignored when a need is missing, so
    /// that nextest skips it too, and `--ignored` (nextest's `--run-ignored`) selects it; a
    /// run checks again, once per need and process.
    pub fn needs(
        mut self,
        needs: &'static [Need],
        name: &str,
        test: impl FnOnce() + Send + 'static,
    ) -> Self {
        let ignored = (self.args.list || self.args.ignored)
            && first_missing(needs).is_some_and(|(need, _)| need.required_by().is_none());
        let trial = Trial::ignorable_test(name, move || {
            if let Some(why) = skip_reason(needs)? {
                return Ok(Completion::ignored_with(why));
            }
            test();
            Ok(Completion::Completed)
        });
        self.trials.push(trial.with_ignored_flag(ignored));
        self
    }

    /// Runs (or lists) the tests the command line selects; the exit code says whether all
    /// passed.
    pub fn run(self) -> ExitCode {
        libtest_mimic::run(&self.args, self.trials).exit_code()
    }
}

impl Default for Tests {
    fn default() -> Self {
        Tests::new()
    }
}

/// The first of `needs` missing here, and why.
fn first_missing(needs: &[Need]) -> Option<(Need, String)> {
    needs
        .iter()
        .find_map(|need| need.missing().map(|why| (*need, why)))
}

/// Why the test should be ignored here (the first missing need), `None` when all are met;
/// an error when a missing need must be met here.
///
/// Under nextest (`NEXTEST=1`), which has no skip at run time, a missing need fails: nextest
/// runs a test its `--list` marked ignored only when asked to (`--run-ignored`), and a PASS
/// would hide that it could not run.
fn skip_reason(needs: &[Need]) -> Result<Option<String>, Failed> {
    let Some((need, why)) = first_missing(needs) else {
        return Ok(None);
    };
    let nextest = std::env::var("NEXTEST").is_ok_and(|v| v == "1");
    match need.required_by() {
        Some(setting) => Err(format!("{setting}, but {why}").into()),
        None if nextest => Err(format!("cannot run here: {why}").into()),
        None => Ok(Some(why)),
    }
}
