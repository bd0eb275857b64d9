//! The example shop's `shipping` service: `NATS_URL=nats://127.0.0.1:4222 cargo run -p
//! shakedown-shop --bin shipping -- [--port N]` consumes `OrderPlaced` events from `orders.placed` and
//! serves its shipments on `HOST:PORT` (default 127.0.0.1:8082) until SIGINT or SIGTERM.
//!
//! Settings (flag, else environment variable): `--host`/`HOST`, `--port`/`PORT`,
//! `--nats-url`/`NATS_URL` (required).

use shakedown_shop::{serve, shipping_service};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let addr = serve::listen_addr(&args, 8082);
    let Some(nats_url) = serve::setting(&args, "--nats-url", "NATS_URL") else {
        eprintln!("shipping: NATS_URL is required (e.g. nats://127.0.0.1:4222)");
        return ExitCode::from(2);
    };
    serve::run("shipping", async move {
        let shipping = shipping_service::Shipping::start(&nats_url).await?;
        serve::listen_and_serve("shipping", &format!("events: {nats_url}"), &addr, {
            move |request| {
                let shipping = shipping.clone();
                async move { shipping.handle(&request) }
            }
        })
        .await
    })
}
