//! The example shop's `web` consumer tested against a wiremock server carrying the `orders`
//! contract's interactions (feature `wiremock`): the same contract file as the DSL's mock
//! provider records, the same verdict, and parallel recordings that lose nothing.

use std::path::Path;
use std::sync::{Arc, Barrier};

use serde_json::json;
use shakedown::consumer::matchers::*;
use shakedown::consumer::wiremock::mount_pact;
use shakedown::consumer::{Contract, FinishError};
use shakedown::contract::Pact;
use shakedown_shop::web_client::{ClientError, Line, OrdersClient};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Declares one scenario's interactions.
type Declare = fn(&mut Contract);
/// Drives the (blocking) client against a base URL, asserting what it got.
type Exercise = fn(&str);

/// The three scenarios of `tests/shop_web_consumer.rs`, each its own mock provider there
/// (the existing order's path regex also matches the missing order's path).
const SCENARIOS: [(Declare, Exercise); 3] = [
    (existing_order, show_order),
    (missing_order, report_missing_order),
    (placed_order, place_order),
];

fn existing_order(c: &mut Contract) {
    c.interaction("a request for an existing order", |i| {
        i.given_with("an order exists", json!({"id": 1}))
            .request(|r| {
                r.get(regex("/orders/\\d+", "/orders/1")).header("Accept", "application/json");
            })
            .response(|r| {
                r.status(200).json(json!({
                    "id": integer(1),
                    "status": regex("placed|paid|shipped", "placed"),
                    "lines": each_like(json!({"sku": regex("SKU-\\d{6}", "SKU-000123"), "qty": integer(2)}), 1),
                }));
            });
    });
}

fn show_order(base: &str) {
    let order = OrdersClient::new(base).order(1).unwrap();
    assert_eq!(order.status, "placed");
    let line = Line {
        sku: "SKU-000123".into(),
        qty: 2,
    };
    assert_eq!(order.lines, vec![line]);
}

fn missing_order(c: &mut Contract) {
    c.interaction("a request for a missing order", |i| {
        i.given("no order exists")
            .request(|r| {
                r.get("/orders/999").header("Accept", "application/json");
            })
            .response(|r| {
                r.status(404);
            });
    });
}

fn report_missing_order(base: &str) {
    let answer = OrdersClient::new(base).order(999);
    assert!(matches!(answer, Err(ClientError::NotFound)));
}

fn placed_order(c: &mut Contract) {
    c.interaction("an order is placed", |i| {
        i.request(|r| {
            r.post("/orders").json(json!({"lines": each_like(json!({"sku": regex("SKU-\\d{6}", "SKU-000123"), "qty": integer(2)}), 1)}));
        })
        .response(|r| {
            r.status(201).json(json!({"id": integer(43), "status": equal_to("placed")}));
        });
    });
}

fn place_order(base: &str) {
    assert_eq!(OrdersClient::new(base).place("SKU-000123", 2).unwrap(), 43);
}

/// Runs blocking code (the reqwest blocking client) off the test's runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("the blocking part")
}

/// One scenario against the DSL's mock provider, recorded below `dir`.
fn with_dsl(dir: &Path, (declare, exercise): (Declare, Exercise)) {
    let mut c = Contract::new("web", "orders").output_dir(dir);
    declare(&mut c);
    let server = c.start_mock_server();
    exercise(server.url());
    server.finish().expect("honoured and written");
}

/// One scenario against a wiremock server, recorded below `dir`.
async fn with_wiremock(dir: &Path, (declare, exercise): (Declare, Exercise)) {
    let server = MockServer::start().await;
    let mut c = Contract::new("web", "orders").output_dir(dir);
    declare(&mut c);
    let recording = c.mount(&server).await;
    let uri = server.uri();
    blocking(move || exercise(&uri)).await;
    recording.finish().expect("honoured and written");
}

#[tokio::test]
async fn should_record_the_same_contract_file_as_the_dsl_mock_provider() {
    let (dsl, wire) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let dsl_dir = dsl.path().to_path_buf();
    blocking(move || SCENARIOS.into_iter().for_each(|s| with_dsl(&dsl_dir, s))).await;
    for scenario in SCENARIOS {
        with_wiremock(wire.path(), scenario).await;
    }
    let file = |dir: &Path| std::fs::read(dir.join("web-orders.json")).expect("a contract");
    let recorded = file(wire.path());
    assert_eq!(
        String::from_utf8_lossy(&recorded),
        String::from_utf8_lossy(&file(dsl.path()))
    );
    let pact = Pact::from_str(std::str::from_utf8(&recorded).unwrap()).unwrap();
    assert_eq!(pact.interactions.len(), 3);
}

