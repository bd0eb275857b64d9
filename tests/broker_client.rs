//! The broker client honours the Pact Broker's contract: driven against `shakedown mock`
//! serving the contract the official client records (`Pact Broker Client V2-Pact
//! Broker.json`, read in place from `$SHAKEDOWN_PACT_BROKER` or `../shared/pact-broker`),
//! each operation in the provider states its interactions need (a small proxy in front of
//! the mock adds `X-Provider-State` per request), every request matched and every answer
//! read. Pacts for verification and verification results, which that contract lacks, are
//! recorded as our own consumer contract (`tests/data/broker/shakedown-Pact Broker.json`,
//! for the server side to verify). Then the CLI: exit codes and messages for broker errors,
//! retries, and verification from a broker with pending pacts.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{json, Value};
use shakedown::broker::client::{
    block_on, Auth, Broker, BrokerError, ContractFile, Environment, MatrixQuery, MatrixSelector,
    NewEnvironment, PactVersion, PactsQuery, Publication, Retry, VerificationResult,
};
use shakedown::consumer::matchers::*;
use shakedown::consumer::Contract;

use common::cli::{shakedown, text};
use common::harness::Tests;
use common::prerequisite::{pact_broker, Need};
use common::process::{announcing, Server};
use common::wait::free_port;

const BROKER: &[Need] = &[Need::PactBroker];
const VERSION: &str = "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30";

fn main() -> ExitCode {
    Tests::new()
        .needs(BROKER, "should_read_the_index", should_read_the_index)
        .needs(BROKER, "should_publish_contracts", should_publish_contracts)
        .needs(
            BROKER,
            "should_list_get_create_and_update_pacticipants",
            should_list_get_create_and_update_pacticipants,
        )
        .needs(
            BROKER,
            "should_read_the_latest_versions",
            should_read_the_latest_versions,
        )
        .needs(
            BROKER,
            "should_tag_versions_and_delete_branches",
            should_tag_versions_and_delete_branches,
        )
        .needs(
            BROKER,
            "should_list_find_and_create_environments",
            should_list_find_and_create_environments,
        )
        .needs(
            BROKER,
            "should_record_deployments_and_releases",
            should_record_deployments_and_releases,
        )
        .needs(
            BROKER,
            "should_record_an_undeployment",
            should_record_an_undeployment,
        )
        .needs(
            BROKER,
            "should_ask_the_matrix_and_can_i_deploy",
            should_ask_the_matrix_and_can_i_deploy,
        )
        .needs(
            BROKER,
            "should_read_the_latest_pacts",
            should_read_the_latest_pacts,
        )
        .test(
            "should_record_our_contract_of_pacts_for_verification_and_results",
            should_record_our_contract_of_pacts_for_verification_and_results,
        )
        .test(
            "cli_should_explain_a_refused_token_with_exit_2",
            cli_should_explain_a_refused_token_with_exit_2,
        )
        .test(
            "cli_should_send_the_token_from_the_environment",
            cli_should_send_the_token_from_the_environment,
        )
        .test(
            "cli_should_name_the_missing_version_on_404",
            cli_should_name_the_missing_version_on_404,
        )
        .test(
            "cli_should_show_the_conflict_on_409",
            cli_should_show_the_conflict_on_409,
        )
        .test(
            "cli_should_retry_5xx_then_succeed",
            cli_should_retry_5xx_then_succeed,
        )
        .test(
            "cli_should_give_up_after_bounded_retries",
            cli_should_give_up_after_bounded_retries,
        )
        .test(
            "cli_should_say_when_the_broker_is_unreachable",
            cli_should_say_when_the_broker_is_unreachable,
        )
        .test(
            "cli_should_refuse_an_answer_that_is_not_hal",
            cli_should_refuse_an_answer_that_is_not_hal,
        )
        .test(
            "cli_should_print_the_brokers_no_with_exit_1",
            cli_should_print_the_brokers_no_with_exit_1,
        )
        .test(
            "cli_should_keep_local_commands_local",
            cli_should_keep_local_commands_local,
        )
        .test(
            "cli_should_ask_again_while_results_are_unknown",
            cli_should_ask_again_while_results_are_unknown,
        )
        .test(
            "cli_should_publish_and_record_deployments_releases_and_undeployments",
            cli_should_publish_and_record_deployments_releases_and_undeployments,
        )
        .test(
            "cli_should_verify_the_brokers_pacts_and_publish_results",
            cli_should_verify_the_brokers_pacts_and_publish_results,
        )
        .run()
}

// ---------------------------------------------------------------------------------------
// A tiny HTTP/1.1 server (one request per connection) for scripted brokers and the proxy.

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    /// The path as sent (percent-encoding kept), without the query.
    path: String,
    /// The path and query as sent.
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// An answer: status, content type, body.
struct Resp(u16, &'static str, Vec<u8>);

fn hal(status: u16, body: Value) -> Resp {
    Resp(
        status,
        "application/hal+json",
        body.to_string().into_bytes(),
    )
}

type Handler = dyn Fn(&Req) -> Resp + Send + Sync;

/// A server on loopback answering with `handler` (each connection on its own thread), its
/// requests kept.
struct Scripted {
    url: String,
    seen: Arc<Mutex<Vec<Req>>>,
}

impl Scripted {
    fn start(port: u16, handler: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Scripted {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("the test server cannot bind 127.0.0.1:{port}: {e}"));
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Req>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let kept = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, kept) = (handler.clone(), kept.clone());
                std::thread::spawn(move || serve(stream, &*handler, &kept));
            }
        });
        Scripted { url, seen }
    }

    fn requests(&self) -> Vec<Req> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Req>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or_default().to_string(),
        parts.next().unwrap_or_default().to_string(),
    );
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let path = target.split('?').next().unwrap_or_default().to_string();
    let req = Req {
        method,
        path,
        target,
        headers,
        body,
    };
    seen.lock().unwrap().push(req.clone());
    let Resp(status, content_type, body) = handler(&req);
    let mut out = stream;
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(head.as_bytes());
    let _ = out.write_all(&body);
}

// ---------------------------------------------------------------------------------------
// The Pact Broker's contract, served by `shakedown mock` behind a state-setting proxy.

/// `shakedown mock` serving the broker's contract, behind a proxy that adds the provider
/// state each (method, path) needs.
struct Fixture {
    _mock: Server,
    proxy: Scripted,
    states: Arc<Mutex<Vec<(String, String, String)>>>,
    /// The requests the mock matched to no interaction, with its explanation.
    unmatched: Arc<Mutex<Vec<String>>>,
}

