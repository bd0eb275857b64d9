//! Interop: the reference Pact Broker client and verifier (`pact broker`, `pact verifier`:
//! `pip install pact-python-cli`) work unchanged against `shakedown broker` — publish the
//! example web consumer's contract, verify it from the broker against the example orders
//! provider and publish the results, ask can-i-deploy (yes for the provider that keeps the
//! contract, no for one that breaks it), create an environment and record a deployment.
//!
//! Part of `cargo test`: reported ignored when the tools are missing, a failure under
//! `CI=true` (`.ci/run` installs them with pip). Every client runs with
//! `PACT_DO_NOT_TRACK=true` and without retries, so that a wrong answer fails at once.

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::cli::shakedown;
use common::harness::Tests;
use common::prerequisite::{pact_broker_client, pact_verifier, Need};
use common::process::Guard;
use shakedown_shop::orders_service;

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            &[Need::PactBrokerClient, Need::PactVerifier],
            "should_publish_verify_and_answer_can_i_deploy_for_the_reference_client",
            should_publish_verify_and_answer_can_i_deploy_for_the_reference_client,
        )
        .needs(
            &[Need::PactBrokerClient, Need::PactVerifier],
            "should_record_deployments_and_answer_can_i_deploy_to_an_environment",
            should_record_deployments_and_answer_can_i_deploy_to_an_environment,
        )
        .needs(
            &[Need::PactBrokerClient, Need::PactVerifier],
            "should_verify_a_feature_branch_pact_as_work_in_progress",
            should_verify_a_feature_branch_pact_as_work_in_progress,
        )
        .run()
}

/// The longest any one client command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The example web consumer's contract with the orders provider.
const WEB_ORDERS: &str = "contracts/web-orders.json";

/// `shakedown broker` on a free loopback port with its store in a temporary folder, and
/// its log (stderr) kept there for failure messages.
struct Broker {
    url: String,
    log: PathBuf,
    _process: Guard,
    _dir: tempfile::TempDir,
}

impl Broker {
    fn start() -> Broker {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let log = dir.path().join("broker.log");
        let mut child = shakedown(["broker", "--port", "0", "--store"])
            .arg(&store)
            .stdout(Stdio::piped())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .expect("the shakedown binary runs");
        let mut line = String::new();
        let read =
            BufReader::new(child.stdout.as_mut().expect("stdout is piped")).read_line(&mut line);
        let process = Guard(child);
        let url = line
            .trim()
            .strip_prefix("shakedown broker listening on ")
            .filter(|u| u.starts_with("http://"))
            .unwrap_or_else(|| {
                panic!(
                    "`shakedown broker --port 0` should print `shakedown broker listening on http://HOST:PORT` first; it printed {line:?} ({read:?}); its stderr:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .trim_end_matches('/')
            .to_string();
        Broker {
            url,
            log,
            _process: process,
            _dir: dir,
        }
    }

    /// What the broker logged so far.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// One run of a reference tool: its command line and what came out.
struct Run {
    line: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The run, described for a failure message, with the broker's log.
    fn describe(&self, broker: &Broker) -> String {
        format!(
            "$ {}\nexit code: {:?}\nstdout:\n{}\nstderr:\n{}\nshakedown broker's log:\n{}",
            self.line,
            self.code,
            self.stdout,
            self.stderr,
            broker.log()
        )
    }

    /// Asserts the run exited with `code`.
    fn expect(self, code: i32, what: &str, broker: &Broker) -> Run {
        assert_eq!(self.code, Some(code), "{what}:\n{}", self.describe(broker));
        self
    }
}

/// Runs `tool args` (from the crate's root, no tracking, no retries) to its end, at most
/// [`COMMAND_TIMEOUT`].
fn run(tool: &[String], args: &[&str]) -> Run {
    let line = tool
        .iter()
        .map(String::as_str)
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let child = Command::new(&tool[0])
        .args(&tool[1..])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PACT_DO_NOT_TRACK", "true")
        .env("PACT_BROKER_HTTP_RETRIES", "0")
        .env_remove("PACT_BROKER_BASE_URL")
        .env_remove("PACT_BROKER_TOKEN")
        .env_remove("PACT_BROKER_USERNAME")
        .env_remove("PACT_BROKER_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{line} could not start: {e}"));
    let output = wait_at_most(child, COMMAND_TIMEOUT)
        .unwrap_or_else(|| panic!("{line} took more than {COMMAND_TIMEOUT:?}"));
    Run {
        line,
        code: output.status.code(),
        stdout: plain(&output.stdout),
        stderr: plain(&output.stderr),
    }
}

/// Text without ANSI colour sequences (`ESC [ … m`).
fn plain(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            out.push(c);
        }
    }
    out
}

/// The child's output when it ends within `limit`; killed and `None` otherwise.
fn wait_at_most(child: std::process::Child, limit: Duration) -> Option<Output> {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(output) => Some(output.expect("the tool's output is read")),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            let _ = rx.recv_timeout(Duration::from_secs(5));
            None
        }
    }
}

