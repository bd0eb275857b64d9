//! The plumbing the example shop's services share: settings from flags and the environment,
//! JSON replies, the HTTP serve loop, and running until SIGINT or SIGTERM.

use std::convert::Infallible;
use std::future::Future;
use std::process::ExitCode;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Response;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// An answer.
pub type Reply = Response<Full<Bytes>>;

/// One request, its body read.
pub struct Request {
    /// `GET`, `POST`…
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The body.
    pub body: Bytes,
}

impl Request {
    /// The path's segments: `/orders/7` → `["orders", "7"]`.
    pub fn segments(&self) -> Vec<&str> {
        self.path.trim_matches('/').split('/').collect()
    }
}

/// A JSON answer.
pub fn json_reply(status: u16, body: Value) -> Reply {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_default()
}

/// A setting: the value after `--flag` on the command line, else the environment variable
/// `env`, else `None` (empty values count as unset).
pub fn setting(args: &[String], flag: &str, env: &str) -> Option<String> {
    let from_flag = args
        .iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .cloned();
    from_flag
        .or_else(|| std::env::var(env).ok())
        .filter(|v| !v.is_empty())
}

/// Whether `--flag` is on the command line.
pub fn has_flag(args: &[String], flag: &str) -> bool {
    args.iter().any(|a| a == flag)
}

/// `HOST:PORT` from `--host`/`HOST` (default 127.0.0.1) and `--port`/`PORT`.
pub fn listen_addr(args: &[String], default_port: u16) -> String {
    let host = setting(args, "--host", "HOST").unwrap_or_else(|| "127.0.0.1".into());
    let port = setting(args, "--port", "PORT").unwrap_or_else(|| default_port.to_string());
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Serves `handler` on `listener` until `shutdown` completes.
pub async fn serve<H, Fut>(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()>,
    handler: H,
) where
    H: Fn(Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((s, _)) => s,
                Err(_) => continue,
            },
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let handler = handler.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body: Bytes = match body.collect().await {
                            Ok(b) => b.to_bytes(),
                            Err(_) => Bytes::new(),
                        };
                        let request = Request {
                            method: parts.method.to_string(),
                            path: parts.uri.path().to_string(),
                            body,
                        };
                        Ok::<_, Infallible>(handler(request).await)
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Catches SIGINT and SIGTERM from now on; the future completes on the first of them.
pub fn terminated() -> impl Future<Output = ()> {
    use tokio::signal::unix::{signal, SignalKind};
    let signals = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    );
    async move {
        let (Ok(mut int), Ok(mut term)) = signals else {
            // Without handlers the default action (exit) applies.
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    }
}

/// Runs a service: a two-worker runtime, `main` on it, and exit status 0 on a clean stop.
/// `main` returns an error message on failure to start (exit status 2).
pub fn run<F>(name: &str, main: F) -> ExitCode
where
    F: Future<Output = Result<(), String>>,
{
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{name}: cannot start a runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = runtime.block_on(main);
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::from(2)
        }
    }
}

/// Binds `addr`, prints `NAME: listening on http://ADDR` (and ` (DETAIL)` if any), serves
/// `handler` until SIGINT or SIGTERM, counted and timed, with its Prometheus metrics at
/// `GET /metrics` ([`crate::metrics`]).
pub async fn listen_and_serve<H, Fut>(
    name: &str,
    detail: &str,
    addr: &str,
    handler: H,
) -> Result<(), String>
where
    H: Fn(Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    // Signals are caught before the line below, which tells a harness we are up.
    let stop = terminated();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    };
    println!("{name}: listening on http://{bound}{detail}");
    let metrics = std::sync::Arc::new(crate::metrics::Metrics::new(name));
    serve(listener, stop, crate::metrics::instrument(metrics, handler)).await;
    println!("{name}: stopped");
    Ok(())
}
