//! Contract interactions as `wiremock` mocks (feature `wiremock`): Pact's request matching
//! as a [`Match`], an interaction's generated response as a [`Respond`], and a
//! [`Recording`] that verifies and writes the contract as the DSL's mock provider does.
//!
//! A test keeps its [`wiremock::MockServer`] and gains matching
//! that is exactly Pact's (matchers, query, headers, body rules):
//!
//! ```
//! use serde_json::json;
//! use shakedown::consumer::{matchers::*, Contract};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let dir = tempfile::tempdir().unwrap();
//! let server = wiremock::MockServer::start().await;
//! let mut contract = Contract::new("web", "orders").output_dir(dir.path());
//! contract.interaction("a request for order 1", |i| {
//!     i.request(|r| { r.get(regex("/orders/\\d+", "/orders/1")); })
//!         .response(|r| { r.status(200).json(json!({"id": integer(1)})); });
//! });
//! let recording = contract.mount(&server).await;
//! let url = format!("{}/orders/7", server.uri());
//! let body = tokio::task::spawn_blocking(move || reqwest::blocking::get(url)?.text())
//!     .await.unwrap().unwrap();
//! assert_eq!(body, r#"{"id":1}"#);
//! let file = recording.finish().unwrap(); // verifies, then writes <dir>/web-orders.json
//! assert_eq!(file, Some(dir.path().join("web-orders.json")));
//! # });
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use ::wiremock::matchers::any;
use ::wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

use super::server::{request_from, to_http};
use super::stub::{Stub, StubOptions};
use super::verification::{FinishError, Verification, VerificationFailure};
use crate::contract::{
    match_request, with_budget, HttpRequest, HttpResponse, Interaction, InteractionKind, Mismatch,
    Pact, BACKTRACKING_BUDGET,
};

/// The name of the mock that answers requests no interaction matched.
pub const UNMATCHED_MOCK: &str = "shakedown: a request that matched no interaction";

/// Pact's request matching as a wiremock matcher: a request matches when
/// [`match_request`] finds no mismatch against the interaction's expected request.
///
/// wiremock asks each mock's matcher in turn, so each call has its own backtracking budget
/// ([`BACKTRACKING_BUDGET`]); the DSL's mock provider spends one per request in all.
///
/// ```
/// use shakedown::consumer::wiremock::PactRequest;
/// use shakedown::contract::HttpRequest;
/// use wiremock::{Mock, ResponseTemplate};
///
/// let expected = HttpRequest { method: "GET".into(), path: "/orders".into(), ..Default::default() };
/// let mock = Mock::given(PactRequest::new(expected)).respond_with(ResponseTemplate::new(200));
/// ```
#[derive(Debug, Clone)]
pub struct PactRequest {
    expected: HttpRequest,
}

impl PactRequest {
    /// A matcher for requests that `expected` (with its matching rules) accepts.
    pub fn new(expected: HttpRequest) -> Self {
        PactRequest { expected }
    }

    /// How `request` differs from the expected one (empty: it matches), within one
    /// backtracking budget.
    pub fn mismatches(&self, request: &Request) -> Vec<Mismatch> {
        let actual = to_contract(request);
        with_budget(BACKTRACKING_BUDGET, || {
            match_request(&self.expected, &actual)
        })
    }
}

impl Match for PactRequest {
    fn matches(&self, request: &Request) -> bool {
        self.mismatches(request).is_empty()
    }
}

/// An interaction's response as a wiremock responder: its generators applied (seeded, with
/// provider-state values and the server's URL) exactly as the DSL's mock provider serves it,
/// and the request counted as a hit of the interaction.
///
/// [`Contract::mount`](super::Contract::mount) and [`mount_pact`] build these; one made with
/// [`PactResponse::new`] composes with a test's own matchers and expectations:
///
/// ```
/// use shakedown::consumer::wiremock::{PactRequest, PactResponse};
/// use shakedown::contract::{HttpRequest, HttpResponse, Interaction, InteractionKind};
/// use wiremock::Mock;
///
/// let request = HttpRequest { method: "GET".into(), path: "/health".into(), ..Default::default() };
/// let response = HttpResponse { status: 204, ..Default::default() };
/// let interaction = Interaction::new("a health check", InteractionKind::Http { request, response });
/// let InteractionKind::Http { request, .. } = &interaction.kind else { unreachable!() };
/// let mock = Mock::given(PactRequest::new(request.clone()))
///     .respond_with(PactResponse::new(interaction.clone(), 0))
///     .expect(1);
/// ```
pub struct PactResponse {
    stub: Arc<Stub>,
    index: usize,
    /// Whether the stub is this responder's own, its base URL taken from each request.
    own: bool,
}