#[tokio::test]
async fn should_fail_finish_and_write_nothing_on_an_unmatched_request() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    let mut c = Contract::new("web", "orders").output_dir(dir.path());
    existing_order(&mut c);
    let recording = c.mount(&server).await;
    let uri = server.uri();
    let status = blocking(move || {
        show_order(&uri);
        reqwest::blocking::get(format!("{uri}/payments/1"))
            .unwrap()
            .status()
    })
    .await;
    assert_eq!(
        status, 500,
        "the mock provider's answer to a request it cannot match"
    );
    match recording.finish() {
        Err(FinishError::Verification(f)) => {
            assert_eq!(f.unexpected_count, 1);
            assert_eq!(f.unexpected[0].path, "/payments/1");
            assert!(f.missing.is_empty());
        }
        other => panic!("expected a verification failure, got {other:?}"),
    }
    assert!(!c.file().exists(), "nothing is written");
}

#[tokio::test]
async fn should_fail_finish_and_write_nothing_when_an_interaction_is_not_exercised() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    let mut c = Contract::new("web", "orders").output_dir(dir.path());
    placed_order(&mut c);
    missing_order(&mut c);
    let recording = c.mount(&server).await;
    let uri = server.uri();
    blocking(move || place_order(&uri)).await;
    match recording.finish() {
        Err(FinishError::Verification(f)) => {
            assert_eq!(f.missing, ["a request for a missing order"]);
            assert_eq!(f.unexpected_count, 0);
        }
        other => panic!("expected a verification failure, got {other:?}"),
    }
    assert!(!c.file().exists(), "nothing is written");
}

#[tokio::test]
#[should_panic(expected = "missing request: no request matched interaction \"an order is placed\"")]
async fn should_panic_on_drop_when_an_interaction_is_not_exercised() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    let mut c = Contract::new("web", "orders").output_dir(dir.path());
    placed_order(&mut c);
    let _recording = c.mount(&server).await;
}

#[tokio::test]
async fn should_write_on_drop_when_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    let mut c = Contract::new("web", "orders").output_dir(dir.path());
    placed_order(&mut c);
    let recording = c.mount(&server).await;
    let uri = server.uri();
    blocking(move || place_order(&uri)).await;
    drop(recording);
    assert!(c.file().exists());
}

#[tokio::test]
async fn should_leave_the_tests_own_mocks_alone() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/health"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let mut c = Contract::new("web", "orders").output_dir(dir.path());
    placed_order(&mut c);
    let recording = c.mount(&server).await;
    let uri = server.uri();
    let status = blocking(move || {
        place_order(&uri);
        reqwest::blocking::get(format!("{uri}/health"))
            .unwrap()
            .status()
    })
    .await;
    assert_eq!(status, 204);
    assert!(recording.finish().unwrap().is_some());
}

#[tokio::test]
async fn should_answer_from_a_contract_file_with_pact_matching() {
    let pact = Pact::from_file("contracts/web-orders.json").expect("the shop's contract");
    let server = MockServer::start().await;
    let recording = mount_pact(&pact, &server).await;
    let uri = server.uri();
    // The existing order's regex path also matches /orders/999; the file lists the
    // missing order first, so both answer as the provider would.
    blocking(move || {
        show_order(&uri);
        report_missing_order(&uri);
        place_order(&uri);
    })
    .await;
    recording
        .verify()
        .expect("every interaction requested, nothing else");
    assert_eq!(
        recording.finish().unwrap(),
        None,
        "a loaded contract is not written"
    );
}

#[test]
fn should_lose_no_interaction_when_recordings_write_one_file_in_parallel() {
    const RECORDINGS: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let together = Arc::new(Barrier::new(RECORDINGS));
    let threads: Vec<_> = (0..RECORDINGS)
        .map(|n| {
            let (dir, together) = (dir.path().to_path_buf(), together.clone());
            std::thread::spawn(move || record_one(&dir, n, &together))
        })
        .collect();
    for t in threads {
        t.join().expect("a recording");
    }
    let pact = Pact::from_file(dir.path().join("web-orders.json")).unwrap();
    let mut found: Vec<String> = pact
        .interactions
        .into_iter()
        .map(|i| i.description)
        .collect();
    found.sort();
    let mut declared: Vec<String> = (0..RECORDINGS).map(|n| format!("order {n}")).collect();
    declared.sort();
    assert_eq!(found, declared);
}

/// A recording of its own interaction on its own wiremock server, finished together with
/// the others.
fn record_one(dir: &Path, n: usize, together: &Barrier) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let recording = runtime.block_on(async {
        let server = MockServer::start().await;
        let mut c = Contract::new("web", "orders").output_dir(dir);
        c.interaction(&format!("order {n}"), |i| {
            i.request(|r| {
                r.get(format!("/orders/{n}").as_str());
            })
            .response(|r| {
                r.status(200).json(json!({"id": n}));
            });
        });
        let recording = c.mount(&server).await;
        let url = format!("{}/orders/{n}", server.uri());
        let status = blocking(move || reqwest::blocking::get(url).unwrap().status()).await;
        assert_eq!(status, 200);
        (recording, server)
    });
    together.wait();
    recording.0.finish().expect("honoured and written");
}
