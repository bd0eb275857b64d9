//! The HTTP server behind mock providers and `shakedown mock`: hyper on a loopback socket,
//! translating requests and responses to and from the contract model.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use tokio::sync::oneshot;

use super::stub::{Answer, Stub};
use crate::contract::{percent_decode, Body, Headers, HttpRequest, HttpResponse, Query};
use crate::http_server::ServerOptions;

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The runtime could not be built.
    #[error("cannot start the server runtime: {0}")]
    Runtime(std::io::Error),
}

/// A running server; stops when dropped.
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// Binds `addr` (port 0 for an ephemeral port) and serves `stub` from a background
    /// thread with `workers` runtime threads (1: a current-thread runtime), within the
    /// default [`ServerOptions`].
    pub fn start(addr: &str, stub: Arc<Stub>, workers: usize) -> Result<Self, ServerError> {
        Self::start_with(addr, stub, workers, ServerOptions::default())
    }

    /// [`RunningServer::start`] within other limits (timeouts, connections, body size).
    pub fn start_with(
        addr: &str,
        stub: Arc<Stub>,
        workers: usize,
        options: ServerOptions,
    ) -> Result<Self, ServerError> {
        let listener = std::net::TcpListener::bind(addr).map_err(|source| ServerError::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let bound = listener.local_addr().map_err(|source| ServerError::Bind {
            addr: addr.to_string(),
            source,
        })?;
        listener
            .set_nonblocking(true)
            .map_err(ServerError::Runtime)?;
        stub.set_base_url(&format!("http://{bound}"));
        let runtime = build_runtime(workers)?;
        let (tx, rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("shakedown-mock-{}", bound.port()))
            .spawn(move || runtime.block_on(serve(listener, stub, options, rx)))
            .map_err(ServerError::Runtime)?;
        Ok(RunningServer {
            addr: bound,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, and waits for the server thread.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The most worker threads a server runs, whatever it is asked for (2^64 - 1 made tokio's
/// builder panic; 10^11 asked for terabytes of stacks).
pub const MAX_WORKERS: usize = 1024;

fn build_runtime(workers: usize) -> Result<tokio::runtime::Runtime, ServerError> {
    let workers = workers.min(MAX_WORKERS);
    let mut b = if workers <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(workers);
        b
    };
    b.enable_all().build().map_err(ServerError::Runtime)
}

async fn serve(
    listener: std::net::TcpListener,
    stub: Arc<Stub>,
    options: ServerOptions,
    shutdown: oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let stop = async {
        let _ = shutdown.await;
    };
    crate::http_server::serve(listener, stop, options, move |req| {
        let stub = stub.clone();
        async move { handle(&stub, req).await }
    })
    .await;
}

async fn handle(stub: &Stub, req: Request<Bytes>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    match stub.answer(&to_contract(&parts, &body)) {
        Answer::Respond(response) => to_hyper(response),
        Answer::Late(delay, response) => {
            tokio::time::sleep(delay).await;
            to_hyper(response)
        }
        Answer::Abort => {
            let mut r = Response::new(Full::new(Bytes::new()));
            r.extensions_mut().insert(crate::http_server::Unanswered);
            r
        }
    }
}

/// A hyper request as the contract model sees it.
pub fn to_contract(parts: &hyper::http::request::Parts, body: &[u8]) -> HttpRequest {
    let (path, query) = (parts.uri.path(), parts.uri.query());
    request_from(parts.method.as_str(), path, query, &parts.headers, body)
}

/// A request's pieces as the contract model sees them: the path percent-decoded, the query
/// and headers gathered by name (a value that is not UTF-8 read lossily).
pub(crate) fn request_from(
    method: &str,
    path: &str,
    query: Option<&str>,
    header_map: &hyper::HeaderMap,
    body: &[u8],
) -> HttpRequest {
    let mut headers = Headers::new();
    for (name, value) in header_map {
        headers
            .entry(name.as_str().to_string())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    let mut pairs = Query::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        pairs
            .entry(k.into_owned())
            .or_default()
            .push(v.into_owned());
    }
    let content_type = crate::contract::content_type(&headers);
    HttpRequest {
        method: method.to_string(),
        path: percent_decode(path),
        query: pairs,
        headers,
        body: Body::from_bytes(body.to_vec(), content_type),
        ..Default::default()
    }
}

/// A contract response as hyper sends it.
pub fn to_hyper(response: HttpResponse) -> Response<Full<Bytes>> {
    to_http(&response).map(Full::new)
}

/// A contract response as HTTP, or a 500 saying why HTTP cannot carry it (a status, header
/// name or header value out of HTTP's grammar).
pub(crate) fn to_http(response: &HttpResponse) -> Response<Bytes> {
    let mut builder = Response::builder().status(response.status);
    for (name, values) in &response.headers {
        for v in values {
            builder = builder.header(name.as_str(), v.as_str());
        }
    }
    let body = Bytes::from(response.body.bytes().to_vec());
    builder.body(body).unwrap_or_else(|e| {
        let mut r = Response::new(Bytes::from(format!("invalid response in contract: {e}")));
        *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_worker_count_builds_a_runtime() {
        // usize::MAX overflowed inside tokio's builder (a panic); it is held to MAX_WORKERS
        // (1,024 threads for a moment: ~0.2 s here).
        let runtime = build_runtime(usize::MAX).expect("a runtime");
        assert_eq!(runtime.metrics().num_workers(), MAX_WORKERS);
        assert!(build_runtime(0).is_ok());
    }
}