impl PactResponse {
    /// A responder for one HTTP interaction, its generators seeded by `seed`, re-based on
    /// the URL each request was sent to. An interaction that is not HTTP answers the mock
    /// provider's 500 for a request that matched nothing.
    pub fn new(interaction: Interaction, seed: u64) -> Self {
        let stub = Arc::new(Stub::new(vec![interaction], StubOptions::seeded(seed)));
        PactResponse {
            stub,
            index: 0,
            own: true,
        }
    }

    /// The response served to `request` (generators applied), counted as a hit.
    fn serve(&self, request: &Request) -> HttpResponse {
        if self.own {
            self.stub
                .set_base_url(&request.url.origin().ascii_serialization());
        }
        let served = self.stub.serve(self.index);
        served.unwrap_or_else(|| self.stub.respond(&to_contract(request)))
    }
}

impl Respond for PactResponse {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        template(&self.serve(request))
    }
}

/// The answer to a request no interaction matched: the mock provider's 500 naming the
/// closest interaction and its mismatches; logged as unexpected.
struct Unmatched {
    stub: Arc<Stub>,
}

impl Unmatched {
    /// The stub's answer (it tries every interaction once more, finds none, logs the request).
    fn answer(&self, request: &Request) -> HttpResponse {
        self.stub.respond(&to_contract(request))
    }
}

impl Respond for Unmatched {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        template(&self.answer(request))
    }
}

/// A contract's interactions mounted on a wiremock server: what they were asked, verified
/// and written like [`MockServer`](super::MockServer)'s.
///
/// Requests that match none of the interactions, nor any of the test's own mocks, are
/// answered with the mock provider's 500 (closest interaction, mismatches) and fail the
/// verification: a mock at priority [`u8::MAX`] named [`UNMATCHED_MOCK`] catches them. The
/// interactions' mocks have wiremock's default priority (5), so the test's own mocks answer
/// by wiremock's rules beside them (priority, then mount order) and are not recorded.
/// Two recordings on one server each mount a catch-all: an unmatched request is counted
/// against the first one mounted only.
///
/// Dropped unfinished (at the end of a test), a recording of a [`Contract`](super::Contract)
/// verifies and writes the contract file, and panics with the report when a declared
/// interaction was never requested or a request matched none, as the mock provider does; a
/// test that is already panicking writes nothing. [`Recording::finish`] does the same as a
/// `Result`. The wiremock server keeps serving: it belongs to the test.
pub struct Recording {
    verification: Verification,
}

impl Recording {
    /// Mounts the verification's interactions on `server`, in contract order (the first
    /// that matches answers), then the catch-all for requests that match none.
    pub(crate) async fn mount(verification: Verification, server: &MockServer) -> Self {
        let stub = verification.stub();
        stub.set_base_url(&server.uri());
        for mock in mocks(stub) {
            mock.mount(server).await;
        }
        Mock::given(any())
            .respond_with(Unmatched { stub: stub.clone() })
            .with_priority(u8::MAX)
            .named(UNMATCHED_MOCK)
            .mount(server)
            .await;
        Recording { verification }
    }

    /// Checks that every interaction was requested at least once and that no request
    /// matched none.
    pub fn verify(&self) -> Result<(), VerificationFailure> {
        self.verification.verify()
    }

    /// Verifies, then merges the interactions into the contract file (under its lock,
    /// written atomically, as the mock provider does): what dropping does, as a `Result`
    /// instead of a panic. `Ok(None)` for a contract loaded with [`mount_pact`], which is
    /// verified but not written. Synchronous: it may wait briefly for the file's lock.
    pub fn finish(mut self) -> Result<Option<PathBuf>, FinishError> {
        self.verification.finish()
    }
}

