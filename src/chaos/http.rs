//! HTTP-aware proxying: while a proxy has HTTP fault toxics, its connections are served as
//! HTTP/1.1, and each matching request may be answered with a status, aborted, or delayed
//! (a share of them, by toxicity); the rest go to the upstream untouched. A fault with a
//! [`RequestMatch`](super::RequestMatch) (e.g. a contract interaction's request) holds a
//! request's body, up to [`MATCHED_BODY_CAP`], to ask it; other bodies stream through
//! unheld. A connection keeps
//! the shared server's header-read and idle timeouts ([`ServerOptions`]); reaching the
//! upstream is bounded by [`UPSTREAM_CONNECT_TIMEOUT`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::RngExt as _;
use tokio::net::TcpStream;

use super::proxy::Proxy;
use super::toxic::{HttpAction, HttpFault, ToxicKind, MATCHED_BODY_CAP};
use crate::http_server::{serve_connection, ServerOptions};

/// How long reaching the upstream (TCP connect and HTTP handshake) may take before the
/// request is refused.
pub const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

type Body = BoxBody<Bytes, hyper::Error>;
type Sender = hyper::client::conn::http1::SendRequest<Body>;

/// Why a request got no answer (hyper then closes the connection).
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("aborted by an HTTP fault")]
    Aborted,
    #[error("reading the request body: {0}")]
    Client(hyper::Error),
    #[error("upstream: {0}")]
    Upstream(String),
}

struct Connection {
    proxy: Proxy,
    upstream: String,
    rng: Mutex<StdRng>,
    sender: tokio::sync::Mutex<Option<Sender>>,
    /// The upstream connection the proxy opened when the client connected, used for the
    /// first request (later ones reconnect when it closes).
    opened: Mutex<Option<TcpStream>>,
}

/// Serves one client connection as HTTP, applying the proxy's HTTP faults, within the
/// header-read and idle timeouts of `options`. Its body cap does not apply: request and
/// answer bodies stream through to the other side as they come, never held whole.
pub(crate) async fn serve(
    proxy: Proxy,
    (client, server): (TcpStream, TcpStream),
    upstream: String,
    rng: StdRng,
    options: &ServerOptions,
) {
    let conn = Arc::new(Connection {
        proxy,
        upstream,
        rng: Mutex::new(rng),
        sender: tokio::sync::Mutex::new(None),
        opened: Mutex::new(Some(server)),
    });
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let conn = conn.clone();
        async move { conn.handle(req).await }
    });
    serve_connection(client, options, service).await;
}

impl Connection {
    /// The HTTP faults whose method and path match, with their toxicity, in toxic order.
    fn candidates(&self, method: &str, path: &str) -> Vec<(f64, HttpFault)> {
        let toxics = self.proxy.toxics();
        toxics
            .iter()
            .filter_map(|t| match &t.kind {
                ToxicKind::Http(f) if f.matches(method, path) => Some((t.toxicity, f.clone())),
                _ => None,
            })
            .collect()
    }

    /// The fault that hits `req`, if any, and the request to forward otherwise (its body
    /// held when a fault's matcher had to see it).
    async fn fault_for(
        &self,
        req: Request<Incoming>,
    ) -> Result<(Request<Body>, Option<HttpFault>), Refusal> {
        let candidates = self.candidates(req.method().as_str(), req.uri().path());
        if candidates.iter().all(|(_, f)| f.matcher.is_none()) {
            let fault = candidates.into_iter().next();
            return Ok((req.map(BodyExt::boxed), self.roll(fault)));
        }
        let (head, body) = req.into_parts();
        let held = hold(&head, body).await?;
        let hit = candidates
            .into_iter()
            .find(|(_, f)| match (&f.matcher, &held) {
                (None, _) => true,
                (Some(m), Held::Whole(bytes)) => m.matches(&head, bytes),
                (Some(_), Held::Streaming(_)) => false,
            });
        let body = match held {
            Held::Whole(bytes) => Full::new(bytes).map_err(|never| match never {}).boxed(),
            Held::Streaming(body) => body.boxed(),
        };
        Ok((Request::from_parts(head, body), self.roll(hit)))
    }

