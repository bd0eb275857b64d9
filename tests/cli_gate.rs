//! The CI gate from the command line: verify (reports, results store), publish,
//! can-i-deploy, record-deployment and diff, against the example orders provider.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::Output;

use common::cli::text;
use serde_json::Value;
use shakedown_shop::orders_service;

/// `shakedown ARGS` with its results store in `results`.
fn shakedown(args: &[&str], results: &Path) -> Output {
    common::cli::run_with_store(args, results)
}

/// `verify` of the orders provider at `url`, recorded as provider version `version`.
fn verify(url: &str, version: &str, results: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["--record", "--provider-version", version];
    args.extend(extra);
    common::cli::verify_orders(url, results, &args)
}

#[test]
fn should_gate_deploys_on_recorded_verifications() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let published = shakedown(
        &[
            "publish",
            "contracts/web-orders.json",
            "contracts/shipping-orders.json",
            "--version",
            "1.0",
        ],
        &results,
    );
    assert_eq!(published.status.code(), Some(0), "{}", text(&published));

    let good = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let (json, junit) = (
        dir.path().join("report.json"),
        dir.path().join("report.xml"),
    );
    let out = verify(
        &good.url(),
        "7",
        &results,
        &[
            "--json",
            json.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("4 passed, 0 failed, 0 pending failed"),
        "{}",
        text(&out)
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let digest = report["contracts"][0]["digest"].as_str().unwrap();
    assert_eq!(
        digest.len(),
        64,
        "the JSON report carries the digest: {digest:?}"
    );
    assert_eq!(
        report["contracts"][1]["interactions"][0]["outcome"]["status"],
        "passed"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuite name=\"web -&gt; orders\"")
            && xml.contains("testcase name=\"an order is placed\""),
        "{xml}"
    );

    assert_eq!(
        shakedown(
            &["can-i-deploy", "--pacticipant", "web", "--version", "1.0"],
            &results
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        shakedown(
            &[
                "record-deployment",
                "--pacticipant",
                "orders",
                "--version",
                "7",
                "--environment",
                "prod"
            ],
            &results
        )
        .status
        .code(),
        Some(0)
    );
    let yes = shakedown(
        &[
            "can-i-deploy",
            "--pacticipant",
            "web",
            "--version",
            "1.0",
            "--to",
            "prod",
        ],
        &results,
    );
    assert_eq!(yes.status.code(), Some(0), "{}", text(&yes));
    assert!(
        text(&yes).contains("orders 7 in prod verified web 1.0's contract"),
        "{}",
        text(&yes)
    );

    let broken = orders_service::start(
        "127.0.0.1:0",
        orders_service::Config {
            rename_status: true,
        },
    )
    .unwrap();
    let out = verify(&broken.url(), "8", &results, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let no = shakedown(
        &["can-i-deploy", "--pacticipant", "orders", "--version", "8"],
        &results,
    );
    assert_eq!(no.status.code(), Some(1), "{}", text(&no));
    assert!(
        text(&no).contains("✗ orders 8 failed to verify the contract of web 1.0"),
        "{}",
        text(&no)
    );
    assert!(
        text(&no).contains("✓ orders 8 verified the contract of shipping 1.0"),
        "{}",
        text(&no)
    );
}

/// Records a 20-interaction catalogue contract; every third interaction expects a field the
/// provider does not send.
fn catalogue_contract(dir: &Path) {
    use serde_json::json;
    use shakedown::consumer::{matchers::*, Contract};
    let mut c = Contract::new("catalogue-ui", "orders").output_dir(dir);
    for n in 1..=20u64 {
        c.interaction(&format!("item {n:02}"), |i| {
            i.request(|r| {
                r.get(format!("/catalog/{n}"));
            })
            .response(|r| {
                let mut body =
                    json!({"id": integer(n as i64), "sku": regex("SKU-\\d{6}", "SKU-000001")});
                if n % 3 == 0 {
                    body["colour"] = like("red");
                }
                r.status(200).json(body);
            });
        });
    }
    let server = c.start_mock_server();
    for n in 1..=20 {
        reqwest::blocking::get(server.path(&format!("/catalog/{n}"))).unwrap();
    }
    server.finish().unwrap();
}

#[test]
fn should_give_the_same_result_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    catalogue_contract(dir.path());
    let provider = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let url = provider.url();
    let contracts = dir.path().join("catalogue-ui-orders.json");
    let run = |c: &str| {
        let out = shakedown(
            &[
                "verify",
                "--provider",
                "orders",
                "--base-url",
                &url,
                "--contracts",
                contracts.to_str().unwrap(),
                "--concurrency",
                c,
            ],
            dir.path(),
        );
        (out.status.code(), text(&out))
    };
    let sequential = run("1");
    assert_eq!(sequential.0, Some(1), "{}", sequential.1);
    assert!(
        sequential.1.contains("14 passed, 6 failed"),
        "{}",
        sequential.1
    );
    assert_eq!(sequential, run("8"), "the same report, in the same order");
}

#[test]
fn should_exit_2_for_an_unreachable_provider_or_unreadable_contracts() {
    let dir = tempfile::tempdir().unwrap();
    let out = shakedown(
        &[
            "verify",
            "--provider",
            "orders",
            "--base-url",
            "http://127.0.0.1:9",
            "--ignore-states",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("unreachable"), "{}", text(&out));
    let out = shakedown(
        &[
            "verify",
            "--provider",
            "orders",
            "--base-url",
            "http://127.0.0.1:9",
            "--contracts",
            "tests/fixtures/check/malformed.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("malformed.json:5:54"), "{}", text(&out));
}

#[test]
fn should_fail_interactions_whose_provider_state_fails() {
    let dir = tempfile::tempdir().unwrap();
    let good = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let url = good.url();
    let out = shakedown(
        &[
            "verify",
            "--provider",
            "orders",
            "--base-url",
            &url,
            "--filter-consumer",
            "web",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "no state handler: never a silent pass"
    );
    assert!(
        text(&out).contains(
            "needs provider state \"an order exists\" but no state handler is configured"
        ),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("use --state-url (or --ignore-states if the provider needs none)"),
        "the CLI says which flag: {}",
        text(&out)
    );
    let bad_state_url = format!("{url}/no-such-endpoint");
    let out = shakedown(
        &[
            "verify",
            "--provider",
            "orders",
            "--base-url",
            &url,
            "--state-url",
            &bad_state_url,
            "--filter-consumer",
            "web",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("setup via") && text(&out).contains("status 404"),
        "{}",
        text(&out)
    );
}

#[test]
fn should_name_the_flag_that_gives_messages_or_a_valid_base_url() {
    let dir = tempfile::tempdir().unwrap();
    let good = orders_service::start("127.0.0.1:0", orders_service::Config::default()).unwrap();
    let url = good.url();
    let messages = |base_url: &str| {
        shakedown(
            &[
                "verify",
                "--provider",
                "orders",
                "--base-url",
                base_url,
                "--ignore-states",
                "--filter-consumer",
                "shipping",
            ],
            dir.path(),
        )
    };
    let out = messages(&url);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("the interaction is a message but no message producer is configured")
            && text(&out).contains("hint: to verify messages, use --messages-url"),
        "{}",
        text(&out)
    );
    let out = messages("ftp://127.0.0.1:9");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("invalid --base-url \"ftp://127.0.0.1:9\""),
        "{}",
        text(&out)
    );
}

#[test]
fn should_classify_contract_changes() {
    let dir = tempfile::tempdir().unwrap();
    let old = Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts/web-orders.json");
    let text_old = std::fs::read_to_string(&old).unwrap();
    let new = dir.path().join("web-orders.json");
    std::fs::write(
        &new,
        text_old.replacen(
            "\"status\": \"placed\"",
            "\"status\": \"placed\", \"total\": 12.5",
            1,
        ),
    )
    .unwrap();
    let out = shakedown(
        &["diff", old.to_str().unwrap(), new.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("BREAKING") && text(&out).contains("now expects $.total"),
        "{}",
        text(&out)
    );
    let same = shakedown(
        &["diff", old.to_str().unwrap(), old.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(same.status.code(), Some(0));
}

#[test]
fn should_report_but_not_fail_on_contracts_never_verified_unless_strict() {
    let dir = tempfile::tempdir().unwrap();
    let broken = orders_service::start(
        "127.0.0.1:0",
        orders_service::Config {
            rename_status: true,
        },
    )
    .unwrap();
    let out = verify(
        &broken.url(),
        "9",
        dir.path(),
        &["--pending-new", "--filter-consumer", "web"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out)
            .contains("! a request for an existing order  [given an order exists]  (pending)"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("2 passed, 0 failed, 1 pending failed"),
        "{}",
        text(&out)
    );
    let store = std::fs::read_to_string(dir.path().join("results.jsonl")).unwrap();
    assert!(
        store.contains("\"success\":false") && !store.contains("\"success\":true"),
        "a pending failure is recorded as a failure: {store}"
    );
    let again = verify(
        &broken.url(),
        "9",
        dir.path(),
        &["--pending-new", "--filter-consumer", "web"],
    );
    assert_eq!(
        again.status.code(),
        Some(0),
        "still pending: never verified successfully\n{}",
        text(&again)
    );
    let strict = verify(
        &broken.url(),
        "9",
        dir.path(),
        &["--pending-new", "--filter-consumer", "web", "--strict"],
    );
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));
}

#[test]
fn should_keep_the_default_results_store_out_of_git() {
    let dir = tempfile::tempdir().unwrap();
    let contract = Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts/web-orders.json");
    let out = common::cli::shakedown(["publish", contract.to_str().unwrap(), "--version", "1"])
        .current_dir(dir.path())
        .env_remove("SHAKEDOWN_RESULTS_DIR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let store = dir.path().join(".shakedown");
    assert!(store.join("results/results.jsonl").is_file());
    let ignore = std::fs::read_to_string(store.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
}
