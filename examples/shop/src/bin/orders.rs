//! The example shop's `orders` service: `cargo run -p shakedown-shop --bin orders -- [--port N]
//! [--rename-status] [--fragile]` serves it on `HOST:PORT` (default 127.0.0.1:8080) until
//! SIGINT or SIGTERM.
//!
//! Settings (flag, else environment variable): `--host`/`HOST`, `--port`/`PORT`,
//! `--payments-url`/`PAYMENTS_URL` (pay each order there first), `--payments-timeout-ms`/
//! `PAYMENTS_TIMEOUT_MS` (default 300), `--nats-url`/`NATS_URL` (send `OrderPlaced` events
//! on `orders.placed`), `--fragile`/`RESILIENCE=off` (no timeout, breaker or outbox),
//! `--rename-status` (break the contract on purpose).

use shakedown_shop::checkout::{Checkout, Settings};
use shakedown_shop::{orders_service, serve};
use std::process::ExitCode;
use std::time::Duration;

fn settings(args: &[String]) -> Result<Settings, String> {
    let timeout_ms = match serve::setting(args, "--payments-timeout-ms", "PAYMENTS_TIMEOUT_MS") {
        Some(ms) => ms
            .parse::<u64>()
            .map_err(|_| format!("PAYMENTS_TIMEOUT_MS is not a number of milliseconds: {ms:?}"))?,
        None => 300,
    };
    let resilience = std::env::var("RESILIENCE").unwrap_or_default();
    Ok(Settings {
        config: orders_service::Config {
            rename_status: serve::has_flag(args, "--rename-status"),
        },
        resilient: !serve::has_flag(args, "--fragile") && !resilience.eq_ignore_ascii_case("off"),
        payments_url: serve::setting(args, "--payments-url", "PAYMENTS_URL"),
        payments_timeout: Duration::from_millis(timeout_ms),
        nats_url: serve::setting(args, "--nats-url", "NATS_URL"),
    })
}

fn describe(settings: &Settings) -> String {
    format!(
        "{}; payments: {}; events: {}",
        if settings.resilient {
            "resilient"
        } else {
            "fragile"
        },
        settings.payments_url.as_deref().unwrap_or("none"),
        settings.nats_url.as_deref().unwrap_or("none"),
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let addr = serve::listen_addr(&args, 8080);
    serve::run("orders", async move {
        let settings = settings(&args)?;
        let detail = describe(&settings);
        let checkout = Checkout::start(settings).await?;
        serve::listen_and_serve("orders", &detail, &addr, move |request| {
            let checkout = checkout.clone();
            async move { checkout.handle(request).await }
        })
        .await
    })
}
