//! The example shop's `payments` provider verified against the contract its consumer
//! `orders` recorded (`contracts/orders-payments.json`, by tests/shop_payments_consumer.rs).
#![cfg(feature = "verifier")]

use std::sync::Arc;

use shakedown::verifier::Verifier;
use shakedown_shop::{payments_service::Payments, serve};

/// The payments service on a free loopback port, served until the test process ends.
fn start_payments() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let payments = Arc::new(Payments::default());
            serve::serve(listener, std::future::pending(), move |request| {
                let payments = payments.clone();
                async move { payments.handle(&request) }
            })
            .await
        })
    });
    url
}

#[test]
fn should_honour_the_contract_orders_recorded() {
    let url = start_payments();
    let report = Verifier::new("payments", &url)
        .contracts(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/contracts/orders-payments.json"
        ))
        .run()
        .unwrap();
    assert!(report.success(), "{}", report.render(false));
    let verified: Vec<&str> = report
        .contracts
        .iter()
        .flat_map(|c| c.interactions.iter().map(|i| i.description.as_str()))
        .collect();
    assert_eq!(
        verified,
        ["a payment is approved", "a payment of nothing is declined"]
    );
    assert_eq!(report.tally().passed, 2);
}
