//! README.md's Rust snippets, compiled and run: each is pasted here verbatim inside a test
//! that gives it what it needs (a provider to verify, a contract directory of its own), and
//! [`should_hold_every_rust_block_of_the_readme_verbatim`] fails when a ```rust block of the
//! README is not found, line by line modulo indentation, in this file, in
//! `readme_scenario.rs` (the snippets that need the machine, on `common::harness`), `readme_wiremock.rs`
//! (feature `wiremock`) or `readme_containers.rs` (feature `testcontainers`).
//!
//! Adding a snippet: paste the README block into a test here (or into `readme_scenario.rs`
//! with its `Need`s, when it needs Docker, the shop or nats-server), wrapping it in a function
//! that returns `Result<(), Box<dyn Error>>` when it uses `?`; a snippet needing a feature
//! goes behind `#[cfg(feature = "…")]`. Keep `#[rustfmt::skip]` on it: the README's layout
//! is not rustfmt's.
#![cfg(feature = "consumer")]

use std::error::Error;

/// The files that hold the README's snippets.
const SNIPPET_FILES: [&str; 4] = [
    include_str!("readme.rs"),
    include_str!("readme_scenario.rs"),
    include_str!("readme_wiremock.rs"),
    include_str!("readme_containers.rs"),
];

/// The README's consumer test writes `contracts/web-orders.json` by default; the example
/// shop's own consumer test records that file, so this binary's contracts go to a directory
/// of their own. Set before `main`, while the process has one thread.
#[ctor::ctor(unsafe)]
fn contracts_of_this_binary_elsewhere() {
    let dir = concat!(env!("CARGO_TARGET_TMPDIR"), "/readme-contracts");
    // SAFETY: constructors run before main, when no other thread reads the environment.
    unsafe { std::env::set_var("SHAKEDOWN_CONTRACT_DIR", dir) };
}

/// The ```rust blocks of `markdown`, each as its lines without leading indentation.
fn rust_blocks(markdown: &str) -> Vec<Vec<&str>> {
    blocks_of(markdown, "```rust")
}

/// The blocks of `markdown` fenced by `fence` (e.g. "```toml"), each as its lines without
/// leading indentation.
fn blocks_of<'m>(markdown: &'m str, fence: &str) -> Vec<Vec<&'m str>> {
    let mut blocks = vec![];
    let mut current: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, open) if open.starts_with(fence) => current = Some(vec![]),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), text) => block.push(text.trim_start()),
            (None, _) => {}
        }
    }
    blocks
}

/// Whether `block`'s lines appear one after another in `file` (modulo indentation).
fn holds(file: &str, block: &[&str]) -> bool {
    let lines: Vec<&str> = file.lines().map(|l| l.trim()).collect();
    lines
        .windows(block.len().max(1))
        .any(|w| w.iter().zip(block).all(|(a, b)| a == b))
}

#[test]
fn should_hold_every_rust_block_of_the_readme_verbatim() {
    let readme = include_str!("../README.md");
    let blocks = rust_blocks(readme);
    assert!(
        blocks.len() >= 5,
        "the README's Rust blocks: {}",
        blocks.len()
    );
    for block in blocks {
        assert!(
            SNIPPET_FILES.iter().any(|f| holds(f, &block)),
            "this README block is in no test (tests/readme*.rs):\n{}",
            block.join("\n")
        );
    }
}

#[test]
fn should_find_a_changed_block_missing() {
    let block = ["let report = Verifier::new(\"orders\", \"http://elsewhere\")"];
    assert!(!SNIPPET_FILES.iter().any(|f| holds(f, &block)));
    assert_eq!(
        rust_blocks("```rust\n  a\n```\n```sh\nb\n```\n"),
        vec![vec!["a"]]
    );
}

// ---- Library: consumer tests -------------------------------------------------------------

#[rustfmt::skip] // verbatim from the README
mod consumer {
    use serde_json::json;
    use shakedown::consumer::{Contract, matchers::*};
    use shakedown_shop::web_client::OrdersClient;                   // the client under test

    #[test]
    fn should_show_an_existing_order() {
        let mut contract = Contract::new("web", "orders");          // writes contracts/web-orders.json
        contract.interaction("a request for an existing order", |i| {
            i.given_with("an order exists", json!({"id": 1}))
                .request(|r| { r.get(regex("/orders/\\d+", "/orders/1")).header("Accept", "application/json"); })
                .response(|r| { r.status(200).json(json!({
                    "id": integer(1),
                    "status": "placed",
                    "lines": each_like(json!({"sku": regex("SKU-\\d{6}", "SKU-000123"), "qty": integer(2)}), 1),
                })); });
        });
        let server = contract.start_mock_server();                  // real HTTP on 127.0.0.1:<port>
        let order = OrdersClient::new(server.url()).order(1).unwrap();
        assert_eq!(order.lines.len(), 1);
    }   // drop: every interaction requested, nothing unexpected → the contract file is merged
}

