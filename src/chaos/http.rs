//! HTTP-aware proxying: while a proxy has HTTP fault toxics, its connections are served as
//! HTTP/1.1, and each matching request may be answered with a status, aborted, or delayed
//! (a share of them, by toxicity); the rest go to the upstream untouched.

use std::sync::{Arc, Mutex};

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
use super::toxic::{HttpAction, HttpFault, ToxicKind};

type Body = BoxBody<Bytes, hyper::Error>;
type Sender = hyper::client::conn::http1::SendRequest<Incoming>;

/// Why a request got no answer (hyper then closes the connection).
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("aborted by an HTTP fault")]
    Aborted,
    #[error("upstream: {0}")]
    Upstream(String),
}

struct Connection {
    proxy: Proxy,
    upstream: String,
    rng: Mutex<StdRng>,
    sender: tokio::sync::Mutex<Option<Sender>>,
}

/// Serves one client connection as HTTP, applying the proxy's HTTP faults.
pub(crate) async fn serve(proxy: Proxy, client: TcpStream, upstream: String, rng: StdRng) {
    let conn = Arc::new(Connection {
        proxy,
        upstream,
        rng: Mutex::new(rng),
        sender: tokio::sync::Mutex::new(None),
    });
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let conn = conn.clone();
        async move { conn.handle(req).await }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(client), service)
        .await;
}

impl Connection {
    fn fault_for(&self, method: &str, path: &str) -> Option<HttpFault> {
        let toxics = self.proxy.toxics();
        let (toxicity, fault) = toxics.iter().find_map(|t| match &t.kind {
            ToxicKind::Http(f) if f.matches(method, path) => Some((t.toxicity, f.clone())),
            _ => None,
        })?;
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        (toxicity >= 1.0 || rng.random::<f64>() < toxicity).then_some(fault)
    }

    async fn handle(&self, req: Request<Incoming>) -> Result<Response<Body>, Refusal> {
        match self
            .fault_for(req.method().as_str(), req.uri().path())
            .map(|f| f.action)
        {
            Some(HttpAction::Respond { status, body }) => Ok(canned(status, body)),
            Some(HttpAction::Abort) => Err(Refusal::Aborted),
            Some(HttpAction::Delay(d)) => {
                tokio::time::sleep(d).await;
                self.forward(req).await
            }
            None => self.forward(req).await,
        }
    }

    async fn forward(&self, req: Request<Incoming>) -> Result<Response<Body>, Refusal> {
        let mut slot = self.sender.lock().await;
        if slot.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = TcpStream::connect(&self.upstream)
                .await
                .map_err(|e| Refusal::Upstream(e.to_string()))?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| Refusal::Upstream(e.to_string()))?;
            tokio::spawn(conn);
            *slot = Some(sender);
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
