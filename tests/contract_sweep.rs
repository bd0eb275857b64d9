//! A `contract-sweep` fault on the example shop: each interaction of the orders→payments
//! contract fails in turn (503 on exactly the requests that match it), and the run says,
//! per interaction, whether the checkout canary held. The fragile build (`RESILIENCE=off`)
//! does not survive the approved payment failing and survives the declined one (no order
//! sends it); the resilient build survives both.

mod common;

use common::cli::{shakedown, text};
use common::harness::Tests;
use common::prerequisite::Need;
use common::shop_run::run_shop;
use shakedown::report::{CheckKind, Journal, RunOutcome};

const APPROVED: &str = "contract-sweep-1: a payment is approved";
const DECLINED: &str = "contract-sweep-1: a payment of nothing is declined";

fn run(resilient: bool) -> (Option<i32>, Journal, String) {
    let r = run_shop("contract-sweep", "process", resilient);
    (r.code, r.journal, r.text + &r.html)
}

/// Each interaction's verdict: (slot, held, detail).
fn interactions(j: &Journal) -> Vec<(String, bool, String)> {
    j.verdicts()
        .filter(|v| v.1 == CheckKind::Interaction)
        .map(|v| (v.0.to_string(), v.2, v.3.to_string()))
        .collect()
}

/// Each slot's window (fault, kind, length in ms), in start order.
fn windows(j: &Journal) -> Vec<(String, String, f64)> {
    j.faults
        .iter()
        .map(|w| {
            let end = w.end_ms.expect("every slot healed");
            (w.fault.clone(), w.kind.clone(), end - w.start_ms)
        })
        .collect()
}

fn should_find_the_interaction_the_fragile_build_does_not_survive() {
    let (code, journal, text) = run(false);
    assert_eq!(
        (code, journal.outcome),
        (Some(1), RunOutcome::Failed),
        "{text}"
    );
    let found = interactions(&journal);
    let held: Vec<(&str, bool)> = found.iter().map(|(s, ok, _)| (s.as_str(), *ok)).collect();
    assert_eq!(held, [(APPROVED, false), (DECLINED, true)], "{text}");
    assert!(
        found[0]
            .2
            .starts_with("checkout stays fast and available did not hold: success rate"),
        "{}",
        found[0].2
    );
    for (slot, kind, ms) in windows(&journal) {
        assert_eq!(kind, "contract-sweep", "{slot}");
        assert!((2900.0..3500.0).contains(&ms), "{slot} lasted {ms} ms");
    }
    assert!(text.contains(APPROVED) && text.contains(DECLINED), "{text}");
}

fn should_pass_the_resilient_build_on_every_interaction() {
    let (code, journal, text) = run(true);
    assert_eq!(
        (code, journal.outcome),
        (Some(0), RunOutcome::Passed),
        "{text}"
    );
    let held: Vec<(String, bool)> = interactions(&journal)
        .into_iter()
        .map(|(s, ok, _)| (s, ok))
        .collect();
    assert_eq!(
        held,
        [(APPROVED.to_string(), true), (DECLINED.to_string(), true)],
        "{text}"
    );
    let slots: Vec<String> = windows(&journal).into_iter().map(|w| w.0).collect();
    assert_eq!(slots, [APPROVED, DECLINED]);
}

fn should_list_each_interaction_in_a_dry_run() {
    let out = shakedown([
        "run",
        "scenarios/contract-sweep.toml",
        "--dry-run",
        "--backend",
        "docker",
    ])
    .output()
    .unwrap();
    let text = text(&out);
    assert!(out.status.success(), "{text}");
    for (interaction, from) in [
        ("a payment is approved", "2s"),
        ("a payment of nothing is declined", "5s"),
    ] {
        let line = format!(
            "contract-sweep on requests matching {interaction:?}, body {{\"error\": \
             \"injected by shakedown\"}}, status 503 on link orders-payments from {from} for 3s"
        );
        assert!(text.contains(&line), "{line}\n{text}");
    }
}

fn main() -> std::process::ExitCode {
    const PROCESS: &[Need] = &[Need::ShopBuilt, Need::NatsServer];
    Tests::new()
        .test(
            "should_list_each_interaction_in_a_dry_run",
            should_list_each_interaction_in_a_dry_run,
        )
        .needs(
            PROCESS,
            "should_find_the_interaction_the_fragile_build_does_not_survive",
            should_find_the_interaction_the_fragile_build_does_not_survive,
        )
        .needs(
            PROCESS,
            "should_pass_the_resilient_build_on_every_interaction",
            should_pass_the_resilient_build_on_every_interaction,
        )
        .run()
}
