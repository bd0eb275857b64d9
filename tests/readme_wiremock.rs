//! README.md's wiremock snippet ("Library: wiremock"), compiled and run (feature `wiremock`);
//! `tests/readme.rs` checks that the README block appears here verbatim.

/// The snippet writes `contracts/web-orders.json` by default, which the example shop's own
/// consumer test records: this binary's contracts go to a directory of their own. Set before
/// `main`, while the process has one thread.
#[ctor::ctor(unsafe)]
fn contracts_of_this_binary_elsewhere() {
    let dir = concat!(env!("CARGO_TARGET_TMPDIR"), "/readme-wiremock-contracts");
    // SAFETY: constructors run before main, when no other thread reads the environment.
    unsafe { std::env::set_var("SHAKEDOWN_CONTRACT_DIR", dir) };
}

#[rustfmt::skip] // the README block inside, verbatim
mod wiremock_consumer {
    use shakedown_shop::web_client::OrdersClient;                   // the client under test

    use serde_json::json;
    use shakedown::consumer::{Contract, matchers::*};

    #[tokio::test]
    async fn should_show_an_existing_order() {
        let server = wiremock::MockServer::start().await;
        let mut c = Contract::new("web", "orders");                 // contracts/web-orders.json
        c.interaction("a request for an existing order", |i| {
            i.given_with("an order exists", json!({"id": 1}))
                .request(|r| { r.get(regex("/orders/\\d+", "/orders/1")).header("Accept", "application/json"); })
                .response(|r| { r.status(200).json(json!({"id": integer(1), "status": regex("placed|paid", "placed"), "lines": []})); });
        });
        let recording = c.mount(&server).await;                     // one wiremock Mock per interaction
        let uri = server.uri();                                     // a blocking client goes through spawn_blocking
        let order = tokio::task::spawn_blocking(move || OrdersClient::new(&uri).order(1)).await.unwrap();
        assert_eq!(order.unwrap().status, "placed");
        recording.finish().unwrap();                                // verify, then merge into the file
    }
}