/// Mounts the HTTP interactions of a contract read from a file (or built) on `server`, to
/// answer a test's client with Pact's matching. Nothing is written: [`Recording::verify`]
/// or [`Recording::finish`] tell whether every interaction was requested and nothing else;
/// dropping the recording checks nothing.
///
/// ```
/// use shakedown::consumer::wiremock::mount_pact;
/// use shakedown::contract::Pact;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let pact = Pact::from_str(r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
///   "interactions": [{"description": "a health check",
///     "request": {"method": "GET", "path": "/health"}, "response": {"status": 204}}],
///   "metadata": {"pactSpecification": {"version": "2.0.0"}}}"#).unwrap();
/// let server = wiremock::MockServer::start().await;
/// let recording = mount_pact(&pact, &server).await;
/// let url = format!("{}/health", server.uri());
/// let status = tokio::task::spawn_blocking(move || reqwest::blocking::get(url).map(|r| r.status()))
///     .await.unwrap().unwrap();
/// assert_eq!(status, 204);
/// assert!(recording.verify().is_ok());
/// # });
/// ```
pub async fn mount_pact(pact: &Pact, server: &MockServer) -> Recording {
    Recording::mount(
        Verification::new(pact.interactions.clone(), 0, None),
        server,
    )
    .await
}

/// One mock per HTTP interaction of the stub, named by its description.
fn mocks(stub: &Arc<Stub>) -> Vec<Mock> {
    let http = stub.interactions().iter().enumerate();
    http.filter_map(|(index, interaction)| {
        let InteractionKind::Http { request, .. } = &interaction.kind else {
            return None;
        };
        let response = PactResponse {
            stub: stub.clone(),
            index,
            own: false,
        };
        let mock = Mock::given(PactRequest::new(request.clone())).respond_with(response);
        Some(mock.named(interaction.description.as_str()))
    })
    .collect()
}

/// A wiremock request as the contract model sees it (as the mock provider reads hyper's).
fn to_contract(request: &Request) -> HttpRequest {
    let (path, query) = (request.url.path(), request.url.query());
    let method = request.method.as_str();
    request_from(method, path, query, &request.headers, &request.body)
}

/// A contract response as wiremock sends it: the status, headers and body the mock
/// provider would send (no Content-Type added).
fn template(response: &HttpResponse) -> ResponseTemplate {
    let http = to_http(response);
    let mut template = ResponseTemplate::new(http.status());
    for (name, value) in http.headers() {
        template = template.append_header(name.clone(), value.clone());
    }
    template.set_body_bytes(http.into_body().to_vec())
}

#[cfg(test)]
mod tests {
    use ::wiremock::http::{HeaderMap, HeaderValue, Method};
    use serde_json::{json, Value};

    use super::*;
    use crate::consumer::interaction::HttpInteractionBuilder;
    use crate::consumer::matchers::{integer, mock_server_url, random_int, regex};

    fn interaction(build: impl FnOnce(&mut HttpInteractionBuilder)) -> Interaction {
        let mut b = HttpInteractionBuilder::new("an order");
        build(&mut b);
        b.build().expect("a valid interaction")
    }

    fn expected(interaction: &Interaction) -> PactRequest {
        match &interaction.kind {
            InteractionKind::Http { request, .. } => PactRequest::new(request.clone()),
            _ => unreachable!("an HTTP interaction"),
        }
    }