fn broker_client() -> &'static [String] {
    pact_broker_client().expect("checked by Need::PactBrokerClient")
}

/// `pact broker publish` of the web consumer's contract as `version` on `branch`.
fn publish(broker: &Broker, version: &str, branch: &str) {
    publish_file(broker, WEB_ORDERS, version, branch);
}

/// `pact broker publish` of `file` as `version` on `branch`.
fn publish_file(broker: &Broker, file: &str, version: &str, branch: &str) {
    let args = ["publish", file, "--broker-base-url", &broker.url];
    let args = [
        &args[..],
        &["--consumer-app-version", version, "--branch", branch],
    ]
    .concat();
    run(broker_client(), &args).expect(
        0,
        "pact broker publish should publish the web consumer's contract",
        broker,
    );
}

/// `pact verifier` of the orders provider's pacts from the broker (the web consumer's main
/// branch, pending status on) against the example orders provider (`broken`: one that
/// renames a field the contract needs), publishing the results as `version` on main.
fn verify(broker: &Broker, version: &str, broken: bool) -> Run {
    verify_with(broker, version, broken, &[r#"{"branch": "main"}"#])
}

/// [`verify`] with these consumer version selectors and `extra` arguments.
fn verify_with(broker: &Broker, version: &str, broken: bool, selectors_then_extra: &[&str]) -> Run {
    let config = orders_service::Config {
        rename_status: broken,
    };
    let provider = orders_service::start("127.0.0.1:0", config).unwrap();
    let state = format!("{}/_pact/state", provider.url());
    let port = provider.addr.port().to_string();
    let args = [
        "--broker-url",
        &broker.url,
        "--provider-name",
        "orders",
        "--hostname",
        "127.0.0.1",
        "--port",
        &port,
        "--state-change-url",
        &state,
        "--state-change-teardown",
        "--consumer-version-selectors",
        selectors_then_extra[0],
        "--enable-pending",
        "--provider-version",
        version,
        "--provider-branch",
        "main",
        "--publish",
        "--no-colour",
    ];
    let args = [&args[..], &selectors_then_extra[1..]].concat();
    run(
        pact_verifier().expect("checked by Need::PactVerifier"),
        &args,
    )
}

/// `pact broker can-i-deploy` of `pacticipant` `version`, then `extra`.
fn can_i_deploy(broker: &Broker, pacticipant: &str, version: &str, extra: &[&str]) -> Run {
    let args = [
        "can-i-deploy",
        "--broker-base-url",
        &broker.url,
        "--pacticipant",
        pacticipant,
        "--version",
        version,
    ];
    run(broker_client(), &[&args[..], extra].concat())
}

/// The web consumer's contract published as 1.0.0 on main; orders 1.0.0 verified it
/// (success) and orders 2.0.0, which breaks it, too (failure), both results published.
fn published_and_verified() -> Broker {
    let broker = Broker::start();
    publish(&broker, "1.0.0", "main");
    let good = verify(&broker, "1.0.0", false).expect(
        0,
        "pact verifier should fetch the web pact from the broker, verify it against the orders provider and publish the result",
        &broker,
    );
    assert!(
        good.stdout
            .contains("Verifying a pact between web and orders"),
        "pact verifier should have verified the web pact it fetched:\n{}",
        good.describe(&broker)
    );
    let broken = verify(&broker, "2.0.0", true);
    let mismatch = broken.code == Some(1)
        && broken.stdout.contains("has a matching body")
        && !broken.stdout.contains("Failed to load pact");
    assert!(
        mismatch,
        "pact verifier should fetch the web pact and fail it (not pending: main verified it before) for a provider that renames `status`:\n{}",
        broken.describe(&broker)
    );
    broker
}

/// Asserts can-i-deploy answered (not an error): yes with exit 0, or no with exit 1.
fn assert_answer(run: Run, yes: bool, what: &str, broker: &Broker) {
    let (code, words) = if yes {
        (0, "Computer says yes")
    } else {
        (1, "Computer says no")
    };
    let run = run.expect(code, what, broker);
    assert!(
        run.stdout.contains(words),
        "{what}: `{words}` expected:\n{}",
        run.describe(broker)
    );
}

fn should_publish_verify_and_answer_can_i_deploy_for_the_reference_client() {
    let broker = published_and_verified();
    let web_1 = ["--pacticipant", "web", "--version", "1.0.0"];
    let orders_1 = ["--pacticipant", "orders", "--version", "1.0.0"];
    let yes = can_i_deploy(&broker, "orders", "1.0.0", &web_1);
    assert_answer(
        yes,
        true,
        "can-i-deploy orders 1.0.0 with web 1.0.0 should answer yes (exit 0)",
        &broker,
    );
    let yes = can_i_deploy(&broker, "web", "1.0.0", &orders_1);
    assert_answer(
        yes,
        true,
        "can-i-deploy web 1.0.0 with orders 1.0.0 should answer yes (exit 0)",
        &broker,
    );
    let no = can_i_deploy(&broker, "orders", "2.0.0", &web_1);
    assert_answer(no, false, "can-i-deploy orders 2.0.0 (which broke the web pact) with web 1.0.0 should answer no (exit 1)", &broker);
}

/// `pact broker record-deployment` of `pacticipant` `version` to production, which must pass.
fn record_deployment(broker: &Broker, pacticipant: &str, version: &str) {
    let args = [
        "record-deployment",
        "--pacticipant",
        pacticipant,
        "--version",
        version,
        "--environment",
        "production",
        "--broker-base-url",
        &broker.url,
    ];
    let what = format!(
        "pact broker record-deployment should record {pacticipant} {version} in production"
    );
    run(broker_client(), &args).expect(0, &what, broker);
}

fn should_record_deployments_and_answer_can_i_deploy_to_an_environment() {
    let broker = published_and_verified();
    let url = broker.url.as_str();
    let create = [
        "create-environment",
        "--name",
        "production",
        "--production",
        "--broker-base-url",
        url,
    ];
    run(broker_client(), &create).expect(
        0,
        "pact broker create-environment should create production",
        &broker,
    );
    record_deployment(&broker, "web", "1.0.0");
    let to_production = ["--to-environment", "production"];
    let yes = can_i_deploy(&broker, "orders", "1.0.0", &to_production);
    assert_answer(yes, true, "can-i-deploy orders 1.0.0 to production (where web 1.0.0 runs, verified) should answer yes", &broker);
    let no = can_i_deploy(&broker, "orders", "2.0.0", &to_production);
    assert_answer(
        no,
        false,
        "can-i-deploy orders 2.0.0 to production (where web 1.0.0 runs, broken) should answer no",
        &broker,
    );
    record_deployment(&broker, "orders", "1.0.0");
}

/// The web contract with one more field expected of an existing order (`eta`), which the
/// orders provider does not send: a change on a consumer's feature branch.
fn web_contract_wanting_an_eta(dir: &std::path::Path) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(WEB_ORDERS);
    let mut pact: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let interactions = pact["interactions"].as_array_mut().expect("interactions");
    let existing = interactions
        .iter_mut()
        .find(|i| i["description"] == "a request for an existing order")
        .expect("the existing-order interaction");
    existing["response"]["body"]["content"]["eta"] = serde_json::json!("tomorrow");
    let file = dir.join("web-orders.json");
    std::fs::write(&file, serde_json::to_string_pretty(&pact).unwrap()).unwrap();
    file.display().to_string()
}

fn should_verify_a_feature_branch_pact_as_work_in_progress() {
    let broker = Broker::start();
    publish(&broker, "1.0.0", "main");
    verify(&broker, "1.0.0", false).expect(0, "orders 1.0.0 verifies web's main pact", &broker);
    let dir = tempfile::tempdir().unwrap();
    publish_file(
        &broker,
        &web_contract_wanting_an_eta(dir.path()),
        "1.1.0",
        "feat-eta",
    );
    let since = ["--include-wip-pacts-since", "2020-01-01"];
    let wip = verify_with(
        &broker,
        "1.0.1",
        false,
        &[r#"{"mainBranch": true}"#, since[0], since[1]],
    );
    let wip = wip.expect(
        0,
        "a failing work-in-progress pact (web's feat-eta branch, not selected, never verified) is pending, so pact verifier should pass",
        &broker,
    );
    for words in ["work in progress", "missing the following keys: eta"] {
        assert!(
            wip.stdout.contains(words),
            "pact verifier should have verified web's feat-eta pact as WIP and seen it fail (`{words}`):\n{}",
            wip.describe(&broker)
        );
    }
    let orders = ["--pacticipant", "orders", "--version", "1.0.1"];
    let no = can_i_deploy(&broker, "web", "1.1.0", &orders);
    assert_answer(
        no,
        false,
        "can-i-deploy web 1.1.0 (its pact failed, as WIP) with orders 1.0.1 should answer no",
        &broker,
    );
    let web_1 = ["--pacticipant", "web", "--version", "1.0.0"];
    let yes = can_i_deploy(&broker, "orders", "1.0.1", &web_1);
    assert_answer(
        yes,
        true,
        "can-i-deploy orders 1.0.1 with web 1.0.0 (main, verified) should answer yes",
        &broker,
    );
}
