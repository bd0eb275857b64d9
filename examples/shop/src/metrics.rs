//! Prometheus metrics of a shop service, served on its own port at `GET /metrics`: requests
//! by method, route and status (`http_requests_total`) and their latency
//! (`http_request_duration_seconds`, a histogram), kept with `prometheus-client`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::serve::{Reply, Request};

/// The labels of a request counted.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    method: String,
    route: String,
    status: String,
}

/// The labels of a request timed.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    method: String,
    route: String,
}

/// Latency buckets, seconds: from 5 ms (a healthy answer) to 10 s (a stuck dependency).
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// One service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<Answered, Counter>,
    latency: Family<Route, Histogram>,
}

impl Metrics {
    /// Metrics for the service `name` (the `service` label of every series).
    pub fn new(name: &str) -> Self {
        let mut registry = Registry::with_labels(
            [(
                std::borrow::Cow::Borrowed("service"),
                std::borrow::Cow::Owned(name.to_string()),
            )]
            .into_iter(),
        );
        let requests = Family::<Answered, Counter>::default();
        let latency = Family::<Route, Histogram>::new_with_constructor(|| Histogram::new(BUCKETS));
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route",
            latency.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
        }
    }

    /// Counts and times one answered request.
    pub fn observe(&self, method: &str, path: &str, status: u16, seconds: f64) {
        let route = route(path, status);
        self.requests
            .get_or_create(&Answered {
                method: method.into(),
                route: route.clone(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&Route {
                method: method.into(),
                route,
            })
            .observe(seconds);
    }

    /// The metrics in the Prometheus/OpenMetrics text format.
    pub fn text(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    fn reply(&self) -> Reply {
        Response::builder()
            .status(200)
            .header(
                "Content-Type",
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )
            .body(Full::new(Bytes::from(self.text())))
            .unwrap_or_default()
    }
}

/// A path as a route, its numbers replaced (`/orders/43` → `/orders/:id`), so that series
/// stay few; a path no route answered (404) is `unmatched`.
pub fn route(path: &str, status: u16) -> String {
    if status == 404 {
        return "unmatched".into();
    }
    let segments: Vec<&str> = path
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                ":id"
            } else {
                s
            }
        })
        .collect();
    segments.join("/")
}

/// The future a handler's answer comes as, once instrumented.
pub type Answer = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// `handler`, counted and timed, with `GET /metrics` answered from `metrics`.
pub fn instrument<H, Fut>(
    metrics: Arc<Metrics>,
    handler: H,
) -> impl Fn(Request) -> Answer + Clone + Send + Sync + 'static
where
    H: Fn(Request) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    move |request: Request| {
        let metrics = metrics.clone();
        let handler = handler.clone();
        Box::pin(async move {
            if request.method == "GET" && request.path == "/metrics" {
                return metrics.reply();
            }
            let (method, path) = (request.method.clone(), request.path.clone());
            let started = Instant::now();
            let reply = handler(request).await;
            let seconds = started.elapsed().as_secs_f64();
            metrics.observe(&method, &path, reply.status().as_u16(), seconds);
            reply
        }) as Answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_keep_series_few() {
        assert_eq!(route("/orders/43", 200), "/orders/:id");
        assert_eq!(route("/catalog/7", 200), "/catalog/:id");
        assert_eq!(route("/health", 200), "/health");
        assert_eq!(route("/no/such/thing", 404), "unmatched");
    }

    #[test]
    fn counts_and_times_requests_by_route_and_status() {
        let m = Metrics::new("orders");
        m.observe("POST", "/orders", 201, 0.02);
        m.observe("POST", "/orders", 201, 0.03);
        m.observe("POST", "/orders", 503, 1.5);
        let text = m.text();
        let line = |l: &str| text.lines().any(|x| x == l);
        assert!(
            line("http_requests_total{service=\"orders\",method=\"POST\",route=\"/orders\",status=\"201\"} 2"),
            "{text}"
        );
        assert!(
            line("http_requests_total{service=\"orders\",method=\"POST\",route=\"/orders\",status=\"503\"} 1"),
            "{text}"
        );
        assert!(
            line("http_request_duration_seconds_bucket{service=\"orders\",le=\"0.05\",method=\"POST\",route=\"/orders\"} 2"),
            "{text}"
        );
        assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
    }
}
