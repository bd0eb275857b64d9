//! shakedown with the test's own testcontainers (feature `testcontainers`): the example
//! shop's local images (`scripts/images.sh`, never pulled) verified on a mapped port, paused,
//! proxied with toxics and partitioned through `container::Faults` guards. On
//! `common::harness`: reported ignored when Docker or the images are missing, a failure under
//! `SHAKEDOWN_REQUIRE_DOCKER=1`.

mod common;

use common::harness::Tests;
use common::prerequisite::Need;
use common::runtime::{block_on, block_on_threads};

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shakedown::chaos::{Stream, Toxic, ToxicKind};
use shakedown::container::Faults;
use shakedown::verifier::Verifier;
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, ContainerRequest, GenericImage, ImageExt};

const ORDERS_PORT: u16 = 8080;
const PAYMENTS_PORT: u16 = 9090;
/// How long a request may take before it counts as unanswered.
const PATIENCE: Duration = Duration::from_secs(2);

/// One of the example shop's images, waiting for its `listening on` line.
fn shop(service: &str, port: u16) -> GenericImage {
    GenericImage::new(format!("shakedown-example/{service}"), "latest".to_string())
        .with_exposed_port(port.tcp())
        .with_wait_for(WaitFor::message_on_stdout("listening on"))
}

/// A name no other test process uses (containers and networks are daemon-wide).
fn unique(what: &str) -> String {
    format!("shakedown-tc-{what}-{}", std::process::id())
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .expect("client")
}

/// `GET url`'s status, or the error's text.
async fn status(url: &str) -> Result<u16, String> {
    let answer = client()
        .get(url)
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(answer.status().as_u16())
}

/// Places one order: its status and its payment (`approved`, or `pending` when orders could
/// not pay: resilient orders still place it); `(0, "")` when no answer came.
async fn place_order(orders: &str) -> (u16, String) {
    let order = json!({"lines": [{"sku": "SKU-000123", "qty": 2}]});
    let Ok(answer) = client()
        .post(format!("{orders}/orders"))
        .json(&order)
        .send()
        .await
    else {
        return (0, String::new());
    };
    let status = answer.status().as_u16();
    let body: Value = answer.json().await.unwrap_or_default();
    (
        status,
        body["payment"].as_str().unwrap_or_default().to_string(),
    )
}

fn approved() -> (u16, String) {
    (201, "approved".to_string())
}

/// orders' circuit breaker towards payments: `closed`, `open` or `half-open`.
async fn breaker(orders: &str) -> String {
    let stats: Value = client()
        .get(format!("{orders}/stats"))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats JSON");
    stats["breaker"].as_str().unwrap_or_default().to_string()
}

