//! README.md's testcontainers snippet ("Library: testcontainers"), compiled and run with the
//! example shop's local images (feature `testcontainers`, on `common::harness`: ignored
//! without Docker or the images, a failure under `SHAKEDOWN_REQUIRE_DOCKER=1`);
//! `tests/readme.rs` checks that the README block appears here verbatim.

mod common;

use common::harness::Tests;
use common::prerequisite::Need;
use common::runtime::block_on_threads;

#[rustfmt::skip] // the README block inside, verbatim
mod snippet {
    use std::time::Duration;
    use shakedown::chaos::{Stream, Toxic, ToxicKind};
    use shakedown::container::Faults;
    use shakedown::verifier::Verifier;
    use testcontainers::{core::{IntoContainerPort, WaitFor}, runners::AsyncRunner, GenericImage};

    async fn orders_under_faults() -> Result<(), Box<dyn std::error::Error>> {
        let orders = GenericImage::new("shakedown-example/orders", "latest")   // a local image
            .with_exposed_port(8080.tcp())
            .with_wait_for(WaitFor::message_on_stdout("listening on"))
            .start().await?;

        // Verify it against its contracts on the mapped port.
        let report = Verifier::new("orders", &orders.base_url(8080).await?)
            .contracts("contracts")
            .state_url(&orders.url(8080, "/_pact/state").await?)
            .messages_url(&orders.url(8080, "/_pact/messages").await?)
            .run_async().await?;
        assert!(report.success(), "{}", report.render(false));

        let proxy = orders.proxy(8080).await?;           // a fault proxy in front of it
        let slow = Toxic::new("slow", Stream::Downstream,
            ToxicKind::Latency { latency: Duration::from_millis(300), jitter: Duration::ZERO });
        {
            let _slow = proxy.with_toxic(slow)?;         // clients of proxy.listen_addr() are slowed
            let _frozen = orders.freeze().await?;        // docker pause, unpaused on drop
        }
        let _cut = orders.partition_from_host().await?;  // unreachable from the host until dropped
        Ok(())
    }

    /// The snippet, for `main`.
    pub async fn run() -> Result<(), Box<dyn std::error::Error>> {
        orders_under_faults().await
    }
}

fn main() -> std::process::ExitCode {
    Tests::new()
        .needs(
            &[Need::ShopImages],
            "should_run_the_readme_testcontainers_snippet",
            || {
                block_on_threads(snippet::run()).expect("the snippet runs");
            },
        )
        .run()
}