// ---- Library: provider verification ------------------------------------------------------

#[cfg(feature = "verifier")]
#[rustfmt::skip] // the README block inside, verbatim
#[test]
fn should_verify_the_example_provider_as_the_readme_shows() -> Result<(), Box<dyn Error>> {
    use shakedown_shop::orders_service::{self, Config};
    let provider = orders_service::start("127.0.0.1:0", Config::default())?;
    let orders_url = provider.url();

    use serde_json::json;
    use shakedown::contract::{Body, Message};
    use shakedown::verifier::Verifier;

    // orders_url: where the provider under test answers, e.g. "http://127.0.0.1:8080"
    let report = Verifier::new("orders", &orders_url)
        .contracts("contracts")
        .state_url(&format!("{orders_url}/_pact/state"))   // or .state_handler(|state, action| …)
        .message("an OrderPlaced event", |_interaction| {
            // the event the provider would publish, as a shakedown::contract::Message
            let event = json!({"type": "OrderPlaced", "orderId": 7,
                               "placedAt": "2024-05-01T10:00:00Z",
                               "lines": [{"sku": "SKU-000123", "qty": 12}]});
            let metadata = json!({"contentType": "application/json", "topic": "orders.placed"});
            let metadata = metadata.as_object().cloned().unwrap_or_default();
            Ok(Message { contents: Body::json(&event), metadata, ..Default::default() })
        })
        .run()?;
    assert!(report.success(), "{}", report.render(false));

    assert_eq!(report.tally().passed, 4, "every interaction verified");
    Ok(())
}

// ---- Library: contracts and matching -----------------------------------------------------

#[rustfmt::skip] // the README block inside, verbatim
#[test]
fn should_match_and_upgrade_a_contract_as_the_readme_shows() -> Result<(), Box<dyn Error>> {
    use serde_json::json;
    use shakedown::contract::{match_response, render_mismatches, Body, HttpResponse, InteractionKind, Pact};

    let pact = Pact::from_file("examples/pacts/web-orders-v2.json")?;     // any version
    for i in &pact.interactions {
        if let InteractionKind::Http { response, .. } = &i.kind {
            let received = HttpResponse {                                     // what the provider answered
                status: 200,
                body: Body::json(&json!({"id": 1, "status": "placed", "items": []})),
                ..Default::default()
            };
            let mismatches = match_response(response, &received);            // data, never errors
            print!("{}", render_mismatches(&mismatches, true));               // coloured diff
        }
    }
    std::fs::write(std::env::temp_dir().join("web-orders.json"), pact.to_pretty_string())?;  // canonical V4

    let written = Pact::from_file(std::env::temp_dir().join("web-orders.json"))?;
    assert_eq!(written.interactions.len(), pact.interactions.len());
    Ok(())
}

// ---- Library: faults from a test ---------------------------------------------------------

#[cfg(feature = "chaos")]
#[rustfmt::skip] // the README block inside, verbatim
#[test]
fn should_add_and_remove_a_toxic_as_the_readme_shows() -> Result<(), Box<dyn Error>> {
    use std::time::Duration;
    use shakedown::chaos::{Proxy, Stream, Toxic, ToxicKind};

    let proxy = Proxy::start("payments", "127.0.0.1:0", "127.0.0.1:9090", 42)?;   // seed 42
    // point the client under test at proxy.listen_addr() …
    let slow = Toxic::new("slow", Stream::Downstream,
        ToxicKind::Latency { latency: Duration::from_millis(500), jitter: Duration::from_millis(50) });
    {
        let _guard = proxy.with_toxic(slow)?;   // removed when the guard drops
        // assert that the client times out / falls back …
    }
    proxy.stop();

    assert!(proxy.toxics().is_empty(), "the guard removed the toxic");
    Ok(())
}

/// The README's Scenarios section: every ```toml block is a scenario that loads (syntax,
/// fields, references, the system and Compose files it names) when saved in `scenarios/`,
/// as the section says.
#[cfg(feature = "scenario")]
#[test]
fn should_load_every_toml_block_of_the_readme_scenarios_section() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("\n## Scenarios\n")
        .expect("a Scenarios section");
    let section = &readme[start + 1..];
    let end = section.find("\n## ").unwrap_or(section.len());
    let blocks = blocks_of(&section[..end], "```toml");
    assert!(
        blocks.len() >= 3,
        "the complete, system-file and Compose examples"
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for (i, block) in blocks.iter().enumerate() {
        let file = dir.join(format!(".readme-{}-{i}.toml", std::process::id()));
        std::fs::write(&file, block.join("\n")).expect("a scenario file");
        let loaded = shakedown::scenario::load(&file);
        std::fs::remove_file(&file).expect("removed");
        if let Err(e) = loaded {
            panic!(
                "README toml block {i} is not a valid scenario:\n{e}\n{}",
                block.join("\n")
            );
        }
    }
}