impl Fixture {
    /// On a free port (`port` 0) or this one.
    fn start(port: u16) -> Fixture {
        let contract: PathBuf = pact_broker()
            .unwrap()
            .join("Pact Broker Client V2-Pact Broker.json");
        let mock = announcing(&mut shakedown(["mock".as_ref(), contract.as_os_str()]));
        let states: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
        let (upstream, rules) = (mock.url.clone(), states.clone());
        let unmatched: Arc<Mutex<Vec<String>>> = Arc::default();
        let noted = unmatched.clone();
        let client = reqwest::blocking::Client::new();
        let proxy = Scripted::start(port, move |req| {
            let state = rules
                .lock()
                .unwrap()
                .iter()
                .find(|(m, p, _)| m == &req.method && p == &req.path)
                .map(|(_, _, s)| s.clone());
            let method = reqwest::Method::from_bytes(req.method.as_bytes()).unwrap();
            let mut forward = client
                .request(method, format!("{upstream}{}", req.target))
                .body(req.body.clone());
            for (k, v) in &req.headers {
                if !["host", "content-length", "connection"]
                    .contains(&k.to_ascii_lowercase().as_str())
                {
                    forward = forward.header(k, v);
                }
            }
            if let Some(s) = state {
                forward = forward.header("X-Provider-State", s);
            }
            let answer = forward.send().expect("the mock answers");
            let status = answer.status().as_u16();
            let json = answer
                .headers()
                .get("content-type")
                .is_some_and(|t| t.to_str().unwrap_or_default().contains("json"));
            let body = answer.bytes().unwrap().to_vec();
            if status == 500 {
                let why = String::from_utf8_lossy(&body);
                noted
                    .lock()
                    .unwrap()
                    .push(format!("{} {}: {why}", req.method, req.target));
            }
            Resp(
                status,
                if json {
                    "application/hal+json"
                } else {
                    "text/plain"
                },
                body,
            )
        });
        Fixture {
            _mock: mock,
            proxy,
            states,
            unmatched,
        }
    }

    /// A client of the proxy that does not retry (a 500 is the mock's "no match").
    fn broker(&self) -> Broker {
        Broker::new(&self.proxy.url, Auth::None)
            .unwrap()
            .retry(Retry {
                retries: 0,
                first_delay: Default::default(),
            })
    }

    /// The states of the next requests: (method, path as sent, state).
    fn given(&self, rules: &[(&str, &str, &str)]) {
        *self.states.lock().unwrap() = rules
            .iter()
            .map(|(m, p, s)| (m.to_string(), p.to_string(), s.to_string()))
            .collect();
    }

    /// Every request the client sent matched an interaction (the mock answers 500 when not).
    fn assert_all_matched(&self) {
        let unmatched = self.unmatched.lock().unwrap();
        assert!(
            unmatched.is_empty(),
            "requests no interaction matched: {unmatched:#?}"
        );
        assert!(!self.proxy.requests().is_empty(), "the client sent nothing");
    }
}

/// Runs a client operation, its error shown on failure.
fn ok<T>(future: impl std::future::Future<Output = Result<T, BrokerError>>) -> T {
    block_on(future).unwrap().unwrap_or_else(|e| panic!("{e}"))
}

fn should_read_the_index() {
    let f = Fixture::start(0);
    let index = ok(f.broker().index());
    assert_eq!(index.link("pb:pacticipants").unwrap().href, "/pacticipants");
    assert_eq!(
        index.link("pb:pacticipant").unwrap().href,
        "/pacticipants/{pacticipant}"
    );
    assert_eq!(index.link("pb:webhooks").unwrap().href, "/webhooks");
    f.assert_all_matched();
}

fn should_publish_contracts() {
    let f = Fixture::start(0);
    f.given(&[(
        "GET",
        "/",
        "the pb:publish-contracts relations exists in the index resource",
    )]);
    // The contract's bytes exactly as the official client sent them (the broker keeps bytes).
    let content = base64::engine::general_purpose::STANDARD
        .decode("eyJjb25zdW1lciI6eyJuYW1lIjoiRm9vIn0sInByb3ZpZGVyIjp7Im5hbWUiOiJCYXIifSwiaW50ZXJhY3Rpb25zIjpbeyJkZXNjcmlwdGlvbiI6ImFuIGV4YW1wbGUgcmVxdWVzdCIsInByb3ZpZGVyU3RhdGUiOiJhIHByb3ZpZGVyIHN0YXRlIiwicmVxdWVzdCI6eyJtZXRob2QiOiJHRVQiLCJwYXRoIjoiLyIsImhlYWRlcnMiOnt9fSwicmVzcG9uc2UiOnsic3RhdHVzIjoyMDAsImhlYWRlcnMiOnsiQ29udGVudC1UeXBlIjoiYXBwbGljYXRpb24vaGFsK2pzb24ifX19XSwibWV0YWRhdGEiOnsicGFjdFNwZWNpZmljYXRpb24iOnsidmVyc2lvbiI6IjIuMC4wIn19fQ==")
        .unwrap();
    let publication = Publication {
        pacticipant: "Foo".into(),
        version: VERSION.into(),
        branch: Some("main".into()),
        tags: vec!["dev".into()],
        build_url: Some("http://build".into()),
        contracts: vec![ContractFile {
            consumer: "Foo".into(),
            provider: "Bar".into(),
            content,
        }],
        on_conflict: Some("merge".into()),
    };
    let published = ok(f.broker().publish_contracts(&publication));
    assert_eq!(published.version.as_deref(), Some(VERSION));
    assert_eq!(published.contracts, ["http://some-pact"]);
    assert_eq!(
        (
            published.notices[0].level.as_str(),
            published.notices[0].text.as_str()
        ),
        ("info", "some message")
    );
    f.assert_all_matched();
}

fn should_list_get_create_and_update_pacticipants() {
    let f = Fixture::start(0);
    let b = f.broker();
    f.given(&[("GET", "/pacticipants", "'Condor' exists in the pact-broker")]);
    let all = ok(b.pacticipants());
    assert_eq!(
        (all[0].name.as_str(), all[0].latest_version.as_deref()),
        ("Condor", Some("1.3.0"))
    );

    let pricing = "/pacticipants/Pricing%20Service";
    f.given(&[
        ("GET", "/", "the pacticipant relations are present"),
        (
            "GET",
            pricing,
            "the 'Pricing Service' already exists in the pact-broker",
        ),
    ]);
    let p = ok(b.pacticipant("Pricing Service")).expect("it exists");
    assert_eq!(p.name, "Pricing Service");
    assert_eq!(
        p.repository_url.as_deref(),
        Some("git@git.realestate.com.au:business-systems/pricing-service")
    );
    assert_eq!(p.latest_version.as_deref(), Some("1.3.0"));
    f.given(&[
        ("GET", "/", "the pacticipant relations are present"),
        (
            "GET",
            pricing,
            "the 'Pricing Service' does not exist in the pact-broker",
        ),
    ]);
    assert_eq!(ok(b.pacticipant("Pricing Service")), None);

    f.given(&[
        ("GET", "/", "the pacticipant relations are present"),
        (
            "GET",
            "/pacticipants/Foo",
            "a pacticipant with name Foo exists",
        ),
    ]);
    assert_eq!(ok(b.pacticipant("Foo")).unwrap().name, "Foo");
    f.given(&[("GET", "/", "the pacticipant relations are present")]);
    assert_eq!(
        ok(b.pacticipant("Foo")),
        None,
        "the stateless interaction: 404"
    );

    f.given(&[]);
    let created = ok(b.create_pacticipant("Foo", Some("http://foo")));
    assert_eq!(
        (created.name.as_str(), created.repository_url.as_deref()),
        ("Foo", Some("http://foo"))
    );
    f.given(&[
        ("GET", "/", "the pacticipant relations are present"),
        (
            "PATCH",
            "/pacticipants/Foo",
            "a pacticipant with name Foo exists",
        ),
    ]);
    let updated = ok(b.update_pacticipant("Foo", Some("http://foo")));
    assert_eq!(updated.repository_url.as_deref(), Some("http://foo"));
    f.assert_all_matched();
}

