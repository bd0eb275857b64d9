//! How the example shop's services connect to NATS: in the background, reconnecting forever
//! every 250 ms, noticing a dead link within about 3 s (1 s pings), so that they resume
//! within about a second after a broker restart or a healed partition.

use std::time::Duration;

/// The subject `OrderPlaced` events travel on.
pub const ORDERS_PLACED: &str = "orders.placed";

/// A client of the broker at `url` (e.g. `nats://127.0.0.1:4222`). It returns at once, even
/// while the broker is down; connection changes are logged as `NAME: nats EVENT`.
pub async fn connect(name: &'static str, url: &str) -> Result<async_nats::Client, String> {
    async_nats::ConnectOptions::new()
        .name(name)
        .retry_on_initial_connect()
        .max_reconnects(None)
        .reconnect_delay_callback(|_| Duration::from_millis(250))
        .connection_timeout(Duration::from_secs(1))
        .ping_interval(Duration::from_secs(1))
        .event_callback(move |event| async move { eprintln!("{name}: nats {event}") })
        .connect(url)
        .await
        .map_err(|e| format!("bad NATS_URL {url:?}: {e}"))
}

/// Whether the client is connected now.
pub fn is_connected(client: &async_nats::Client) -> bool {
    client.connection_state() == async_nats::connection::State::Connected
}
