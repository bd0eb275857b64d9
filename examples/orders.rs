//! The example shop's `orders` provider: `cargo run --example orders -- [--port N]
//! [--rename-status]` serves it on 127.0.0.1 until Ctrl-C.

#[allow(dead_code)]
#[path = "shop/orders_service.rs"]
mod orders_service;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let port = args
        .iter()
        .position(|a| a == "--port")
        .and_then(|i| args.get(i + 1))
        .map_or("8080", String::as_str);
    let config = orders_service::Config {
        rename_status: args.iter().any(|a| a == "--rename-status"),
    };
    let running = match orders_service::start(&format!("127.0.0.1:{port}"), config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("orders: cannot listen on port {port}: {e}");
            std::process::exit(2);
        }
    };
    println!("orders: listening on {}", running.url());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let _ = rt.block_on(tokio::signal::ctrl_c());
}