fn should_read_the_latest_versions() {
    // The contract's index links are absolute, to the official client's mock at port 9999.
    let f = Fixture::start(9999);
    let b = f.broker();
    f.given(&[
        (
            "GET",
            "/",
            "the pb:latest-version relation exists in the index resource",
        ),
        (
            "GET",
            "/pacticipants/Condor/latest-version",
            "'Condor' exists in the pact-broker with the latest version 1.2.3",
        ),
    ]);
    assert_eq!(
        ok(b.latest_version("Condor", None)).number.as_deref(),
        Some("1.2.3")
    );
    f.given(&[
        (
            "GET",
            "/",
            "the pb:latest-tagged-version relation exists in the index resource",
        ),
        (
            "GET",
            "/pacticipants/Condor/latest-version/production",
            "'Condor' exists in the pact-broker with the latest tagged 'production' version 1.2.3",
        ),
    ]);
    let tagged = ok(b.latest_version("Condor", Some("production")));
    assert_eq!(
        (tagged.number.as_deref(), tagged.href.as_deref()),
        (Some("1.2.3"), Some("/some-url"))
    );
    f.assert_all_matched();
}

fn should_tag_versions_and_delete_branches() {
    let f = Fixture::start(0);
    let b = f.broker();
    for state in [
        "'Condor' does not exist in the pact-broker",
        "'Condor' exists in the pact-broker",
        "'Condor' exists in the pact-broker with version 1.3.0, tagged with 'prod'",
    ] {
        f.given(&[(
            "PUT",
            "/pacticipants/Condor/versions/1.3.0/tags/prod",
            state,
        )]);
        ok(b.tag_version("Condor", "1.3.0", "prod"));
    }
    f.given(&[
        (
            "GET",
            "/",
            "the pb:pacticipant-branch relation exists in the index resource",
        ),
        (
            "DELETE",
            "/pacticipants/Foo/branches/main",
            "a branch named main exists for pacticipant Foo",
        ),
    ]);
    ok(b.delete_branch("Foo", "main"));
    f.assert_all_matched();
}

fn should_list_find_and_create_environments() {
    let f = Fixture::start(0);
    let b = f.broker();
    let index = (
        "GET",
        "/",
        "the pb:environments relation exists in the index resource",
    );
    f.given(&[index, ("GET", "/environments", "an environment exists")]);
    let all = ok(b.environments());
    assert_eq!(
        all,
        [Environment {
            name: "test".into(),
            uuid: Some("78e85fb2-9df1-48da-817e-c9bea6294e01".into()),
            display_name: Some("Test".into()),
            production: Some(false),
            href: None,
        }]
    );
    f.given(&[
        index,
        (
            "GET",
            "/environments",
            "an environment with name test exists",
        ),
    ]);
    assert_eq!(ok(b.environment("test")).href.as_deref(), Some("href"));
    let missing = block_on(b.environment("prod")).unwrap().unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("environment \"prod\" (the broker has: test)"),
        "{missing}"
    );

    f.given(&[index]);
    let created = ok(b.create_environment(&NewEnvironment {
        name: "test".into(),
        display_name: Some("Test".into()),
        production: false,
        contacts: vec![json!({"name": "Foo team", "details": {"emailAddress": "foo@bar.com"}})],
    }));
    assert_eq!(
        created.uuid.as_deref(),
        Some("ffe683ef-dcd7-4e4f-877d-f6eb3db8e86e")
    );
    f.assert_all_matched();
}

fn should_record_deployments_and_releases() {
    let f = Fixture::start(0);
    let b = f.broker();
    let index = (
        "GET",
        "/",
        "the pb:pacticipant-version and pb:environments relations exist in the index resource",
    );
    let version = format!("/pacticipants/Foo/versions/{VERSION}");
    let deployable = format!("version {VERSION} of pacticipant Foo exists with a test environment available for deployment");
    let deploy =
        format!("{version}/deployed-versions/environment/cb632df3-0a0d-4227-aac3-60114dd36479");
    f.given(&[
        index,
        ("GET", &version, &deployable),
        ("POST", &deploy, &deployable),
    ]);
    let answer = ok(b.record_deployment("Foo", VERSION, "test", Some("blue")));
    assert_eq!(answer, json!({"target": "blue"}));

    let elsewhere = format!("version {VERSION} of pacticipant Foo exists with 2 environments that aren't test available for deployment");
    f.given(&[index, ("GET", &version, &elsewhere)]);
    let e = block_on(b.record_deployment("Foo", VERSION, "test", None))
        .unwrap()
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("environment \"test\" (the broker has: prod, dev)"),
        "{e}"
    );

    let releasable = format!(
        "version {VERSION} of pacticipant Foo exists with a test environment available for release"
    );
    let release =
        format!("{version}/released-versions/environment/cb632df3-0a0d-4227-aac3-60114dd36479");
    f.given(&[
        index,
        ("GET", &version, &releasable),
        ("POST", &release, &deployable),
    ]);
    ok(b.record_release("Foo", VERSION, "test"));
    f.assert_all_matched();
}

fn should_record_an_undeployment() {
    let f = Fixture::start(0);
    let b = f.broker();
    let env = "/environments/16926ef3-590f-4e3f-838e-719717aa88c9";
    f.given(&[
        ("GET", env, "an environment with name test and UUID 16926ef3-590f-4e3f-838e-719717aa88c9 exists"),
        ("GET", &format!("{env}/deployed-versions/currently-deployed"), "an version is deployed to environment with UUID 16926ef3-590f-4e3f-838e-719717aa88c9 with target customer-1"),
        ("PATCH", "/deployed-versions/ff3adecf-cfc5-4653-a4e3-f1861092f8e0", "a currently deployed version exists"),
    ]);
    // The contract's environment list links to "href": start from the environment itself.
    let test = Environment {
        name: "test".into(),
        href: Some(env.into()),
        ..Default::default()
    };
    let deployed = ok(b.currently_deployed(&test, "Foo"));
    assert_eq!(deployed.len(), 1);
    assert_eq!(
        deployed[0].href,
        "/deployed-versions/ff3adecf-cfc5-4653-a4e3-f1861092f8e0"
    );
    assert_eq!(
        deployed[0].application_instance.as_deref(),
        Some("customer-1")
    );
    ok(b.undeploy(&deployed[0]));
    f.assert_all_matched();
}

