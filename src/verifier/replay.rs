//! One interaction replayed against the provider: its provider states set up and torn
//! down, the request (or message) it describes, and the answer matched against it.

use std::time::Instant;

use serde_json::{json, Map, Value};

use super::messages::MessageSource;
use super::report::{InteractionError, InteractionResult, Outcome};
use super::state::{StateAction, StateHandler};
use crate::contract::{
    category, match_message, match_response, rng_from_seed, Body, GeneratorContext, Headers,
    HttpRequest, HttpResponse, Interaction, InteractionKind, Message, Mismatch, ProviderState,
};
use crate::http_client::{describe, read_capped};

/// What replaying needs, shared by every interaction of a run.
#[derive(Debug)]
pub struct Replay {
    /// The HTTP client of the run.
    pub client: reqwest::Client,
    /// The provider's base URL, without a trailing `/`.
    pub base_url: String,
    /// The same, parsed once (every request's URL is built on it).
    pub base: reqwest::Url,
    /// How provider states are changed.
    pub states: StateHandler,
    /// Where messages come from.
    pub messages: MessageSource,
    /// Provider states are neither set up nor torn down.
    pub ignore_states: bool,
}

impl Replay {
    /// Replays `interaction` and times it; `pending` when its contract is.
    pub async fn result(&self, interaction: &Interaction, pending: bool) -> InteractionResult {
        let started = Instant::now();
        let outcome = self.verify(interaction).await;
        InteractionResult {
            description: interaction.description.clone(),
            states: interaction
                .provider_states
                .iter()
                .map(|s| s.name.clone())
                .collect(),
            pending: interaction.pending || pending,
            outcome,
            millis: started.elapsed().as_secs_f64() * 1000.0,
        }
    }

    /// Sets the states up, exchanges, tears the states down: a failed teardown turns a pass
    /// into an error.
    async fn verify(&self, interaction: &Interaction) -> Outcome {
        let mut values = Map::new();
        for state in &interaction.provider_states {
            values.extend(state.params.clone());
        }
        let (set_up, setup) = self.set_up(interaction, &mut values).await;
        let outcome = match setup {
            Err(reason) => Outcome::Error { reason },
            Ok(()) => self.exchange(interaction, &values).await,
        };
        let teardown = self.tear_down(&interaction.provider_states[..set_up]).await;
        match teardown {
            Err(reason) if outcome == Outcome::Passed => Outcome::Error { reason },
            _ => outcome,
        }
    }

    async fn exchange(&self, interaction: &Interaction, values: &Map<String, Value>) -> Outcome {
        match &interaction.kind {
            InteractionKind::Http { request, response } => {
                self.verify_http(request, response, values).await
            }
            InteractionKind::Message(expected) => {
                self.verify_message(interaction, expected, None).await
            }
            InteractionKind::SyncMessage { request, responses } => match responses.first() {
                Some(expected) => {
                    self.verify_message(interaction, expected, Some(request))
                        .await
                }
                None => error("the synchronous message declares no response".into()),
            },
        }
    }

    /// Sets up the interaction's states in order; returns how many were set up, and the
    /// first failure. Values they return are merged into `values`.
    async fn set_up(
        &self,
        interaction: &Interaction,
        values: &mut Map<String, Value>,
    ) -> (usize, Result<(), InteractionError>) {
        if self.ignore_states {
            return (0, Ok(()));
        }
        for (i, state) in interaction.provider_states.iter().enumerate() {
            match self
                .states
                .apply(&self.client, state, StateAction::Setup)
                .await
            {
                Ok(v) => values.extend(v),
                Err(reason) => return (i, Err(reason)),
            }
        }
        (interaction.provider_states.len(), Ok(()))
    }

    /// Tears down every state that was set up, in reverse order, even after a failure.
    async fn tear_down(&self, states: &[ProviderState]) -> Result<(), InteractionError> {
        let mut first_error = Ok(());
        for state in states.iter().rev() {
            if let Err(e) = self
                .states
                .apply(&self.client, state, StateAction::Teardown)
                .await
            {
                if first_error.is_ok() {
                    first_error = Err(e);
                }
            }
        }
        first_error
    }

    async fn verify_http(
        &self,
        request: &HttpRequest,
        expected: &HttpResponse,
        values: &Map<String, Value>,
    ) -> Outcome {
        let request = match generated_request(request, values, &self.base_url) {
            Ok(r) => r,
            Err(reason) => return error(reason),
        };
        let head = request.method.eq_ignore_ascii_case("HEAD");
        let headless;
        let expected = if head {
            // A HEAD answer has no body, whatever the contract's example shows.
            headless = HttpResponse {
                body: Body::Missing,
                ..expected.clone()
            };
            &headless
        } else {
            expected
        };
        match send(&self.client, &self.base, &request).await {
            Ok(actual) => outcome(match_response(expected, &actual)),
            Err(reason) => error(reason),
        }
    }

    async fn verify_message(
        &self,
        interaction: &Interaction,
        expected: &Message,
        request: Option<&Message>,
    ) -> Outcome {
        match self
            .messages
            .produce(&self.client, interaction, request)
            .await
        {
            Ok(actual) => outcome(match_message(expected, &actual)),
            Err(reason) => Outcome::Error { reason },
        }
    }
}

fn outcome(mismatches: Vec<Mismatch>) -> Outcome {
    if mismatches.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed { mismatches }
    }
}

/// An interaction that could not be checked, for a reason other than missing configuration.
fn error(reason: String) -> Outcome {
    Outcome::Error {
        reason: InteractionError::Other(reason),
    }
}

