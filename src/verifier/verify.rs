//! The verifier: replays every matching interaction of a provider's contracts against the
//! real provider, with provider states, and matches what it answers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use regex::Regex;
use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;

use super::messages::{MessageFn, MessageSource};
use super::report::{ContractResult, InteractionResult, Outcome, VerificationReport};
use super::state::{StateAction, StateFn, StateHandler};
use crate::contract::{
    category, match_message, match_response, rng_from_seed, Body, ContractError, GeneratorContext,
    Headers, HttpRequest, HttpResponse, Interaction, InteractionKind, Message, Pact,
};

/// Why verification could not run at all (as opposed to a contract being broken).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A contract could not be read.
    #[error(transparent)]
    Contract(#[from] ContractError),
    /// A directory could not be listed.
    #[error("{path}: {source}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// No contract names this provider.
    #[error("no contract for provider {0:?} among the given files")]
    NoContracts(String),
    /// The provider does not answer at its base URL.
    #[error("the provider at {url} is unreachable: {reason}")]
    Unreachable {
        /// The base URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The base URL is not an http(s) URL.
    #[error("invalid --base-url {url:?}: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// A filter regex does not compile.
    #[error("invalid --filter-description regex: {0}")]
    Filter(String),
    /// The runtime or HTTP client could not start.
    #[error("cannot start: {0}")]
    Runtime(String),
}

/// Verifies a provider against its consumers' contracts.
///
/// ```no_run
/// use shakedown::verifier::Verifier;
/// let report = Verifier::new("orders", "http://127.0.0.1:8080")
///     .contracts("contracts")
///     .state_url("http://127.0.0.1:8080/_pact/state")
///     .run()
///     .unwrap();
/// assert!(report.success(), "{}", report.render(false));
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    provider: String,
    base_url: String,
    sources: Vec<PathBuf>,
    states: StateHandler,
    messages: MessageSource,
    ignore_states: bool,
    consumer: Option<String>,
    description: Option<String>,
    state_filter: Option<String>,
    concurrency: usize,
    strict: bool,
    pending_digests: Option<Vec<(String, String)>>,
    timeout: Duration,
}

impl Verifier {
    /// A verifier for `provider`, answering at `base_url`.
    pub fn new(provider: &str, base_url: &str) -> Self {
        Verifier {
            provider: provider.to_string(),
            base_url: base_url.trim_end_matches('/').to_string(),
            sources: vec![],
            states: StateHandler::None,
            messages: MessageSource::None,
            ignore_states: false,
            consumer: None,
            description: None,
            state_filter: None,
            concurrency: 1,
            strict: false,
            pending_digests: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// Adds a contract file, or every `*.json` file in a directory.
    pub fn contracts(mut self, path: impl AsRef<Path>) -> Self {
        self.sources.push(path.as_ref().to_path_buf());
        self
    }

    /// Changes provider states by POSTing to this URL.
    pub fn state_url(mut self, url: &str) -> Self {
        self.states = StateHandler::Http(url.to_string());
        self
    }

    /// Changes provider states with a closure; what it returns feeds `ProviderState`
    /// generators.
    pub fn state_handler(
        mut self,
        f: impl Fn(&crate::contract::ProviderState, StateAction) -> Result<Map<String, Value>, String>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        let f: Arc<StateFn> = Arc::new(f);
        self.states = StateHandler::Closure(f);
        self
    }

    /// Verifies interactions that need states without changing any state (for providers
    /// that need none).
    pub fn ignore_states(mut self) -> Self {
        self.ignore_states = true;
        self
    }

    /// Asks this URL for messages.
    pub fn messages_url(mut self, url: &str) -> Self {
        self.messages = MessageSource::Http(url.to_string());
        self
    }

    /// Produces the message described by `description` with a closure.
    pub fn message(
        mut self,
        description: &str,
        f: impl Fn(&Interaction) -> Result<Message, String> + Send + Sync + 'static,
    ) -> Self {
        let f: Arc<MessageFn> = Arc::new(f);
        let mut map = match self.messages {
            MessageSource::Closures(m) => m,
            _ => HashMap::new(),
        };
        map.insert(description.to_string(), f);
        self.messages = MessageSource::Closures(map);
        self
    }

    /// Only this consumer's contracts.
    pub fn filter_consumer(mut self, consumer: &str) -> Self {
        self.consumer = Some(consumer.to_string());
        self
    }

    /// Only interactions whose description matches this regex.
    pub fn filter_description(mut self, regex: &str) -> Self {
        self.description = Some(regex.to_string());
        self
    }

    /// Only interactions with this provider state.
    pub fn filter_state(mut self, state: &str) -> Self {
        self.state_filter = Some(state.to_string());
        self
    }

    /// Runs up to `n` interactions at once (for providers whose states do not interfere).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Pending interactions fail the verification too.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Contracts (consumer, digest) this provider has verified successfully before; any
    /// other contract is pending.
    pub fn verified_before(mut self, verified: Vec<(String, String)>) -> Self {
        self.pending_digests = Some(verified);
        self
    }

    /// Per-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs the verification on a runtime of its own.
    pub fn run(&self) -> Result<VerificationReport, VerifyError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| VerifyError::Runtime(e.to_string()))?;
        rt.block_on(self.run_async())
    }