fn selector(p: &str, version: Option<&str>) -> MatrixSelector {
    MatrixSelector {
        pacticipant: p.into(),
        version: version.map(str::to_string),
        ..Default::default()
    }
}

fn should_ask_the_matrix_and_can_i_deploy() {
    let f = Fixture::start(0);
    let b = f.broker();
    let cvpv = Some("cvpv".to_string());

    f.given(&[(
        "GET",
        "/matrix",
        "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version 5.6.7",
    )]);
    let m = ok(b.can_i_deploy("Foo", "1.2.3", None));
    assert_eq!(
        (m.deployable, m.reason.as_deref(), m.unknown),
        (Some(true), Some("some text"), Some(1))
    );
    assert_eq!(
        (
            m.rows[0].consumer.as_str(),
            m.rows[0].provider_version.as_deref(),
            m.rows[0].success
        ),
        ("Foo", Some("5"), Some(true))
    );

    for (pacticipant, state) in [
        (
            "Foo",
            "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6",
        ),
        (
            "Foo Thing",
            "the pact for Foo Thing version 1.2.3 has been verified by Bar version 4.5.6",
        ),
    ] {
        f.given(&[("GET", "/matrix", state)]);
        let q = MatrixQuery {
            selectors: vec![
                selector(pacticipant, Some("1.2.3")),
                selector("Bar", Some("4.5.6")),
            ],
            latestby: cvpv.clone(),
            ..Default::default()
        };
        assert_eq!(ok(b.matrix(&q)).deployable, Some(true), "{pacticipant}");
    }

    f.given(&[("GET", "/matrix", "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 with tag prod, and 1.2.4 unsuccessfully by 9.9.9")]);
    let latest_prod_bar = MatrixSelector {
        latest: Some(true),
        tag: Some("prod".into()),
        ..selector("Bar", None)
    };
    let q = MatrixQuery {
        selectors: vec![selector("Foo", Some("1.2.3")), latest_prod_bar],
        latestby: cvpv.clone(),
        ..Default::default()
    };
    assert_eq!(ok(b.matrix(&q)).rows.len(), 1);

    f.given(&[("GET", "/matrix", "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 (tagged prod) and version 5.6.7")]);
    let q = MatrixQuery {
        selectors: vec![selector("Foo", Some("1.2.3"))],
        latestby: Some("cvp".into()),
        latest: Some(true),
        tag: Some("prod".into()),
        ..Default::default()
    };
    let m = ok(b.matrix(&q));
    assert_eq!(
        (
            m.rows[0].consumer_version.as_deref(),
            m.rows[0].provider_version.as_deref(),
            m.deployable
        ),
        (Some("1.2.3"), Some("4.5.6"), None)
    );

    f.given(&[("GET", "/matrix", "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6, and 1.2.4 unsuccessfully by 9.9.9")]);
    let latest_bar = MatrixSelector {
        latest: Some(true),
        ..selector("Bar", None)
    };
    let q = MatrixQuery {
        selectors: vec![selector("Foo", Some("1.2.4")), latest_bar],
        latestby: cvpv.clone(),
        ..Default::default()
    };
    assert_eq!(ok(b.matrix(&q)).deployable, Some(true));
    let q = MatrixQuery {
        selectors: vec![selector("Foo", None), selector("Bar", None)],
        latestby: cvpv.clone(),
        success: Some(true),
        ..Default::default()
    };
    assert_eq!(ok(b.matrix(&q)).rows.len(), 1);

    f.given(&[]);
    let q = MatrixQuery {
        selectors: vec![
            selector("Wiffle", Some("1.2.3")),
            selector("Meep", Some("9.9.9")),
        ],
        latestby: cvpv.clone(),
        ..Default::default()
    };
    let e = block_on(b.matrix(&q)).unwrap().unwrap_err();
    assert!(
        matches!(&e, BrokerError::Rejected { status: 400, message, .. } if message == "an error message"),
        "{e}"
    );

    f.given(&[(
        "GET",
        "/matrix",
        "the pact for Foo version 1.2.3 and 1.2.4 has been verified by Bar version 4.5.6",
    )]);
    let q = MatrixQuery {
        selectors: vec![selector("Foo", None), selector("Bar", None)],
        latestby: cvpv.clone(),
        ..Default::default()
    };
    assert_eq!(ok(b.matrix(&q)).rows.len(), 2);

    f.given(&[(
        "GET",
        "/matrix",
        "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6",
    )]);
    let q = MatrixQuery {
        selectors: vec![
            selector("Foo", Some("1.2.3")),
            selector("Bar", Some("9.9.9")),
        ],
        latestby: cvpv.clone(),
        ..Default::default()
    };
    let m = ok(b.matrix(&q));
    assert_eq!(
        (m.deployable, m.reason.as_deref(), m.rows.len()),
        (None, Some("an error message"), 0)
    );

    f.given(&[("GET", "/matrix", "provider Bar version 4.5.6 has a successful verification for Foo version 1.2.3 tagged prod and a failed verification for version 3.4.5 tagged prod")]);
    let prod_foo = MatrixSelector {
        tag: Some("prod".into()),
        ..selector("Foo", None)
    };
    let q = MatrixQuery {
        selectors: vec![selector("Bar", Some("4.5.6")), prod_foo],
        ignore: vec![("Foo".into(), Some("3.4.5".into()))],
        latestby: cvpv,
        ..Default::default()
    };
    let m = ok(b.matrix(&q));
    assert_eq!(
        (m.deployable, m.rows[1].ignored, m.rows[1].success),
        (Some(true), true, Some(false))
    );
    assert_eq!(m.notices[0].text, "some notice");
    f.assert_all_matched();
}

fn should_read_the_latest_pacts() {
    let f = Fixture::start(0);
    let b = f.broker();
    f.given(&[(
        "GET",
        "/pacts/latest",
        "a pact between Condor and the Pricing Service exists",
    )]);
    let all = ok(b.latest_pacts());
    assert_eq!(
        (
            all[0].consumer.as_str(),
            all[0].provider.as_deref(),
            all[0].consumer_version.as_deref()
        ),
        ("Condor", Some("Pricing Service"), Some("1.3.0"))
    );

    let provider = "/pacts/provider/Pricing%20Service/latest";
    f.given(&[(
        "GET",
        provider,
        "a latest pact between Condor and the Pricing Service exists",
    )]);
    let latest = ok(b.latest_provider_pacts("Pricing Service", None));
    assert_eq!(latest[0].consumer, "Condor");
    f.given(&[(
        "GET",
        &format!("{provider}/prod"),
        "tagged as prod pact between Condor and the Pricing Service exists",
    )]);
    assert_eq!(
        ok(b.latest_provider_pacts("Pricing Service", Some("prod"))).len(),
        1
    );

    let between = "/pacts/provider/Pricing%20Service/consumer/Condor";
    f.given(&[("GET", &format!("{between}/version/1.3.0"), "the 'Pricing Service' and 'Condor' already exist in the pact-broker, and Condor already has a pact published for version 1.3.0")]);
    let pact =
        ok(b.pact_between("Pricing Service", "Condor", PactVersion::Number("1.3.0"))).unwrap();
    assert_eq!(pact.content["consumer"]["name"], "Condor");
    f.given(&[(
        "GET",
        &format!("{between}/latest"),
        "a pact between Condor and the Pricing Service exists",
    )]);
    assert!(ok(b.pact_between("Pricing Service", "Condor", PactVersion::Latest)).is_some());
    f.given(&[(
        "GET",
        &format!("{between}/latest"),
        "no pact between Condor and the Pricing Service exists",
    )]);
    assert!(ok(b.pact_between("Pricing Service", "Condor", PactVersion::Latest)).is_none());
    f.given(&[(
        "GET",
        &format!("{between}/latest/prod"),
        "a pact between Condor and the Pricing Service exists for the production version of Condor",
    )]);
    assert!(ok(b.pact_between(
        "Pricing Service",
        "Condor",
        PactVersion::LatestTagged("prod")
    ))
    .is_some());
    f.assert_all_matched();
}

