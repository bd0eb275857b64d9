//! The example shop's `shipping` consumer as a command: reads an `OrderPlaced` event (JSON)
//! from standard input and prints the planned shipment.

// Shared with the consumer tests, which use all of it.
#[allow(dead_code)]
#[path = "shop/shipping_handler.rs"]
mod shipping_handler;

fn main() {
    let mut payload = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut payload) {
        eprintln!("cannot read the event: {e}");
        std::process::exit(2);
    }
    match shipping_handler::handle_order_placed(&payload) {
        Ok(s) => println!("{s:?}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
