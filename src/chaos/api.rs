//! The Toxiproxy-compatible HTTP API (`/proxies`, `/populate`, `/reset`, `/version`,
//! `/metrics` …) over a [`Registry`], served with hyper; and `/metrics` alone over proxies
//! outside a registry (a scenario run's).

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use serde_json::{json, Value};

use super::proxy::Proxy;
use super::registry::{proxy_metrics, ApiError, Registry};
use crate::http_server::ServerOptions;

type Reply = Response<Full<Bytes>>;

fn reply(status: u16, content_type: &str, body: String) -> Reply {
    Response::builder()
        .status(status)
        .header("Content-Type", content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_default()
}

fn json_reply(status: u16, v: &Value) -> Reply {
    reply(status, "application/json", v.to_string())
}

fn error(e: ApiError) -> Reply {
    json_reply(e.status, &e.to_json())
}

fn parse(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError {
        status: 400,
        message: format!("bad request body: {e}"),
    })
}

/// Answers one API request.
pub fn handle(registry: &Registry, method: &str, path: &str, body: &[u8]) -> Reply {
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let result = route(registry, method, &segments, body);
    result.unwrap_or_else(error)
}

fn route(r: &Registry, method: &str, seg: &[&str], body: &[u8]) -> Result<Reply, ApiError> {
    Ok(match (method, seg) {
        ("GET", ["version"]) => reply(
            200,
            "application/json;charset=utf-8",
            format!("{{\"version\": \"{}\"}}\n", env!("CARGO_PKG_VERSION")),
        ),
        ("GET", ["metrics"]) => reply(200, "text/plain; version=0.0.4", r.metrics()),
        ("POST", ["reset"]) => {
            r.reset()?;
            reply(204, "text/plain", String::new())
        }
        ("GET", ["proxies"]) => json_reply(200, &r.index()),
        ("POST", ["proxies"]) => json_reply(201, &r.create(&parse(body)?)?.to_json()),
        ("POST", ["populate"]) => {
            let proxies = r.populate(&parse(body)?)?;
            json_reply(
                201,
                &json!({"proxies": proxies.iter().map(|p| p.to_json()).collect::<Vec<_>>()}),
            )
        }
        ("GET", ["proxies", name]) => json_reply(200, &r.get(name)?.to_json()),
        ("POST" | "PATCH", ["proxies", name]) => {
            json_reply(200, &r.update(name, &parse(body)?)?.to_json())
        }
        ("DELETE", ["proxies", name]) => {
            r.delete(name)?;
            reply(204, "text/plain", String::new())
        }
        ("GET", ["proxies", name, "toxics"]) => {
            let toxics: Vec<Value> = r.get(name)?.toxics().iter().map(|t| t.to_json()).collect();
            json_reply(200, &json!(toxics))
        }
        ("POST", ["proxies", name, "toxics"]) => {
            json_reply(200, &r.add_toxic(name, &parse(body)?)?.to_json())
        }
        ("GET", ["proxies", name, "toxics", toxic]) => {
            json_reply(200, &r.toxic(name, toxic)?.to_json())
        }
        ("POST" | "PATCH", ["proxies", name, "toxics", toxic]) => {
            json_reply(200, &r.update_toxic(name, toxic, &parse(body)?)?.to_json())
        }
        ("DELETE", ["proxies", name, "toxics", toxic]) => {
            r.remove_toxic(name, toxic)?;
            reply(204, "text/plain", String::new())
        }
        _ => {
            return Err(ApiError {
                status: 404,
                message: format!("no route for {method} /{}", seg.join("/")),
            })
        }
    })
}

/// The request-body cap of the API: 1 MiB (a `/populate` of thousands of proxies fits).
pub const API_MAX_BODY: usize = 1 << 20;

/// Serves the API on an already-bound listener until `shutdown` completes, with the default
/// limits ([`ServerOptions::default`], bodies up to [`API_MAX_BODY`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    registry: Arc<Registry>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let options = ServerOptions {
        max_body: API_MAX_BODY,
        ..ServerOptions::default()
    };
    serve_with(listener, registry, options, shutdown).await;
}

/// Serves `GET /metrics` (the Prometheus text of [`proxy_metrics`]) for `proxies` (name,
/// proxy) on `listener` until `shutdown` completes; any other request is answered 404.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    proxies: Vec<(String, Proxy)>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let proxies = Arc::new(proxies);
    crate::http_server::serve(
        listener,
        shutdown,
        ServerOptions::default(),
        move |req: Request<Bytes>| {
            let proxies = proxies.clone();
            async move {
                match (req.method().as_str(), req.uri().path()) {
                    ("GET", "/metrics") => reply(
                        200,
                        "text/plain; version=0.0.4",
                        proxy_metrics(proxies.iter().map(|(n, p)| (n.as_str(), p))),
                    ),
                    _ => reply(404, "text/plain", "only GET /metrics\n".into()),
                }
            }
        },
    )
    .await;
}

/// [`serve`] within other limits. Registry calls may block (a bind is retried for up to a
/// second while its port is being released), so they run on the blocking pool, never on a
/// runtime worker that proxies' traffic needs.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    registry: Arc<Registry>,
    options: ServerOptions,
    shutdown: impl std::future::Future<Output = ()>,
) {
    crate::http_server::serve(listener, shutdown, options, move |req: Request<Bytes>| {
        let registry = registry.clone();
        async move {
            let (parts, body) = req.into_parts();
            let answer = tokio::task::spawn_blocking(move || {
                handle(&registry, parts.method.as_str(), parts.uri.path(), &body)
            })
            .await;
            answer.unwrap_or_else(|e| {
                error(ApiError {
                    status: 500,
                    message: format!("the request failed: {e}"),
                })
            })
        }
    })
    .await;
}