    fn request(method: Method, url: &str, headers: &[(&str, &str)], body: &str) -> Request {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let name: ::wiremock::http::HeaderName = name.parse().unwrap();
            map.append(name, HeaderValue::from_str(value).unwrap());
        }
        Request {
            url: url::Url::parse(url).unwrap(),
            method,
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    fn get(url: &str, accept: &str) -> Request {
        request(Method::GET, url, &[("Accept", accept)], "")
    }

    fn an_order_by_id() -> Interaction {
        interaction(|i| {
            i.request(|r| {
                r.get(regex("/orders/\\d+", "/orders/1"))
                    .header("Accept", "application/json");
            })
            .response(|r| {
                r.status(200).json(json!({"id": integer(1)}));
            });
        })
    }

    #[test]
    fn a_request_matches_by_the_path_regex() {
        let matcher = expected(&an_order_by_id());
        let req = get("http://127.0.0.1:1/orders/42", "application/json");
        assert!(matcher.matches(&req), "{:?}", matcher.mismatches(&req));
        assert!(!matcher.matches(&get("http://127.0.0.1:1/orders/x", "application/json")));
    }

    #[test]
    fn a_request_fails_on_a_header_rule() {
        let matcher = expected(&an_order_by_id());
        let req = get("http://127.0.0.1:1/orders/42", "text/html");
        let mismatches = matcher.mismatches(&req);
        assert!(!matcher.matches(&req));
        assert!(
            mismatches.iter().any(|m| m.location.contains("Accept")),
            "{mismatches:?}"
        );
    }

    #[test]
    fn a_request_fails_on_a_body_rule() {
        let placing = interaction(|i| {
            i.request(|r| {
                r.post("/orders").json(json!({"qty": integer(2)}));
            })
            .response(|r| {
                r.status(201);
            });
        });
        let matcher = expected(&placing);
        let json = [("Content-Type", "application/json")];
        let url = "http://127.0.0.1:1/orders";
        assert!(matcher.matches(&request(Method::POST, url, &json, r#"{"qty": 7}"#)));
        let wrong = request(Method::POST, url, &json, r#"{"qty": "seven"}"#);
        let mismatches = matcher.mismatches(&wrong);
        assert!(
            mismatches.iter().any(|m| m.location.contains("qty")),
            "{mismatches:?}"
        );
    }

    fn body_of(response: HttpResponse) -> Value {
        serde_json::from_slice(response.body.bytes()).expect("a JSON body")
    }

    #[test]
    fn a_response_has_its_generated_values_and_counts_a_hit() {
        let verification = Verification::new(
            vec![interaction(|i| {
                i.request(|r| {
                    r.get("/orders/1");
                })
                .response(|r| {
                    r.status(200).json(json!({
                        "id": random_int(1000, 2000),
                        "self": mock_server_url(".*(/orders/1)$", "http://example/orders/1"),
                    }));
                });
            })],
            0,
            None,
        );
        let stub = verification.stub().clone();
        stub.set_base_url("http://127.0.0.1:9");
        let responder = PactResponse {
            stub,
            index: 0,
            own: false,
        };
        let body = body_of(responder.serve(&get("http://localhost:1/orders/1", "*/*")));
        let id = body["id"].as_i64().expect("an integer id");
        assert!((1000..=2000).contains(&id) && id != 1000, "{body}");
        assert_eq!(body["self"], "http://127.0.0.1:9/orders/1");
        assert!(verification.verify().is_ok());
    }

    #[test]
    fn an_unmatched_request_is_answered_500_and_fails_verification() {
        let verification = Verification::new(vec![an_order_by_id()], 0, None);
        let unmatched = Unmatched {
            stub: verification.stub().clone(),
        };
        let answer = unmatched.answer(&get("http://127.0.0.1:1/orders/1", "text/html"));
        assert_eq!(answer.status, 500);
        let failure = verification.verify().expect_err("not honoured");
        assert_eq!(failure.unexpected_count, 1);
        assert_eq!(failure.missing, ["an order"]);
        assert_eq!(body_of(answer)["closestInteraction"], "an order");
    }

    #[test]
    fn a_responder_of_its_own_is_re_based_on_the_requests_url() {
        let responder = PactResponse::new(
            interaction(|i| {
                i.request(|r| {
                    r.get("/orders/1");
                })
                .response(|r| {
                    let link = mock_server_url(".*(/orders/1)$", "http://example/orders/1");
                    r.status(200).json(json!({"self": link}));
                });
            }),
            0,
        );
        let served = responder.serve(&get("http://127.0.0.1:4321/orders/1", "*/*"));
        assert_eq!(body_of(served)["self"], "http://127.0.0.1:4321/orders/1");
        assert_eq!(responder.stub.with_log(|log| log.hits.clone()), [1]);
    }
}