    /// Runs the verification on the current tokio runtime.
    pub async fn run_async(&self) -> Result<VerificationReport, VerifyError> {
        let contracts = self.load()?;
        let bad = |reason: String| VerifyError::BadUrl {
            url: self.base_url.clone(),
            reason,
        };
        let parsed = reqwest::Url::parse(&self.base_url).map_err(|e| bad(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(bad("expected http://host:port or https://host:port".into()));
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .pool_max_idle_per_host(self.concurrency.max(4))
            .build()
            .map_err(|e| VerifyError::Runtime(e.to_string()))?;
        self.check_reachable(&client).await?;
        let filter = match &self.description {
            Some(r) => Some(Regex::new(r).map_err(|e| VerifyError::Filter(e.to_string()))?),
            None => None,
        };
        let mut results = Vec::new();
        for (file, pact) in contracts {
            results.push(
                self.verify_contract(&client, &file, pact, filter.as_ref())
                    .await,
            );
        }
        Ok(VerificationReport {
            provider: self.provider.clone(),
            strict: self.strict,
            contracts: results,
        })
    }

    fn load(&self) -> Result<Vec<(PathBuf, Pact)>, VerifyError> {
        let mut files = Vec::new();
        for source in &self.sources {
            if source.is_dir() {
                let entries = std::fs::read_dir(source).map_err(|e| VerifyError::Io {
                    path: source.clone(),
                    source: e,
                })?;
                let mut found: Vec<PathBuf> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect();
                found.sort();
                files.extend(found);
            } else {
                files.push(source.clone());
            }
        }
        let mut out = Vec::new();
        for file in files {
            let pact = Pact::from_file(&file)?;
            let consumer_ok = self.consumer.as_ref().is_none_or(|c| c == &pact.consumer);
            if pact.provider == self.provider && consumer_ok {
                out.push((file, pact));
            }
        }
        if out.is_empty() {
            return Err(VerifyError::NoContracts(self.provider.clone()));
        }
        Ok(out)
    }

    async fn check_reachable(&self, client: &reqwest::Client) -> Result<(), VerifyError> {
        let needs_http = matches!(self.messages, MessageSource::None | MessageSource::Http(_));
        if !needs_http {
            return Ok(());
        }
        match client.head(&self.base_url).send().await {
            Ok(_) => Ok(()),
            Err(e) if e.is_connect() || e.is_timeout() => Err(VerifyError::Unreachable {
                url: self.base_url.clone(),
                reason: e.to_string(),
            }),
            Err(_) => Ok(()),
        }
    }

    async fn verify_contract(
        &self,
        client: &reqwest::Client,
        file: &Path,
        pact: Pact,
        filter: Option<&Regex>,
    ) -> ContractResult {
        let digest = pact.digest();
        let contract_pending = self
            .pending_digests
            .as_ref()
            .is_some_and(|v| !v.iter().any(|(c, d)| c == &pact.consumer && d == &digest));
        let selected: Vec<Interaction> = pact
            .interactions
            .iter()
            .filter(|i| self.selected(i, filter))
            .cloned()
            .collect();
        let semaphore = Arc::new(Semaphore::new(self.concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        for (index, interaction) in selected.into_iter().enumerate() {
            let (this, client, sem) = (self.clone(), client.clone(), semaphore.clone());
            tasks.spawn(async move {
                let _permit = sem.acquire_owned().await;
                let started = Instant::now();
                let outcome = this.verify_one(&client, &interaction).await;
                let result = InteractionResult {
                    description: interaction.description.clone(),
                    states: interaction
                        .provider_states
                        .iter()
                        .map(|s| s.name.clone())
                        .collect(),
                    pending: interaction.pending || contract_pending,
                    outcome,
                    millis: started.elapsed().as_secs_f64() * 1000.0,
                };
                (index, result)
            });
        }
        let mut results: Vec<(usize, InteractionResult)> = tasks.join_all().await;
        results.sort_by_key(|(i, _)| *i);
        ContractResult {
            consumer: pact.consumer.clone(),
            file: file.display().to_string(),
            digest,
            interactions: results.into_iter().map(|(_, r)| r).collect(),
        }
    }

    fn selected(&self, i: &Interaction, filter: Option<&Regex>) -> bool {
        filter.is_none_or(|r| r.is_match(&i.description))
            && self
                .state_filter
                .as_ref()
                .is_none_or(|s| i.provider_states.iter().any(|p| &p.name == s))
    }

    async fn verify_one(&self, client: &reqwest::Client, interaction: &Interaction) -> Outcome {
        let mut values = Map::new();
        for state in &interaction.provider_states {
            values.extend(state.params.clone());
        }
        let (set_up, setup) = self.set_up(client, interaction, &mut values).await;
        let outcome = match setup {
            Err(reason) => Outcome::Error { reason },
            Ok(()) => self.exchange(client, interaction, &values).await,
        };
        let teardown = self
            .tear_down(client, &interaction.provider_states[..set_up])
            .await;
        match teardown {
            Err(reason) if outcome == Outcome::Passed => Outcome::Error { reason },
            _ => outcome,
        }
    }

    async fn exchange(
        &self,
        client: &reqwest::Client,
        interaction: &Interaction,
        values: &Map<String, Value>,
    ) -> Outcome {
        match &interaction.kind {
            InteractionKind::Http { request, response } => {
                self.verify_http(client, request, response, values).await
            }
            InteractionKind::Message(expected) => {
                self.verify_message(client, interaction, expected, None)
                    .await
            }
            InteractionKind::SyncMessage { request, responses } => match responses.first() {
                Some(expected) => {
                    self.verify_message(client, interaction, expected, Some(request))
                        .await
                }
                None => Outcome::Error {
                    reason: "the synchronous message declares no response".into(),
                },
            },
        }
    }

    /// Sets up the interaction's states in order; returns how many were set up, and the
    /// first failure. Values they return are merged into `values`.
    async fn set_up(
        &self,
        client: &reqwest::Client,
        interaction: &Interaction,
        values: &mut Map<String, Value>,
    ) -> (usize, Result<(), String>) {
        if self.ignore_states {
            return (0, Ok(()));
        }
        for (i, state) in interaction.provider_states.iter().enumerate() {
            match self.states.apply(client, state, StateAction::Setup).await {
                Ok(v) => values.extend(v),
                Err(reason) => return (i, Err(reason)),
            }
        }
        (interaction.provider_states.len(), Ok(()))
    }

    /// Tears down every state that was set up, in reverse order, even after a failure.
    async fn tear_down(
        &self,
        client: &reqwest::Client,
        states: &[crate::contract::ProviderState],
    ) -> Result<(), String> {
        let mut first_error = Ok(());
        for state in states.iter().rev() {
            if let Err(e) = self
                .states
                .apply(client, state, StateAction::Teardown)
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
        client: &reqwest::Client,
        request: &HttpRequest,
        expected: &HttpResponse,
        values: &Map<String, Value>,
    ) -> Outcome {
        let request = match generated_request(request, values, &self.base_url) {
            Ok(r) => r,
            Err(reason) => return Outcome::Error { reason },
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
        match send(client, &self.base_url, &request).await {
            Ok(actual) => outcome(match_response(expected, &actual)),
            Err(reason) => Outcome::Error { reason },
        }
    }

    async fn verify_message(
        &self,
        client: &reqwest::Client,
        interaction: &Interaction,
        expected: &Message,
        request: Option<&Message>,
    ) -> Outcome {
        match self.messages.produce(client, interaction, request).await {
            Ok(actual) => outcome(match_message(expected, &actual)),
            Err(reason) => Outcome::Error { reason },
        }
    }
}

fn outcome(mismatches: Vec<crate::contract::Mismatch>) -> Outcome {
    if mismatches.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed { mismatches }
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

/// Percent-encodes a decoded contract path for the wire: `/` separates segments; `%`, `?`,
/// `#`, spaces and anything outside RFC 3986's path characters are escaped.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn send(
    client: &reqwest::Client,
    base_url: &str,
    request: &HttpRequest,
) -> Result<HttpResponse, String> {
    let mut url = reqwest::Url::parse(&format!("{base_url}{}", encode_path(&request.path)))
        .map_err(|e| format!("bad request URL: {e}"))?;
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
            "the provider did not answer {} {}: {e}",
            request.method, request.path
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
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| format!("reading the provider's answer: {e}"))?;
    Ok(HttpResponse {
        status,
        headers,
        body: Body::from_bytes(bytes.to_vec(), content_type),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn paths_are_encoded_segment_safe() {
        assert_eq!(encode_path("/faq/why?"), "/faq/why%3F");
        assert_eq!(encode_path("/tags/c#"), "/tags/c%23");
        assert_eq!(encode_path("/discount/50%off"), "/discount/50%25off");
        assert_eq!(encode_path("/a b/ü"), "/a%20b/%C3%BC");
        assert_eq!(encode_path("/orders/1"), "/orders/1");
    }
}
