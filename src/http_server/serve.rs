//! The accept loop: accept on a listener until shutdown (backing off when accepts fail,
//! waiting when the connection cap is reached), one task per connection, keep-alive, and a
//! request handler that gets the whole body (and may close the connection unanswered).

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::net::TcpStream;

use super::backoff::Backoff;
use super::options::ServerOptions;
use super::slots::Slots;

/// Marks a handler's response as not to be sent: the connection is closed without an
/// answer (a stub's `abort` fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("closed without an answer")]
pub struct Unanswered;

/// Serves `handler` on `listener` until `shutdown` completes, within the limits of
/// `options`. The handler gets each request with its whole body (bodies over the cap are
/// answered 413 without calling it); a response carrying the [`Unanswered`] extension is
/// not sent, its connection closed instead.
pub async fn serve<H, Fut>(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()>,
    options: ServerOptions,
    handler: H,
) where
    H: Fn(Request<Bytes>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    tokio::pin!(shutdown);
    let options = Arc::new(options);
    let mut slots = Slots::new(options.max_connections);
    let mut backoff = Backoff::default();
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => return,
            permit = slots.take() => permit,
        };
        let stream = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((s, _)) => s,
                Err(e) => {
                    let delay = backoff.failed(&e);
                    tokio::select! {
                        _ = &mut shutdown => return,
                        _ = tokio::time::sleep(delay) => continue,
                    }
                }
            },
        };
        backoff.succeeded();
        let handler = handler.clone();
        let options = options.clone();
        tokio::spawn(async move {
            connection(stream, &options, handler).await;
            drop(permit);
        });
    }
}

/// Serves one connection until the client closes it, it errs, or it stays idle too long.
async fn connection<H, Fut>(stream: TcpStream, options: &ServerOptions, handler: H)
where
    H: Fn(Request<Bytes>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let max_body = options.max_body;
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let handler = handler.clone();
        async move {
            let answer = match super::body::collect(req, max_body).await {
                Ok(req) => handler(req).await,
                Err(answer) => answer,
            };
            match answer.extensions().get::<Unanswered>() {
                Some(&unanswered) => Err(unanswered),
                None => Ok(answer),
            }
        }
    });
    super::connection::serve_connection(stream, options, service).await;
}
