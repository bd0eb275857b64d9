//! The example shop's `web` consumer as a command: `cargo run -p shakedown-shop --bin web -- URL ID`
//! prints an order fetched from the orders service at URL.

use shakedown_shop::web_client;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(id)) = (args.get(1), args.get(2).and_then(|i| i.parse().ok())) else {
        eprintln!("usage: web URL ORDER_ID");
        std::process::exit(2);
    };
    match web_client::OrdersClient::new(url).order(id) {
        Ok(order) => println!("{order:?}"),
        Err(e) => {
            eprintln!("cannot fetch order {id}: {e}");
            std::process::exit(1);
        }
    }
}
