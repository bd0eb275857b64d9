//! The example shop's `payments` service: `cargo run -p shakedown-shop --bin payments -- [--port N]`
//! serves it on `HOST:PORT` (default 127.0.0.1:9090) until SIGINT or SIGTERM.

use shakedown_shop::{payments_service, serve};
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let addr = serve::listen_addr(&args, 9090);
    serve::run("payments", async move {
        let payments = Arc::new(payments_service::Payments::default());
        serve::listen_and_serve("payments", "", &addr, move |request| {
            let payments = payments.clone();
            async move { payments.handle(&request) }
        })
        .await
    })
}
