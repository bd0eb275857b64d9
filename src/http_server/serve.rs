//! The accept loop: accept on a listener until shutdown (backing off when accepts fail,
//! waiting when the connection cap is reached), one task per connection, keep-alive, and a
//! request handler that gets the whole body.

use std::convert::Infallible;
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

/// Serves `handler` on `listener` until `shutdown` completes, within the limits of
/// `options`. The handler gets each request with its whole body (bodies over the cap are
/// answered 413 without calling it).
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
            Ok::<_, Infallible>(match super::body::collect(req, max_body).await {
                Ok(req) => handler(req).await,
                Err(answer) => answer,
            })
        }
    });
    super::connection::serve_connection(stream, options, service).await;
}