/// Places orders (at most `tries`) until the breaker says `wanted`; whether it did.
async fn breaker_becomes(orders: &str, wanted: &str, tries: usize) -> bool {
    for _ in 0..tries {
        if breaker(orders).await == wanted {
            return true;
        }
        place_order(orders).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    breaker(orders).await == wanted
}

/// Payments and orders (calling it by name) on a network of their own named after `label`;
/// and orders' base URL on the host.
async fn orders_over_payments(
    label: &str,
) -> (
    ContainerAsync<GenericImage>,
    ContainerAsync<GenericImage>,
    String,
) {
    let network = unique(label);
    let payments_name = unique(&format!("{label}-payments"));
    let payments = start(
        shop("payments", PAYMENTS_PORT)
            .with_network(&network)
            .with_container_name(&payments_name),
    )
    .await;
    let orders = start(
        shop("orders", ORDERS_PORT)
            .with_network(&network)
            .with_env_var(
                "PAYMENTS_URL",
                format!("http://{payments_name}:{PAYMENTS_PORT}"),
            ),
    )
    .await;
    let url = orders.base_url(ORDERS_PORT).await.unwrap();
    (payments, orders, url)
}

async fn start(image: impl Into<ContainerRequest<GenericImage>>) -> ContainerAsync<GenericImage> {
    image.into().start().await.expect("container start")
}

async fn should_verify_the_orders_provider_in_a_container_against_its_contracts() {
    let started = Instant::now();
    let orders = start(shop("orders", ORDERS_PORT)).await;
    eprintln!("orders container ready in {:?}", started.elapsed());
    let url = orders.base_url(ORDERS_PORT).await.expect("base url");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let report = Verifier::new("orders", &url)
        .contracts(concat!(env!("CARGO_MANIFEST_DIR"), "/contracts"))
        .state_url(&orders.url(ORDERS_PORT, "/_pact/state").await.unwrap())
        .messages_url(&orders.url(ORDERS_PORT, "/_pact/messages").await.unwrap())
        .run_async()
        .await
        .expect("verification");
    assert!(report.success(), "{}", report.render(false));
    assert_eq!(report.tally().passed, 4);
}

async fn should_open_the_orders_breaker_while_payments_is_paused_and_close_it_after() {
    let (payments, _orders, url) = orders_over_payments("breaker").await;
    assert_eq!(
        place_order(&url).await,
        approved(),
        "paid while payments runs"
    );
    assert_eq!(breaker(&url).await, "closed");

    let frozen = payments.freeze().await.expect("freeze");
    assert!(
        breaker_becomes(&url, "open", 20).await,
        "the breaker opens while payments is paused"
    );
    let refused = Instant::now();
    let fast = place_order(&url).await;
    let took = refused.elapsed();
    // Closed, a call to a frozen payments waits for orders' 300 ms timeout; open, none is made.
    assert_eq!(fast, (201, "pending".to_string()), "placed, not paid");
    assert!(
        took < Duration::from_millis(250),
        "answered at once: {took:?}"
    );

    drop(frozen);
    assert!(
        breaker_becomes(&url, "closed", 60).await,
        "the breaker closes again once payments is unpaused"
    );
    assert_eq!(place_order(&url).await, approved());
}

async fn should_slow_requests_through_the_proxy_only_while_its_latency_toxic_lives() {
    let payments = start(shop("payments", PAYMENTS_PORT)).await;
    let proxy = payments.proxy(PAYMENTS_PORT).await.expect("proxy");
    let health = format!("http://{}/health", proxy.listen_addr());
    let timed = || async {
        let t = Instant::now();
        assert_eq!(status(&health).await, Ok(200));
        t.elapsed()
    };
    let before = timed().await;
    let latency = ToxicKind::Latency {
        latency: Duration::from_millis(300),
        jitter: Duration::ZERO,
    };
    let slow = proxy
        .with_toxic(Toxic::new("slow", Stream::Downstream, latency))
        .expect("toxic");
    let during = timed().await;
    drop(slow);
    let after = timed().await;
    assert!(
        during >= Duration::from_millis(300),
        "with the toxic: {during:?}"
    );
    assert!(
        before < Duration::from_millis(300) && after < Duration::from_millis(300),
        "without it: {before:?}, {after:?}"
    );
}

async fn should_make_a_container_unreachable_while_partitioned_from_the_host() {
    let payments = start(shop("payments", PAYMENTS_PORT)).await;
    let health = payments.url(PAYMENTS_PORT, "/health").await.unwrap();
    assert_eq!(status(&health).await, Ok(200));

    let cut = payments.partition_from_host().await.expect("partition");
    let during = status(&health).await;
    assert!(during.is_err(), "unreachable while cut: {during:?}");
    drop(cut);
    assert_eq!(status(&health).await, Ok(200), "reachable once healed");
}

async fn should_cut_orders_from_payments_and_heal_when_the_guard_drops() {
    let (payments, orders, url) = orders_over_payments("cut").await;
    assert_eq!(place_order(&url).await, approved());

    let cut = orders.partition_from(&payments).await.expect("partition");
    assert_eq!(
        place_order(&url).await,
        (201, "pending".to_string()),
        "placed but not paid while cut"
    );
    assert_eq!(
        status(&format!("{url}/health")).await,
        Ok(200),
        "orders itself still answers the host"
    );
    drop(cut);
    assert!(
        breaker_becomes(&url, "closed", 60).await,
        "orders pays again once healed"
    );
    assert_eq!(place_order(&url).await, approved());
}

async fn should_unfreeze_when_the_guard_drops_outside_a_runtime() {
    let payments = start(shop("payments", PAYMENTS_PORT)).await;
    let health = payments.url(PAYMENTS_PORT, "/health").await.unwrap();
    let frozen = payments.freeze().await.expect("freeze");
    assert!(
        status(&health).await.is_err(),
        "a paused container does not answer"
    );
    std::thread::spawn(move || drop(frozen))
        .join()
        .expect("the guard drops without a runtime and without panicking");
    assert_eq!(status(&health).await, Ok(200));
}

async fn should_fail_quickly_without_pulling_an_image_that_is_not_local() {
    let image = GenericImage::new("shakedown-example/never-built", "latest");
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(60), image.start()).await;
    let took = started.elapsed();
    eprintln!("missing image refused in {took:?}: {outcome:?}");
    let error = outcome
        .expect("an answer within 60 s")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    // testcontainers 0.28 tries a pull after a 404 (no pull policy to say otherwise); with
    // no registry the daemon refuses that pull at once.
    assert!(error.contains("pull"), "{error}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

// Runs on a current-thread runtime (see `main`): the guard's Drop blocks only itself.
async fn should_start_a_killed_container_again_when_the_guard_drops() {
    let payments = start(shop("payments", PAYMENTS_PORT)).await;
    let killed = payments.kill().await.expect("kill");
    assert!(!payments.is_running().await.unwrap(), "killed");
    drop(killed);
    assert!(payments.is_running().await.unwrap(), "started again");
    // Docker may publish the port again elsewhere: ask for it again.
    let health = payments.url(PAYMENTS_PORT, "/health").await.unwrap();
    let mut answered = status(&health).await;
    for _ in 0..50 {
        if answered == Ok(200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answered = status(&health).await;
    }
    assert_eq!(answered, Ok(200), "it serves again");
}

const DOCKER: &[Need] = &[Need::ShopImages];

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            DOCKER,
            "should_verify_the_orders_provider_in_a_container_against_its_contracts",
            || {
                block_on_threads(
                    should_verify_the_orders_provider_in_a_container_against_its_contracts(),
                )
            },
        )
        .needs(
            DOCKER,
            "should_open_the_orders_breaker_while_payments_is_paused_and_close_it_after",
            || {
                block_on_threads(
                    should_open_the_orders_breaker_while_payments_is_paused_and_close_it_after(),
                )
            },
        )
        .needs(
            DOCKER,
            "should_slow_requests_through_the_proxy_only_while_its_latency_toxic_lives",
            || {
                block_on_threads(
                    should_slow_requests_through_the_proxy_only_while_its_latency_toxic_lives(),
                )
            },
        )
        .needs(
            DOCKER,
            "should_make_a_container_unreachable_while_partitioned_from_the_host",
            || {
                block_on_threads(
                    should_make_a_container_unreachable_while_partitioned_from_the_host(),
                )
            },
        )
        .needs(
            DOCKER,
            "should_cut_orders_from_payments_and_heal_when_the_guard_drops",
            || block_on_threads(should_cut_orders_from_payments_and_heal_when_the_guard_drops()),
        )
        .needs(
            DOCKER,
            "should_unfreeze_when_the_guard_drops_outside_a_runtime",
            || block_on_threads(should_unfreeze_when_the_guard_drops_outside_a_runtime()),
        )
        .needs(
            DOCKER,
            "should_fail_quickly_without_pulling_an_image_that_is_not_local",
            || block_on_threads(should_fail_quickly_without_pulling_an_image_that_is_not_local()),
        )
        .needs(
            DOCKER,
            "should_start_a_killed_container_again_when_the_guard_drops",
            || block_on(should_start_a_killed_container_again_when_the_guard_drops()),
        )
        .run()
}
