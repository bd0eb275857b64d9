//! Broker: the store and the options, answering each request on the blocking pool; and
//! `serve`, the accept loop (the crate's HTTP/1.1 server with its timeouts and caps).

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use hyper::Request;

use http_body_util::Full;
use hyper::Response;

use super::answer::error;
use super::auth::allowed;
use super::call::Call;
use super::options::BrokerOptions;
use crate::broker::store::Store;
use crate::http_server::ServerOptions;

/// A broker: its store and how it serves.
#[derive(Debug)]
pub struct Broker {
    /// Where everything is kept.
    pub store: Store,
    /// Auth and test mode.
    pub options: BrokerOptions,
    /// What pacts-for-verification read per provider, kept while the store's generation
    /// stays the same.
    pub(crate) inputs: super::for_verification::InputCache,
    /// What pacts-for-verification selected per provider and request, kept while the
    /// store's generation stays the same.
    pub(crate) selections: super::for_verification::SelectionCache,
}

impl Broker {
    /// A broker serving `store` as `options` say.
    pub fn new(store: Store, options: BrokerOptions) -> Broker {
        Broker {
            store,
            options,
            inputs: Default::default(),
            selections: Default::default(),
        }
    }

    /// Answers one request (blocking: call it off the async workers).
    pub fn handle(&self, req: Request<Bytes>) -> Response<Full<Bytes>> {
        let call = Call::new(req, self.options.base_url.as_deref());
        if !allowed(&self.options, &call.method, call.authorization.as_deref()) {
            let mut answer = error(
                401,
                "authentication required: send Authorization: Bearer <token>",
            );
            answer.headers_mut().insert(
                hyper::header::WWW_AUTHENTICATE,
                hyper::header::HeaderValue::from_static("Bearer"),
            );
            return *answer;
        }
        match super::routes::route(self, &call) {
            Ok(a) | Err(a) => *a,
        }
    }
}

/// Serves `broker` on `listener` until `shutdown` completes.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use shakedown::broker::server::{serve, Broker, BrokerOptions};
/// use shakedown::broker::store::Store;
/// let store = Store::open(std::path::Path::new(".shakedown/broker"))?;
/// let broker = Arc::new(Broker::new(store, BrokerOptions::default()));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:9292").await?;
/// serve(listener, std::future::pending(), broker).await;
/// # Ok(()) }
/// ```
pub async fn serve(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()>,
    broker: Arc<Broker>,
) {
    crate::http_server::serve(
        listener,
        shutdown,
        ServerOptions::default(),
        move |req: Request<Bytes>| {
            let broker = broker.clone();
            async move {
                tokio::task::spawn_blocking(move || broker.handle(req))
                    .await
                    .unwrap_or_else(|e| *error(500, &format!("the request failed: {e}")))
            }
        },
    )
    .await;
}