// ---------------------------------------------------------------------------------------
// Our own consumer contract: pacts for verification and verification results.

/// Where our contract of the broker is committed (the server side verifies it).
fn committed_contract() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/broker/shakedown-Pact Broker.json")
}

const PACT_VERSION: &str = "0e3369199f4008231946e0245474537443ccda2a";
const STATE: &str = "Foo version 1.0.0 on branch main has a pact with Bar";

fn broker_contract(dir: &std::path::Path) -> Contract {
    let mut c = Contract::new("shakedown", "Pact Broker").output_dir(dir);
    let pact_path = format!("/pacts/provider/Bar/consumer/Foo/pact-version/{PACT_VERSION}");
    let results_path = format!("{pact_path}/verification-results");
    let pact_path_from_state = "/pacts/provider/Bar/consumer/Foo/pact-version/${pactVersion}";
    let results_from_state =
        "/pacts/provider/Bar/consumer/Foo/pact-version/${pactVersion}/verification-results";
    c.interaction("a request for the index resource with the pacts for verification relation", |i| {
        i.given(STATE)
            .request(|r| {
                r.get("/").header("Accept", "application/hal+json");
            })
            .response(|r| {
                r.status(200).header("Content-Type", regex("application/hal\\+json.*", "application/hal+json")).json(json!({
                    "_links": {"pb:provider-pacts-for-verification": {
                        "href": mock_server_url(".*(\\/pacts\\/provider\\/\\{provider\\}\\/for-verification)$", "http://localhost:9292/pacts/provider/{provider}/for-verification"),
                        "templated": true
                    }}
                }));
            });
    });
    c.interaction("a request for the pacts for verification of Bar from Foo's main branch", |i| {
        i.given(STATE)
            .request(|r| {
                r.post("/pacts/provider/Bar/for-verification")
                    .header("Accept", "application/hal+json")
                    .header("Content-Type", "application/json")
                    .json(json!({
                        "consumerVersionSelectors": [{"mainBranch": true}],
                        "providerVersionBranch": "main",
                        "includePendingStatus": true,
                        "includeWipPactsSince": "2020-01-01"
                    }));
            })
            .response(|r| {
                r.status(200).header("Content-Type", regex("application/hal\\+json.*", "application/hal+json")).json(json!({
                    "_embedded": {"pacts": each_like(json!({
                        "shortDescription": like("latest from Foo's main branch"),
                        "verificationProperties": {
                            "pending": boolean(true),
                            "notices": each_like(json!({
                                "when": like("before_verification"),
                                "text": like("The pact at ... is being verified because it matches the following configured selection criterion: latest pact for a consumer version from the consumer's main branch")
                            }), 1)
                        },
                        "_links": {"self": {
                            "href": mock_server_url(".*(\\/pacts\\/provider\\/Bar\\/consumer\\/Foo\\/pact-version\\/[0-9a-f]+)$", &format!("http://localhost:9292/pacts/provider/Bar/consumer/Foo/pact-version/{PACT_VERSION}")),
                            "name": like("Pact between Foo (1.0.0) and Bar")
                        }}
                    }), 1)}
                }));
            });
    });
    c.interaction("a request for a pact to verify", |i| {
        i.given(STATE)
            .request(|r| {
                r.get(from_provider_state(pact_path_from_state, pact_path.as_str())).header("Accept", "application/hal+json");
            })
            .response(|r| {
                r.status(200).header("Content-Type", regex("application/(hal\\+)?json.*", "application/hal+json")).json(json!({
                    "consumer": {"name": "Foo"},
                    "provider": {"name": "Bar"},
                    "interactions": like(json!([{"description": "a request for the greeting", "request": {"method": "GET", "path": "/hello"}, "response": {"status": 200}}])),
                    "_links": {"pb:publish-verification-results": {
                        "href": mock_server_url(".*(\\/pacts\\/provider\\/Bar\\/consumer\\/Foo\\/pact-version\\/[0-9a-f]+\\/verification-results)$", &format!("http://localhost:9292{results_path}"))
                    }}
                }));
            });
    });
    c.interaction("a request to publish a verification result", |i| {
        i.given(STATE)
            .request(|r| {
                r.post(from_provider_state(results_from_state, results_path.as_str()))
                    .header("Accept", "application/hal+json")
                    .header("Content-Type", "application/json")
                    .json(json!({
                        "success": true,
                        "providerApplicationVersion": "4.5.6",
                        "verifiedBy": {"implementation": "shakedown", "version": like(env!("CARGO_PKG_VERSION"))}
                    }));
            })
            .response(|r| {
                r.status(201).header("Content-Type", regex("application/hal\\+json.*", "application/hal+json")).json(json!({
                    "success": boolean(true),
                    "providerApplicationVersion": like("4.5.6")
                }));
            });
    });
    c
}

fn should_record_our_contract_of_pacts_for_verification_and_results() {
    let dir = tempfile::tempdir().unwrap();
    let contract = broker_contract(dir.path());
    let server = contract.start_mock_server();
    let broker = Broker::new(server.url(), Auth::None).unwrap();
    let query = PactsQuery {
        provider: "Bar".into(),
        selectors: vec![json!({"mainBranch": true})],
        provider_version_branch: Some("main".into()),
        include_pending_status: true,
        include_wip_pacts_since: Some("2020-01-01".into()),
        ..Default::default()
    };
    let pacts = ok(broker.pacts_for_verification(&query));
    assert_eq!(pacts.len(), 1);
    assert!(pacts[0].pending && !pacts[0].wip);
    assert_eq!(pacts[0].description, "latest from Foo's main branch");
    assert_eq!(pacts[0].notices[0].level, "before_verification");
    assert!(pacts[0].href.starts_with(server.url()), "{}", pacts[0].href);
    let pact = ok(broker.fetch_pact(&pacts[0].href));
    assert_eq!(pact.content["interactions"][0]["request"]["path"], "/hello");
    assert!(pact
        .publish_results
        .as_deref()
        .is_some_and(|h| h.ends_with("/verification-results")));
    let result = VerificationResult {
        success: true,
        provider_version: "4.5.6".into(),
        build_url: None,
    };
    ok(broker.publish_verification(&pact, &result));
    let written = server.finish().unwrap().expect("the contract is written");

    let fresh = std::fs::read_to_string(written).unwrap();
    let committed = committed_contract();
    if std::env::var("SHAKEDOWN_UPDATE_CONTRACTS").is_ok_and(|v| v == "1") {
        std::fs::write(&committed, &fresh).unwrap();
    }
    let kept = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        kept == fresh,
        "{} is not the contract this test records: run it with SHAKEDOWN_UPDATE_CONTRACTS=1 and commit the file",
        committed.display()
    );
}

