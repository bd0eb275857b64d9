//! `shakedown broker` over HTTP: the Pact Broker's own contract verified against it (with
//! the test mode's provider states), 8 clients publishing and verifying at once, a SIGKILL
//! in the middle of writes, conflicting content (409), the token (401), and a provider's
//! round trip (pacts for verification → verification result → can-i-deploy).

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::blocking::Client;
use serde_json::{json, Value};

use common::cli::{shakedown, text};
use common::harness::Tests;
use common::prerequisite::{pact_broker, Need};
use common::process::{announcing, Server};

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            &[Need::PactBroker],
            "should_pass_the_pact_broker_contract",
            should_pass_the_pact_broker_contract,
        )
        .test(
            "should_pass_shakedown_s_own_contract_of_pacts_for_verification",
            should_pass_shakedown_s_own_contract_of_pacts_for_verification,
        )
        .test(
            "should_keep_every_record_of_8_clients_writing_at_once",
            should_keep_every_record_of_8_clients_writing_at_once,
        )
        .test(
            "should_keep_every_acknowledged_write_after_a_sigkill",
            should_keep_every_acknowledged_write_after_a_sigkill,
        )
        .test(
            "should_answer_409_to_different_content_for_the_same_version",
            should_answer_409_to_different_content_for_the_same_version,
        )
        .test(
            "should_answer_401_without_the_token",
            should_answer_401_without_the_token,
        )
        .test(
            "should_serve_a_provider_round_trip_to_can_i_deploy",
            should_serve_a_provider_round_trip_to_can_i_deploy,
        )
        .test(
            "should_announce_its_address_and_stop_cleanly_on_ctrl_c",
            should_announce_its_address_and_stop_cleanly_on_ctrl_c,
        )
        .run()
}

/// `shakedown broker --port 0 --store DIR ARGS`, up and announcing its URL.
fn broker(store: &Path, args: &[&str]) -> Server {
    let mut command = shakedown(["broker", "--port", "0", "--store"]);
    command.arg(store).args(args);
    announcing(&mut command)
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client")
}

fn pact(consumer: &str, provider: &str, marker: &str) -> Value {
    json!({
        "consumer": { "name": consumer }, "provider": { "name": provider },
        "interactions": [{ "description": format!("a request {marker}"), "request": { "method": "GET", "path": "/" }, "response": { "status": 200 } }],
        "metadata": { "pactSpecification": { "version": "2.0.0" } },
    })
}

/// POST /contracts/publish of one pact; the status and body.
fn publish(
    c: &Client,
    url: &str,
    consumer: &str,
    version: &str,
    content: &Value,
) -> reqwest::Result<(u16, Value)> {
    let provider = content["provider"]["name"].as_str().unwrap_or_default();
    let body = json!({
        "pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": "main",
        "contracts": [{ "consumerName": consumer, "providerName": provider, "specification": "pact", "contentType": "application/json",
                        "content": base64::engine::general_purpose::STANDARD.encode(content.to_string()) }],
    });
    let resp = c
        .post(format!("{url}/contracts/publish"))
        .json(&body)
        .send()?;
    let status = resp.status().as_u16();
    Ok((status, resp.json().unwrap_or(Value::Null)))
}

