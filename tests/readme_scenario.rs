//! README.md's Rust snippets that need the machine (the example shop built, nats-server),
//! compiled and run on `common::harness`: reported ignored without it. `readme.rs` checks
//! that every README block is here or there.

mod common;

use common::harness::Tests;
use common::prerequisite::Need;
use common::runtime::block_on;

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            &[Need::ShopBuilt, Need::NatsServer],
            "should_run_the_crash_scenario_as_the_readme_shows",
            || block_on(should_run_the_crash_scenario_as_the_readme_shows()),
        )
        .run()
}

// ---- Scenarios ---------------------------------------------------------------------------

#[rustfmt::skip] // the README block inside, verbatim
async fn should_run_the_crash_scenario_as_the_readme_shows() {
    // in an async test (#[tokio::test]); this one needs the shop built and nats-server
    let scenario = shakedown::scenario::load("scenarios/crash.toml".as_ref()).unwrap();
    let journal = shakedown::scenario::run(&scenario, Default::default(), shakedown::scenario::Cancel::never()).await;
    assert_eq!(journal.outcome, shakedown::report::RunOutcome::Passed, "{}", shakedown::report::summary(&journal, false));
}