// ---------------------------------------------------------------------------------------
// The CLI against scripted brokers.

fn index(links: &[(&str, String)]) -> Value {
    let links: serde_json::Map<String, Value> = links
        .iter()
        .map(|(rel, href)| (rel.to_string(), json!({"href": href})))
        .collect();
    json!({"_links": links})
}

/// `shakedown ARGS --broker-url URL`, no broker variables from the test's environment.
fn against(url: &str, args: &[&str]) -> std::process::Output {
    shakedown(args)
        .args(["--broker-url", url])
        .env_remove("PACT_BROKER_BASE_URL")
        .env_remove("PACT_BROKER_TOKEN")
        .env_remove("PACT_BROKER_USERNAME")
        .env_remove("PACT_BROKER_PASSWORD")
        .output()
        .unwrap()
}

const CAN_I_DEPLOY: &[&str] = &["can-i-deploy", "--pacticipant", "Foo", "--version", "1.0.0"];

/// The command exited with `code` and said `says`.
fn assert_exit(out: &std::process::Output, code: i32, says: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", text(out));
    assert!(text(out).contains(says), "{}", text(out));
}

fn cli_should_explain_a_refused_token_with_exit_2() {
    let broker = Scripted::start(0, |_| Resp(401, "application/json", b"{}".to_vec()));
    let out = against(&broker.url, CAN_I_DEPLOY);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("HTTP 401")
            && said.contains("PACT_BROKER_TOKEN")
            && said.contains("PACT_BROKER_USERNAME"),
        "{said}"
    );
    assert_eq!(broker.requests().len(), 1, "a refusal is not retried");
}

fn matrix_answer(deployable: bool) -> Value {
    json!({"summary": {"deployable": deployable, "reason": if deployable { "All required verification results are published and successful" } else { "The verification for the pact between Foo 1.0.0 and Bar 2.0.0 failed" }, "unknown": 0},
           "matrix": [{"consumer": {"name": "Foo", "version": {"number": "1.0.0"}}, "provider": {"name": "Bar", "version": {"number": "2.0.0"}}, "verificationResult": {"success": deployable}}]})
}

fn cli_should_send_the_token_from_the_environment() {
    let broker = Scripted::start(0, |req| {
        match (req.header("Authorization"), req.path.as_str()) {
            (Some("Bearer t0ken"), "/") => hal(200, index(&[])),
            (Some("Bearer t0ken"), "/matrix") => hal(200, matrix_answer(true)),
            _ => Resp(401, "application/json", b"{}".to_vec()),
        }
    });
    let out = shakedown(CAN_I_DEPLOY)
        .env("PACT_BROKER_BASE_URL", &broker.url)
        .env("PACT_BROKER_TOKEN", "t0ken")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("Foo 1.0.0: yes") && said.contains("All required verification results"),
        "{said}"
    );
    let asked = broker
        .requests()
        .iter()
        .find(|r| r.path == "/matrix")
        .unwrap()
        .target
        .clone();
    assert!(
        asked.contains("q[][pacticipant]=Foo") && asked.contains("latestby=cvp"),
        "{asked}"
    );
}

fn cli_should_name_the_missing_version_on_404() {
    let url = Arc::new(Mutex::new(String::new()));
    let base = url.clone();
    let broker = Scripted::start(0, move |req| match req.path.as_str() {
        "/" => hal(
            200,
            index(&[(
                "pb:pacticipant-version",
                format!(
                    "{}/pacticipants/{{pacticipant}}/versions/{{version}}",
                    base.lock().unwrap()
                ),
            )]),
        ),
        _ => Resp(404, "application/json", Vec::new()),
    });
    *url.lock().unwrap() = broker.url.clone();
    let out = against(
        &broker.url,
        &[
            "record-deployment",
            "--pacticipant",
            "Foo Bar",
            "--version",
            "9.9",
            "--environment",
            "prod",
        ],
    );
    assert_exit(&out, 2, "version 9.9 of pacticipant \"Foo Bar\" not found");
    assert!(
        broker
            .requests()
            .iter()
            .any(|r| r.path == "/pacticipants/Foo%20Bar/versions/9.9"),
        "the href was expanded, encoded"
    );
}

fn write_pact(dir: &std::path::Path) -> PathBuf {
    let file = dir.join("Foo-Bar.json");
    let pact = json!({"consumer": {"name": "Foo"}, "provider": {"name": "Bar"}, "interactions": [
        {"description": "a greeting", "request": {"method": "GET", "path": "/hello"}, "response": {"status": 200}}],
        "metadata": {"pactSpecification": {"version": "2.0.0"}}});
    std::fs::write(&file, pact.to_string()).unwrap();
    file
}

fn cli_should_show_the_conflict_on_409() {
    let broker = Scripted::start(0, |req| match req.path.as_str() {
        "/" => hal(
            200,
            index(&[("pb:publish-contracts", "/contracts/publish".into())]),
        ),
        _ => hal(
            409,
            json!({"notices": [{"type": "error", "text": "Cannot change the content of the pact for Foo version 1 and provider Bar"}], "errors": {"content": ["x"]}}),
        ),
    });
    let dir = tempfile::tempdir().unwrap();
    let file = write_pact(dir.path());
    let out = against(
        &broker.url,
        &[
            "publish",
            file.to_str().unwrap(),
            "--version",
            "1",
            "--branch",
            "main",
            "--tag",
            "dev",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("HTTP 409") && text(&out).contains("Cannot change the content"),
        "{}",
        text(&out)
    );
    let sent = broker
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap()
        .json();
    assert_eq!(
        (
            sent["pacticipantName"].as_str(),
            sent["branch"].as_str(),
            sent["tags"][0].as_str()
        ),
        (Some("Foo"), Some("main"), Some("dev"))
    );
    let content = base64::engine::general_purpose::STANDARD
        .decode(sent["contracts"][0]["content"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        content,
        std::fs::read(&file).unwrap(),
        "the file's bytes, as they are"
    );
}

fn cli_should_retry_5xx_then_succeed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let broker = Scripted::start(0, move |req| match req.path.as_str() {
        "/" if counted.fetch_add(1, Ordering::SeqCst) < 2 => {
            Resp(503, "text/plain", b"busy".to_vec())
        }
        "/" => hal(200, index(&[])),
        _ => hal(200, matrix_answer(true)),
    });
    let out = against(&broker.url, CAN_I_DEPLOY);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(calls.load(Ordering::SeqCst), 3, "two 503s, then the index");
}

fn cli_should_give_up_after_bounded_retries() {
    let broker = Scripted::start(0, |_| Resp(502, "text/plain", b"bad gateway".to_vec()));
    let started = std::time::Instant::now();
    let out = against(&broker.url, CAN_I_DEPLOY);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("HTTP 502")
            && text(&out).contains("4 attempt(s)")
            && text(&out).contains("bad gateway"),
        "{}",
        text(&out)
    );
    assert_eq!(broker.requests().len(), 4);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1400),
        "200 + 400 + 800 ms of backoff"
    );
}