/// Fetches the pact and publishes a verification result to its link.
fn verify(
    c: &Client,
    url: &str,
    provider: &str,
    consumer: &str,
    version: &str,
    provider_version: &str,
    success: bool,
) -> u16 {
    let pact: Value = c
        .get(format!(
            "{url}/pacts/provider/{provider}/consumer/{consumer}/version/{version}"
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let link = pact["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .expect("the pact links its results");
    let body = json!({ "success": success, "providerApplicationVersion": provider_version });
    c.post(link).json(&body).send().unwrap().status().as_u16()
}

/// `shakedown verify` of `contract` (provider "Pact Broker") against a `shakedown broker
/// --test-states` started with `flags`, provider states set up through its state endpoint:
/// the report, once the run passed.
fn verify_against_test_broker(contract: &Path, flags: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["--test-states"];
    args.extend_from_slice(flags);
    let server = broker(dir.path(), &args);
    let states = format!("{}/_shakedown/provider-states", server.url);
    let out = shakedown([
        "verify",
        "--provider",
        "Pact Broker",
        "--base-url",
        &server.url,
        "--state-url",
        &states,
        "--contracts",
    ])
    .arg(contract)
    .output()
    .unwrap();
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    report
}

fn should_pass_the_pact_broker_contract() {
    let contract = pact_broker()
        .unwrap()
        .join("Pact Broker Client V2-Pact Broker.json");
    // A few interactions expect links on http://example.org exactly.
    let report = verify_against_test_broker(&contract, &["--base-url", "http://example.org"]);
    // Every interaction: index, publish contracts, pacticipants, versions, tags, branches,
    // environments, deployed/released versions, matrix, latest pacts, and the webhooks.
    assert!(report.contains("67 passed, 0 failed"), "{report}");
}

/// What shakedown's broker client expects of pacts for verification and verification results
/// (its consumer contract, recorded by tests/broker_client.rs), verified against this broker:
/// the state's setup answers the `pactVersion` the requests' paths take.
fn should_pass_shakedown_s_own_contract_of_pacts_for_verification() {
    let contract = Path::new("tests/data/broker/shakedown-Pact Broker.json");
    let report = verify_against_test_broker(contract, &[]);
    assert!(report.contains("4 passed, 0 failed"), "{report}");
}

fn should_keep_every_record_of_8_clients_writing_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = broker(dir.path(), &[]);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let url = server.url.clone();
            std::thread::spawn(move || {
                let c = client();
                let consumer = format!("consumer-{t}");
                for i in 0..50 {
                    let version = format!("1.0.{i}");
                    let (status, body) = publish(
                        &c,
                        &url,
                        &consumer,
                        &version,
                        &pact(&consumer, "orders", &version),
                    )
                    .unwrap();
                    assert_eq!(status, 200, "{body}");
                    assert_eq!(
                        verify(
                            &c,
                            &url,
                            "orders",
                            &consumer,
                            &version,
                            &format!("{t}.{i}"),
                            i % 2 == 0
                        ),
                        201
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("a client thread");
    }
    drop(server);
    let store = shakedown::broker::store::Store::open(dir.path()).unwrap();
    assert_eq!(store.provider_publications("orders").unwrap().len(), 400);
    let results = store.provider_verifications("orders").unwrap();
    assert_eq!(results.len(), 400);
    assert_eq!(results.iter().filter(|v| v.success).count(), 200);
    for t in 0..8 {
        assert_eq!(store.versions(&format!("consumer-{t}")).unwrap().len(), 50);
    }
}

fn should_keep_every_acknowledged_write_after_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let server = broker(dir.path(), &[]);
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let (url, acknowledged) = (server.url.clone(), acknowledged.clone());
        std::thread::spawn(move || {
            let c = client();
            let start = Instant::now();
            for i in 0..5_000 {
                if start.elapsed() > Duration::from_secs(20) {
                    break;
                }
                let version = format!("2.0.{i}");
                match publish(&c, &url, "web", &version, &pact("web", "orders", &version)) {
                    Ok((200, _)) => acknowledged.lock().unwrap().push(version),
                    Ok((status, body)) => panic!("publish answered {status}: {body}"),
                    Err(_) => break, // killed
                }
            }
        })
    };
    std::thread::sleep(Duration::from_millis(rand::random_range(200..800)));
    let Server {
        process: mut guard, ..
    } = server;
    guard.0.kill().unwrap(); // SIGKILL, mid-write
    guard.0.wait().unwrap();
    writer.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        !acknowledged.is_empty(),
        "some writes were acknowledged before the kill"
    );

    let restarted = broker(dir.path(), &[]);
    let c = client();
    let index = c.get(&restarted.url).send().unwrap();
    assert_eq!(index.status(), 200);
    for v in &acknowledged {
        let resp = c
            .get(format!(
                "{}/pacts/provider/orders/consumer/web/version/{v}",
                restarted.url
            ))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200, "acknowledged version {v} is gone");
    }
    let versions: Value = c
        .get(format!("{}/pacticipants/web/versions", restarted.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let stored = versions["_embedded"]["versions"].as_array().unwrap().len();
    assert!(
        stored >= acknowledged.len() && stored <= acknowledged.len() + 1,
        "{stored} versions for {} acknowledged",
        acknowledged.len()
    );
}

fn should_answer_409_to_different_content_for_the_same_version() {
    let dir = tempfile::tempdir().unwrap();
    let server = broker(dir.path(), &[]);
    let c = client();
    let (first, _) = publish(&c, &server.url, "web", "1.0.0", &pact("web", "orders", "a")).unwrap();
    let (again, _) = publish(&c, &server.url, "web", "1.0.0", &pact("web", "orders", "a")).unwrap();
    let (changed, body) =
        publish(&c, &server.url, "web", "1.0.0", &pact("web", "orders", "b")).unwrap();
    assert_eq!((first, again, changed), (200, 200, 409), "{body}");
    let message = body["errors"]["content"][0].as_str().unwrap();
    assert!(
        message.contains("web version 1.0.0 already published a different pact with orders"),
        "{message}"
    );
    let put = c
        .put(format!(
            "{}/pacts/provider/orders/consumer/web/version/1.0.0",
            server.url
        ))
        .json(&pact("web", "orders", "c"))
        .send()
        .unwrap();
    assert_eq!(put.status(), 409);
}

fn should_answer_401_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let c = client();
    let closed = broker(dir.path(), &["--token", "s3cret"]);
    assert_eq!(c.get(&closed.url).send().unwrap().status(), 401);
    assert_eq!(
        c.get(&closed.url)
            .bearer_auth("wrong")
            .send()
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        c.get(&closed.url)
            .bearer_auth("s3cret")
            .send()
            .unwrap()
            .status(),
        200
    );
    drop(closed);
    let open = broker(dir.path(), &["--token", "s3cret", "--public-read"]);
    assert_eq!(c.get(&open.url).send().unwrap().status(), 200);
    let (status, _) = publish(&c, &open.url, "web", "1", &pact("web", "orders", "a")).unwrap();
    assert_eq!(status, 401);
}

fn should_serve_a_provider_round_trip_to_can_i_deploy() {
    let dir = tempfile::tempdir().unwrap();
    let server = broker(dir.path(), &[]);
    let (c, url) = (client(), server.url.as_str());
    publish(&c, url, "web", "1", &pact("web", "orders", "a")).unwrap();
    let index: Value = c.get(url).send().unwrap().json().unwrap();
    let template = index["_links"]["pb:provider-pacts-for-verification"]["href"]
        .as_str()
        .unwrap();
    let body =
        json!({ "consumerVersionSelectors": [{ "branch": "main" }], "includePendingStatus": true });
    let for_verification = || -> Value {
        c.post(template.replace("{provider}", "orders"))
            .json(&body)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let found = for_verification();
    let pacts = found["_embedded"]["pacts"].as_array().unwrap();
    assert_eq!(pacts.len(), 1, "{found}");
    assert_eq!(
        pacts[0]["verificationProperties"]["pending"], true,
        "never verified: pending"
    );
    let fetched: Value = c
        .get(pacts[0]["_links"]["self"]["href"].as_str().unwrap())
        .send()
        .unwrap()
        .json()
        .unwrap();
    let results = fetched["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap();
    let posted = c
        .post(results)
        .json(&json!({ "success": true, "providerApplicationVersion": "7" }))
        .send()
        .unwrap();
    assert_eq!(posted.status(), 201);
    // The same request again: the broker's answers are cached per request while the store
    // is unchanged, and this verification changed it.
    let again = for_verification();
    assert_eq!(
        again["_embedded"]["pacts"][0]["verificationProperties"]["pending"], false,
        "verified since: no longer pending: {again}"
    );

    let ask = |p: &str, v: &str| -> Value {
        c.get(format!("{url}/can-i-deploy?pacticipant={p}&version={v}"))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    assert_eq!(
        ask("web", "1")["summary"]["deployable"],
        true,
        "{}",
        ask("web", "1")
    );
    assert_eq!(ask("orders", "7")["summary"]["deployable"], true);
    publish(&c, url, "web", "2", &pact("web", "orders", "b")).unwrap();
    assert_eq!(verify(&c, url, "orders", "web", "2", "8", false), 201);
    let no = ask("web", "2");
    assert_eq!(no["summary"]["deployable"], false, "{no}");
    assert!(
        no["summary"]["reason"]
            .as_str()
            .unwrap()
            .contains("orders 8 failed to verify web 2's contract"),
        "{no}"
    );
}

fn should_announce_its_address_and_stop_cleanly_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let server = broker(dir.path(), &[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:") && !server.url.ends_with(":0"),
        "{}",
        server.url
    );
    assert!(dir.path().join("broker.sqlite").is_file());
    let (code, _) = server.process.interrupt();
    assert_eq!(code, Some(0));
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let taken = shakedown(["broker", "--port", &port, "--store"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(taken.status.code(), Some(2), "{}", text(&taken));
    let said = text(&taken);
    assert!(
        said.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{said}"
    );
}
