//! Many tests, in many threads and several processes, writing one contract file: no
//! interaction is lost or duplicated, and the file is always whole.
#![cfg(feature = "consumer")]

use std::path::Path;
use std::process::Command;

use serde_json::json;
use shakedown::consumer::Contract;
use shakedown::contract::Pact;

const CHILD_ENV: &str = "SHAKEDOWN_TEST_CHILD_DIR";

/// Records `count` message interactions named `<prefix> <n>` into `dir`, one call each.
fn record(dir: &Path, prefix: &str, count: usize) {
    let contract = Contract::new("shipping", "orders").output_dir(dir);
    for n in 0..count {
        contract
            .message(&format!("{prefix} {n}"), |m| {
                m.json(json!({"n": n}));
            })
            .handled_by(|_| Ok::<(), String>(()))
            .unwrap();
    }
}

#[test]
fn should_keep_every_interaction_written_by_parallel_threads() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        for t in 0..16 {
            let dir = dir.path();
            s.spawn(move || record(dir, &format!("thread {t}"), 10));
        }
    });
    let pact = Pact::from_file(dir.path().join("shipping-orders.json")).unwrap();
    assert_eq!(pact.interactions.len(), 160);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// The parent starts four copies of this test binary running only this test with
/// `SHAKEDOWN_TEST_CHILD_DIR` set: each is a writer, not a test (so no ignored helper test).
#[test]
fn should_keep_every_interaction_written_by_parallel_processes() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        let prefix = std::env::var("SHAKEDOWN_TEST_CHILD_PREFIX").unwrap();
        return record(Path::new(&dir), &prefix, 25);
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|p| {
            Command::new(&exe)
                .args([
                    "should_keep_every_interaction_written_by_parallel_processes",
                    "--exact",
                    "--nocapture",
                ])
                .env(CHILD_ENV, dir.path())
                .env("SHAKEDOWN_TEST_CHILD_PREFIX", format!("process {p}"))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let pact = Pact::from_file(dir.path().join("shipping-orders.json")).unwrap();
    assert_eq!(pact.interactions.len(), 4 * 25);
    let mut names: Vec<&str> = pact
        .interactions
        .iter()
        .map(|i| i.description.as_str())
        .collect();
    names.dedup();
    assert_eq!(names.len(), 100, "no duplicates");
}

#[test]
fn should_replace_an_interaction_with_the_same_description_and_states() {
    let dir = tempfile::tempdir().unwrap();
    let contract = Contract::new("shipping", "orders").output_dir(dir.path());
    for version in [1, 2] {
        contract
            .message("an event", |m| {
                m.given("a state").json(json!({"version": version}));
            })
            .handled_by(|_| Ok::<(), String>(()))
            .unwrap();
    }
    contract
        .message("an event", |m| {
            m.given("another state").json(json!({"version": 3}));
        })
        .handled_by(|_| Ok::<(), String>(()))
        .unwrap();
    let pact = Pact::from_file(contract.file()).unwrap();
    assert_eq!(pact.interactions.len(), 2);
    let text = std::fs::read_to_string(contract.file()).unwrap();
    assert!(
        text.contains("\"version\": 2") && !text.contains("\"version\": 1"),
        "{text}"
    );
}
