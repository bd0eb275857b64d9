//! BrokerOptions: who may call the broker, and its test mode.

/// How `shakedown broker` serves.
///
/// ```
/// use shakedown::broker::server::BrokerOptions;
/// let open = BrokerOptions::default();
/// assert!(open.token.is_none() && !open.test_states);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrokerOptions {
    /// Every request needs `Authorization: Bearer TOKEN` (401 otherwise).
    pub token: Option<String>,
    /// With a token: GET and HEAD requests need none.
    pub public_read: bool,
    /// Serve `POST /_shakedown/provider-states`, which wipes the store and sets up one of
    /// the Pact Broker contract's provider states. Never on a broker that holds real data.
    pub test_states: bool,
    /// The base URL of every link (`https://broker.example.com`), for a broker behind a
    /// proxy that sends no `X-Forwarded-*` headers; without it, links are built from the
    /// request's `X-Forwarded-Proto`/`X-Forwarded-Host` or `Host`.
    pub base_url: Option<String>,
}
