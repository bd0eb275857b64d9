//! One HTTP/1.1 connection served under the header-read and idle timeouts of
//! [`ServerOptions`]: the piece shared by the accept loop and the fault proxy's HTTP mode.

use std::future::Future;

use hyper::body::{Body, Incoming};
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;

use super::idle::{Activity, Watched};
use super::options::ServerOptions;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves `stream` with `service` until the client closes it, it errs, its request head
/// takes longer than `options.header_read_timeout`, or no byte moves for
/// `options.idle_timeout`. The body cap is the service's business (`options.max_body` is
/// not applied here).
pub async fn serve_connection<S, B>(stream: TcpStream, options: &ServerOptions, service: S)
where
    S: Service<Request<Incoming>, Response = Response<B>>,
    S::Future: Future<Output = Result<Response<B>, S::Error>>,
    S::Error: Into<BoxError>,
    B: Body + 'static,
    B::Error: Into<BoxError>,
{
    let _ = stream.set_nodelay(true);
    let activity = Activity::new();
    let io = TokioIo::new(Watched::new(stream, activity.clone()));
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::select! {
        _ = conn => {}
        _ = activity.idle_for(options.idle_timeout) => {}
    }
}