fn cli_should_say_when_the_broker_is_unreachable() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let out = against(&url, CAN_I_DEPLOY);
    assert_exit(&out, 2, "unreachable (4 attempt(s))");
}

fn cli_should_refuse_an_answer_that_is_not_hal() {
    let broker = Scripted::start(0, |_| {
        Resp(200, "text/html", b"<html>hello</html>".to_vec())
    });
    let out = against(
        &broker.url,
        &[
            "record-release",
            "--pacticipant",
            "Foo",
            "--version",
            "1",
            "--environment",
            "prod",
        ],
    );
    assert_exit(&out, 2, "did not answer a Pact Broker (HAL JSON) document");
}

fn cli_should_print_the_brokers_no_with_exit_1() {
    let broker = Scripted::start(0, |req| {
        match req.path.as_str() {
        "/" => hal(200, index(&[("pb:can-i-deploy-pacticipant-version-to-environment", "/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}".into())])),
        _ => hal(200, matrix_answer(false)),
    }
    });
    let mut args = CAN_I_DEPLOY.to_vec();
    args.extend(["--to", "production", "--format", "json"]);
    let out = against(&broker.url, &args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["deployable"], false);
    assert_eq!(answer["rows"][0]["success"], false);
    let asked = broker.requests().last().unwrap().target.clone();
    assert_eq!(
        asked,
        "/can-i-deploy?pacticipant=Foo&version=1.0.0&environment=production"
    );
    let mut words = CAN_I_DEPLOY.to_vec();
    words.extend(["--to-environment", "production"]);
    let out = against(&broker.url, &words);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("no: not safe to deploy")
            && text(&out).contains("✗ Foo 1.0.0 → Bar 2.0.0: failed"),
        "{}",
        text(&out)
    );
}

fn cli_should_keep_local_commands_local() {
    let dir = tempfile::tempdir().unwrap();
    let local = |args: &[&str]| {
        shakedown(args)
            .env("SHAKEDOWN_RESULTS_DIR", dir.path())
            .env_remove("PACT_BROKER_BASE_URL")
            .output()
            .unwrap()
    };
    let out = local(&[
        "record-release",
        "--pacticipant",
        "Foo",
        "--version",
        "1",
        "--environment",
        "prod",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("needs --broker-url"), "{}", text(&out));
    let out = local(&[
        "verify",
        "--provider",
        "Bar",
        "--base-url",
        "http://127.0.0.1:1",
        "--publish",
        "--provider-version",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("--publish needs --broker-url"),
        "{}",
        text(&out)
    );
    let file = write_pact(dir.path());
    let out = local(&["publish", file.to_str().unwrap(), "--version", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = local(&[
        "can-i-deploy",
        "--pacticipant",
        "Bar",
        "--version",
        "1",
        "--to",
        "prod",
    ]);
    assert_exit(&out, 0, "no consumer of Bar is deployed to prod");
}

/// A broker with two pacts for Bar: one the provider honours, one pending it breaks.
fn verification_broker() -> Scripted {
    let url = Arc::new(Mutex::new(String::new()));
    let base = url.clone();
    let pact = |path: &str, results: &str| {
        json!({
            "consumer": {"name": "Foo"}, "provider": {"name": "Bar"},
            "interactions": [{"description": format!("a request for {path}"), "request": {"method": "GET", "path": path}, "response": {"status": 200}}],
            "metadata": {"pactSpecification": {"version": "2.0.0"}},
            "_links": {"pb:publish-verification-results": {"href": results}}
        })
    };
    let broker = Scripted::start(0, move |req| {
        let b = base.lock().unwrap().clone();
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/") => hal(200, index(&[
                ("pb:provider-pacts-for-verification", format!("{b}/pacts/provider/{{provider}}/for-verification")),
                ("pb:pacticipant-branch-version", format!("{b}/pacticipants/{{pacticipant}}/branches/{{branch}}/versions/{{version}}")),
            ])),
            ("PUT", "/pacticipants/Bar/branches/main/versions/2.0.0") => hal(200, json!({})),
            ("POST", "/pacts/provider/Bar/for-verification") => hal(
                200,
                json!({"_embedded": {"pacts": [
                {"shortDescription": "latest from main", "verificationProperties": {"pending": false, "notices": [{"when": "before_verification", "text": "selected: main"}]},
                 "_links": {"self": {"href": format!("{b}/pacts/1")}}},
                {"shortDescription": "a feature branch", "verificationProperties": {"pending": true, "wip": true, "notices": [{"when": "before_verification", "text": "pending: never verified"}]},
                 "_links": {"self": {"href": format!("{b}/pacts/2")}}}]}}),
            ),
            ("GET", "/pacts/1") => hal(200, pact("/hello", &format!("{b}/pacts/1/results"))),
            ("GET", "/pacts/2") => hal(200, pact("/missing", &format!("{b}/pacts/2/results"))),
            ("POST", _) => hal(201, json!({"success": true})),
            _ => Resp(404, "text/plain", Vec::new()),
        }
    });
    *url.lock().unwrap() = broker.url.clone();
    broker
}

fn cli_should_verify_the_brokers_pacts_and_publish_results() {
    let broker = verification_broker();
    let provider = Scripted::start(0, |req| match req.path.as_str() {
        "/hello" => Resp(200, "text/plain", b"hi".to_vec()),
        _ => Resp(404, "text/plain", Vec::new()),
    });
    let out = against(
        &broker.url,
        &[
            "verify",
            "--provider",
            "Bar",
            "--base-url",
            &provider.url,
            "--selector",
            r#"{"mainBranch": true}"#,
            "--provider-branch",
            "main",
            "--enable-pending",
            "--include-wip-pacts-since",
            "2024-01-01",
            "--publish",
            "--provider-version",
            "2.0.0",
        ],
    );
    let said = text(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a failing pending pact does not fail the run: {said}"
    );
    assert!(
        said.contains("Pact: a feature branch [WIP] [pending]")
            && said.contains("pending: never verified"),
        "{said}"
    );
    assert!(
        said.contains("1 passed, 0 failed, 1 pending failed"),
        "{said}"
    );
    let requests = broker.requests();
    let query = requests
        .iter()
        .find(|r| r.path.ends_with("/for-verification"))
        .unwrap()
        .json();
    assert_eq!(
        query,
        json!({"consumerVersionSelectors": [{"mainBranch": true}], "providerVersionBranch": "main", "includePendingStatus": true, "includeWipPactsSince": "2024-01-01"})
    );
    assert!(
        requests.iter().any(
            |r| r.method == "PUT" && r.path == "/pacticipants/Bar/branches/main/versions/2.0.0"
        ),
        "the provider version's branch is recorded"
    );
    let published: Vec<(String, Value)> = requests
        .iter()
        .filter(|r| r.path.ends_with("/results"))
        .map(|r| (r.path.clone(), r.json()))
        .collect();
    assert_eq!(published.len(), 2, "one result per pact");
    assert_eq!(
        (
            published[0].0.as_str(),
            &published[0].1["success"],
            &published[0].1["providerApplicationVersion"]
        ),
        ("/pacts/1/results", &json!(true), &json!("2.0.0"))
    );
    assert_eq!(
        (published[1].0.as_str(), &published[1].1["success"]),
        ("/pacts/2/results", &json!(false))
    );

    let bad = against(
        &broker.url,
        &[
            "verify",
            "--provider",
            "Bar",
            "--base-url",
            &provider.url,
            "--selector",
            "main",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad).contains("--selector \"main\" is not a JSON object"),
        "{}",
        text(&bad)
    );
}