/// The request to send: `ProviderState` (and other) generators applied with state values.
fn generated_request(
    request: &HttpRequest,
    values: &Map<String, Value>,
    base_url: &str,
) -> Result<HttpRequest, String> {
    let g = &request.generators;
    if g.is_empty() {
        return Ok(request.clone());
    }
    let ctx = GeneratorContext {
        provider_state: values,
        mock_server_url: Some(base_url),
        now: chrono::Utc::now().fixed_offset(),
    };
    let mut rng = rng_from_seed(0);
    let mut out = request.clone();
    let fail = |e: crate::contract::GeneratorError| format!("request generator failed: {e}");
    if let Some(Value::String(p)) = g
        .generate_named(category::PATH, None, &json!(request.path), &ctx, &mut rng)
        .map_err(fail)?
    {
        out.path = p;
    }
    for (cat, map) in [
        (category::QUERY, &mut out.query),
        (category::HEADER, &mut out.headers),
    ] {
        for (name, vals) in map.iter_mut() {
            for v in vals.iter_mut() {
                if let Some(new) = g
                    .generate_named(cat, Some(name), &json!(v.clone()), &ctx, &mut rng)
                    .map_err(fail)?
                {
                    *v = new
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| new.to_string());
                }
            }
        }
    }
    out.body = g
        .apply_body(category::BODY, &request.body, &ctx, &mut rng)
        .map_err(fail)?;
    Ok(out)
}

/// Percent-encodes a contract path for the wire: `/` separates segments; `?`, `#`, spaces
/// and anything outside RFC 3986's path characters are escaped, and so is a `%` that does not
/// start an escape. An escape the contract already holds (`Pricing%20Service`, as clients
/// that record paths encoded write them) is sent as written, never escaped twice.
fn encode_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escape = b == b'%'
            && bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if escape || b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The URL a contract path is sent to: always the base URL's scheme, host and port, the
/// path appended to the base URL's own path as path segments. Whatever the contract's path
/// says (`@host:port/x`, `//host/x`, `http://…`), it can never name another host.
fn request_url(base: &reqwest::Url, path: &str) -> reqwest::Url {
    let mut url = base.clone();
    let slash = if path.starts_with('/') { "" } else { "/" };
    let joined = format!(
        "{}{slash}{}",
        url.path().trim_end_matches('/'),
        encode_path(path)
    );
    url.set_path(&joined);
    url.set_query(None);
    url
}

/// The most of a provider's answer read (a bigger body fails the interaction instead of
/// exhausting memory).
pub const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

async fn send(
    client: &reqwest::Client,
    base: &reqwest::Url,
    request: &HttpRequest,
) -> Result<HttpResponse, String> {
    let mut url = request_url(base, &request.path);
    if !request.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, vs) in &request.query {
            for v in vs {
                pairs.append_pair(k, v);
            }
        }
    }
    let method = reqwest::Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
        .map_err(|e| format!("bad method: {e}"))?;
    let mut builder = client.request(method, url);
    for (name, values) in &request.headers {
        for v in values {
            builder = builder.header(name.as_str(), v.as_str());
        }
    }
    if let Body::Present {
        bytes,
        content_type,
    } = &request.body
    {
        if let (None, Some(ct)) = (
            crate::contract::header(&request.headers, "content-type"),
            content_type,
        ) {
            builder = builder.header("Content-Type", ct.to_string());
        }
        builder = builder.body(bytes.clone());
    }
    let resp = builder.send().await.map_err(|e| {
        format!(
            "the provider did not answer {} {}: {}",
            request.method,
            request.path,
            describe(&e)
        )
    })?;
    let status = resp.status().as_u16();
    let mut headers = Headers::new();
    for (name, value) in resp.headers() {
        headers
            .entry(name.as_str().to_string())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    let content_type = crate::contract::content_type(&headers);
    let bytes = read_capped(resp, MAX_ANSWER_BYTES)
        .await
        .map_err(|e| format!("the provider's answer: {e}"))?;
    Ok(HttpResponse {
        status,
        headers,
        body: Body::from_bytes(bytes, content_type),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::{encode_path, request_url};

    #[test]
    fn paths_never_name_another_host() {
        let base = &reqwest::Url::parse("http://127.0.0.1:8080").unwrap();
        for path in [
            "@evil:9999/x",
            "//evil:9999/x",
            "http://evil/x",
            "x",
            "/../../x",
        ] {
            let url = request_url(base, path);
            assert_eq!(url.host_str(), Some("127.0.0.1"), "{path} -> {url}");
            assert_eq!(url.port(), Some(8080), "{path} -> {url}");
            assert_eq!(url.username(), "", "{path} -> {url}");
            assert!(url.password().is_none(), "{path} -> {url}");
        }
        let api = reqwest::Url::parse("http://127.0.0.1:8080/api/").unwrap();
        let url = request_url(&api, "/orders/1");
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/api/orders/1");
        assert_eq!(
            request_url(base, "/faq?x").as_str(),
            "http://127.0.0.1:8080/faq%3Fx"
        );
    }

    #[test]
    fn paths_are_encoded_segment_safe() {
        assert_eq!(encode_path("/faq/why?"), "/faq/why%3F");
        assert_eq!(encode_path("/tags/c#"), "/tags/c%23");
        assert_eq!(encode_path("/discount/50%off"), "/discount/50%25off");
        assert_eq!(encode_path("/100%"), "/100%25");
        assert_eq!(
            encode_path("/pacticipants/Pricing%20Service"),
            "/pacticipants/Pricing%20Service"
        );
        assert_eq!(encode_path("/a b/ü"), "/a%20b/%C3%BC");
        assert_eq!(encode_path("/orders/1"), "/orders/1");
    }
}