    /// The fault, if the roll against its toxicity hits.
    fn roll(&self, candidate: Option<(f64, HttpFault)>) -> Option<HttpFault> {
        let (toxicity, fault) = candidate?;
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        (toxicity >= 1.0 || rng.random::<f64>() < toxicity).then_some(fault)
    }

    async fn handle(&self, req: Request<Incoming>) -> Result<Response<Body>, Refusal> {
        let (req, fault) = self.fault_for(req).await?;
        match fault.map(|f| f.action) {
            Some(HttpAction::Respond { status, body }) => Ok(canned(status, body)),
            Some(HttpAction::Abort) => Err(Refusal::Aborted),
            Some(HttpAction::Delay(d)) => {
                tokio::time::sleep(d).await;
                self.forward(req).await
            }
            None => self.forward(req).await,
        }
    }

    async fn forward(&self, req: Request<Body>) -> Result<Response<Body>, Refusal> {
        let mut slot = self.sender.lock().await;
        if slot.as_ref().is_none_or(|s| s.is_closed()) {
            let connecting = tokio::time::timeout(UPSTREAM_CONNECT_TIMEOUT, self.connect());
            *slot = Some(connecting.await.map_err(|_| {
                Refusal::Upstream(format!(
                    "{} not reached within {UPSTREAM_CONNECT_TIMEOUT:?}",
                    self.upstream
                ))
            })??);
        }
        let sender = slot
            .as_mut()
            .ok_or_else(|| Refusal::Upstream("no connection".into()))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| Refusal::Upstream(e.to_string()))?;
        Ok(resp.map(|b| b.boxed()))
    }

    /// An HTTP/1.1 connection to the upstream: the one opened with the client's, else new.
    async fn connect(&self) -> Result<Sender, Refusal> {
        let opened = self.opened.lock().unwrap_or_else(|e| e.into_inner()).take();
        let stream = match opened {
            Some(stream) => stream,
            None => TcpStream::connect(&self.upstream)
                .await
                .map_err(|e| Refusal::Upstream(e.to_string()))?,
        };
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| Refusal::Upstream(e.to_string()))?;
        tokio::spawn(conn);
        Ok(sender)
    }
}

/// A request body as a fault's matcher may see it.
enum Held {
    /// Read whole: its length was known and at most [`MATCHED_BODY_CAP`].
    Whole(Bytes),
    /// Left to stream: too big, or of unknown length (chunked).
    Streaming(Incoming),
}

/// Reads a request's body whole when its `Content-Length` is at most [`MATCHED_BODY_CAP`]
/// (none and no `Transfer-Encoding`: no body); leaves any other to stream.
async fn hold(head: &hyper::http::request::Parts, body: Incoming) -> Result<Held, Refusal> {
    let length = match head.headers.get(hyper::header::CONTENT_LENGTH) {
        Some(v) => v.to_str().ok().and_then(|v| v.parse::<u64>().ok()),
        None if head.headers.contains_key(hyper::header::TRANSFER_ENCODING) => None,
        None => Some(0),
    };
    if length.is_none_or(|n| n > MATCHED_BODY_CAP) {
        return Ok(Held::Streaming(body));
    }
    let bytes = body.collect().await.map_err(Refusal::Client)?.to_bytes();
    Ok(Held::Whole(bytes))
}

fn canned(status: u16, body: String) -> Response<Body> {
    let mut r = Response::new(
        Full::new(Bytes::from(body))
            .map_err(|never| match never {})
            .boxed(),
    );
    *r.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::SERVICE_UNAVAILABLE);
    r.headers_mut().insert(
        "x-shakedown-fault",
        hyper::header::HeaderValue::from_static("http"),
    );
    r
}