fn cli_should_ask_again_while_results_are_unknown() {
    let asked = Arc::new(AtomicUsize::new(0));
    let counted = asked.clone();
    let broker = Scripted::start(0, move |req| match req.path.as_str() {
        "/" => hal(200, index(&[])),
        _ if counted.fetch_add(1, Ordering::SeqCst) == 0 => hal(
            200,
            json!({"summary": {"deployable": null, "reason": "Bar has not verified yet", "unknown": 1}, "matrix": []}),
        ),
        _ => hal(200, matrix_answer(true)),
    });
    let mut args = CAN_I_DEPLOY.to_vec();
    args.extend(["--retry-while-unknown", "3", "--retry-interval", "0"]);
    let out = against(&broker.url, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        asked.load(Ordering::SeqCst),
        2,
        "asked again once, then the broker knew"
    );
    assert!(text(&out).contains("asking again"), "{}", text(&out));
}

/// A broker with a version of Foo deployable and releasable to prod, and Foo 1 deployed there.
fn environments_broker() -> Scripted {
    let url = Arc::new(Mutex::new(String::new()));
    let base = url.clone();
    let broker = Scripted::start(0, move |req| {
        let b = base.lock().unwrap().clone();
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/") => hal(
                200,
                index(&[
                    ("pb:publish-contracts", format!("{b}/contracts/publish")),
                    ("pb:environments", format!("{b}/environments")),
                    (
                        "pb:pacticipant-version",
                        format!("{b}/pacticipants/{{pacticipant}}/versions/{{version}}"),
                    ),
                ]),
            ),
            ("POST", "/contracts/publish") => hal(
                200,
                json!({"notices": [{"type": "success", "text": "Pact published for Foo version 1 and provider Bar."}],
                "_embedded": {"version": {"number": "1"}}, "_links": {"pb:contracts": [{"href": format!("{b}/pacts/provider/Bar/consumer/Foo/version/1")}]}}),
            ),
            ("GET", "/pacticipants/Foo/versions/1") => hal(
                200,
                json!({"_links": {
                "pb:record-deployment": [{"name": "prod", "href": format!("{b}/deploy/prod")}],
                "pb:record-release": [{"name": "prod", "href": format!("{b}/release/prod")}]}}),
            ),
            ("POST", "/deploy/prod") | ("POST", "/release/prod") => {
                hal(201, json!({"currentlyDeployed": true}))
            }
            ("GET", "/environments") => hal(
                200,
                json!({"_embedded": {"environments": [
                {"name": "prod", "uuid": "u1", "production": true, "_links": {"self": {"href": format!("{b}/environments/u1")}}}]}}),
            ),
            ("GET", "/environments/u1") => hal(
                200,
                json!({"name": "prod", "_links": {"pb:currently-deployed-deployed-versions": {"href": format!("{b}/environments/u1/deployed-versions/currently-deployed")}}}),
            ),
            ("GET", "/environments/u1/deployed-versions/currently-deployed") => hal(
                200,
                json!({"_embedded": {"deployedVersions": [
                {"_embedded": {"version": {"number": "1"}}, "_links": {"self": {"href": format!("{b}/deployed-versions/d1")}}},
                {"_embedded": {"version": {"number": "0"}}, "_links": {"self": {"href": format!("{b}/deployed-versions/d0")}}}]}}),
            ),
            ("PATCH", "/deployed-versions/d1") => hal(200, json!({"currentlyDeployed": false})),
            _ => Resp(404, "text/plain", Vec::new()),
        }
    });
    *url.lock().unwrap() = broker.url.clone();
    broker
}

fn cli_should_publish_and_record_deployments_releases_and_undeployments() {
    let broker = environments_broker();
    let dir = tempfile::tempdir().unwrap();
    let file = write_pact(dir.path());
    let other = dir.path().join("Baz-Bar.json");
    std::fs::write(
        &other,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("\"Foo\"", "\"Baz\""),
    )
    .unwrap();
    let out = against(
        &broker.url,
        &[
            "publish",
            file.to_str().unwrap(),
            other.to_str().unwrap(),
            "--version",
            "1",
            "--build-url",
            "http://ci/1",
        ],
    );
    let posted: Vec<Value> = broker
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(Req::json)
        .collect();
    let names: Vec<&str> = posted
        .iter()
        .map(|p| p["pacticipantName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Foo", "Baz"], "one publication per consumer");
    assert_eq!(posted[1]["buildUrl"], "http://ci/1");
    assert_exit(
        &out,
        0,
        "Pact published for Foo version 1 and provider Bar.",
    );
    let who = [
        "--pacticipant",
        "Foo",
        "--version",
        "1",
        "--environment",
        "prod",
    ];
    for (command, said) in [
        ("record-deployment", "recorded: Foo 1 deployed to prod"),
        ("record-release", "recorded: Foo 1 released to prod"),
    ] {
        let out = against(&broker.url, &[&[command][..], &who[..]].concat());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(text(&out).contains(said), "{}", text(&out));
    }
    let out = against(
        &broker.url,
        &[&["record-undeployment", "--format", "json"][..], &who[..]].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let undone: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        undone,
        json!([{"href": format!("{}/deployed-versions/d1", broker.url), "version": "1", "applicationInstance": null}])
    );
    let patches: Vec<Req> = broker
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1, "only version 1 is undeployed");
    assert_eq!(patches[0].json(), json!({"currentlyDeployed": false}));
    assert_eq!(
        patches[0].header("Content-Type"),
        Some("application/merge-patch+json")
    );
    let out = against(
        &broker.url,
        &[
            "record-undeployment",
            "--pacticipant",
            "Foo",
            "--version",
            "7",
            "--environment",
            "prod",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("a deployment of \"Foo\" version 7 in environment \"prod\" not found"),
        "{}",
        text(&out)
    );
}
