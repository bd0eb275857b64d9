//! The verifier: replays every matching interaction of a provider's contracts against the
//! real provider, with provider states, and matches what it answers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use regex::Regex;
use serde_json::{Map, Value};
use tokio::sync::Semaphore;

use super::messages::{MessageFn, MessageSource};
use super::replay::Replay;
use super::report::{ContractResult, InteractionResult, VerificationReport};
use super::state::{StateAction, StateFn, StateHandler};
use crate::contract::{ContractError, Interaction, Message, Pact, ProviderState};

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
    #[error("invalid base URL {url:?}: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The description filter is not a valid regex.
    #[error("invalid description filter: {0}")]
    Filter(String),
    /// The runtime or HTTP client could not start.
    #[error("cannot start: {0}")]
    Runtime(String),
}

/// A contract to verify, read once, with its digest (worked out once, when first needed).
#[derive(Debug)]
struct Contract {
    /// The file it was read from (empty when it was given already loaded).
    file: String,
    pact: Pact,
    digest: OnceLock<String>,
}

impl Contract {
    /// A contract whose digest is worked out when first asked for.
    fn new(file: String, pact: Pact) -> Arc<Contract> {
        let digest = OnceLock::new();
        Arc::new(Contract { file, pact, digest })
    }

    /// A contract digested now (loaded once, verified on many runs).
    fn digested(file: String, pact: Pact) -> Arc<Contract> {
        let contract = Contract::new(file, pact);
        contract.digest();
        contract
    }

    /// The digest of the contract (SHA-256 of its canonical form), worked out once.
    fn digest(&self) -> &str {
        self.digest.get_or_init(|| self.pact.digest())
    }
}

/// The digest of `contract`, worked out on the blocking pool while its interactions are
/// verified (it costs as much as reading the contract); already known when pending
/// interactions needed it first.
fn digest_alongside(contract: &Arc<Contract>) -> tokio::task::JoinHandle<String> {
    let contract = contract.clone();
    tokio::task::spawn_blocking(move || contract.digest().to_string())
}

/// Drops the contracts a run read on a thread of its own: freeing a big contract costs a
/// tenth of reading it, and nobody needs to wait for that. Contracts the verifier keeps
/// (given already loaded) are only released.
fn drop_aside(mut contracts: Vec<Arc<Contract>>) {
    contracts.retain(|c| Arc::strong_count(c) == 1);
    if contracts.is_empty() {
        return;
    }
    // Should no thread start, the closure (and the contracts) is dropped right here.
    let _ = std::thread::Builder::new()
        .name("shakedown-drop".into())
        .spawn(move || drop(contracts));
}

/// Where contracts come from.
#[derive(Debug, Clone)]
enum Source {
    /// A file, or every `*.json` file in a directory, read on every run.
    Path(PathBuf),
    /// A contract already loaded: verified on every run without reading it again.
    Loaded(Arc<Contract>),
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
    sources: Vec<Source>,
    states: StateHandler,
    messages: MessageSource,
    ignore_states: bool,
    consumer: Option<String>,
    description: Option<String>,
    state_filter: Option<String>,
    concurrency: usize,
    strict: bool,
    pending_digests: Option<Vec<(String, String)>>,
    digests: bool,
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
            digests: true,
            timeout: Duration::from_secs(30),
        }
    }

    /// Adds a contract file, or every `*.json` file in a directory (read on every run).
    pub fn contracts(mut self, path: impl AsRef<Path>) -> Self {
        self.sources.push(Source::Path(path.as_ref().to_path_buf()));
        self
    }

    /// Adds a contract already loaded; a verifier run again (cloned, or with another base
    /// URL) verifies it without reading or digesting it again. Reported without a file.
    pub fn pact(mut self, pact: Pact) -> Self {
        self.sources
            .push(Source::Loaded(Contract::digested(String::new(), pact)));
        self
    }

    /// Adds contracts already loaded (see [`Verifier::pact`]).
    pub fn pacts(self, pacts: impl IntoIterator<Item = Pact>) -> Self {
        pacts.into_iter().fold(self, Self::pact)
    }

    /// Verifies the provider at this base URL instead (say, a verifier built once for a
    /// provider whose address changes).
    pub fn base_url(mut self, base_url: &str) -> Self {
        self.base_url = base_url.trim_end_matches('/').to_string();
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
        f: impl Fn(&ProviderState, StateAction) -> Result<Map<String, Value>, String>
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

    /// Runs up to `n` interactions at once (for providers whose states do not interfere);
    /// at least one, and at most what a semaphore counts (`--concurrency` takes any number).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.clamp(1, Semaphore::MAX_PERMITS);
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

    /// Whether the report carries each contract's digest (the default). Without, a
    /// contract read from a file is not digested unless pending contracts need it, and its
    /// report's `digest` is empty: digesting costs as much as reading the contract.
    pub fn digests(mut self, digests: bool) -> Self {
        self.digests = digests;
        self
    }

    /// Per-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs the verification on a runtime of its own: one thread when interactions run one
    /// at a time (the client's connection and the exchange then never wake each other
    /// across threads), two workers otherwise.
    pub fn run(&self) -> Result<VerificationReport, VerifyError> {
        let mut builder = if self.concurrency == 1 {
            tokio::runtime::Builder::new_current_thread()
        } else {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(2);
            b
        };
        let rt = builder
            .enable_all()
            .build()
            .map_err(|e| VerifyError::Runtime(e.to_string()))?;
        rt.block_on(self.run_async())
    }

    /// Runs the verification on the current tokio runtime.
    pub async fn run_async(&self) -> Result<VerificationReport, VerifyError> {
        let contracts = self.load()?;
        let base = self.check_base_url()?;
        let client = crate::http_client::builder(self.timeout)
            .pool_max_idle_per_host(self.concurrency.max(4))
            .build()
            .map_err(|e| VerifyError::Runtime(e.to_string()))?;
        self.check_reachable(&client).await?;
        let filter = match &self.description {
            Some(r) => Some(Regex::new(r).map_err(|e| VerifyError::Filter(e.to_string()))?),
            None => None,
        };
        let replay = Arc::new(Replay {
            client,
            base_url: self.base_url.clone(),
            base,
            states: self.states.clone(),
            messages: self.messages.clone(),
            ignore_states: self.ignore_states,
        });
        let mut results = Vec::new();
        for contract in &contracts {
            results.push(
                self.verify_contract(&replay, contract.clone(), filter.as_ref())
                    .await,
            );
        }
        drop_aside(contracts);
        Ok(VerificationReport {
            provider: self.provider.clone(),
            strict: self.strict,
            contracts: results,
        })
    }

    /// The base URL, parsed: an http(s) URL with a host.
    fn check_base_url(&self) -> Result<reqwest::Url, VerifyError> {
        let bad = |reason: String| VerifyError::BadUrl {
            url: self.base_url.clone(),
            reason,
        };
        let parsed = reqwest::Url::parse(&self.base_url).map_err(|e| bad(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(bad("expected http://host:port or https://host:port".into()));
        }
        Ok(parsed)
    }

    /// The contracts of this provider (and consumer, if filtered), files read now.
    fn load(&self) -> Result<Vec<Arc<Contract>>, VerifyError> {
        let mut out = Vec::new();
        for source in &self.sources {
            match source {
                Source::Loaded(c) if self.wanted(&c.pact) => out.push(c.clone()),
                Source::Loaded(_) => {}
                Source::Path(path) => {
                    for file in files(path)? {
                        let pact = Pact::from_file(&file)?;
                        if self.wanted(&pact) {
                            out.push(Contract::new(file.display().to_string(), pact));
                        }
                    }
                }
            }
        }
        if out.is_empty() {
            return Err(VerifyError::NoContracts(self.provider.clone()));
        }
        Ok(out)
    }

    /// A contract with this provider (and this consumer, if filtered).
    fn wanted(&self, pact: &Pact) -> bool {
        pact.provider == self.provider && self.consumer.as_ref().is_none_or(|c| c == &pact.consumer)
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
        replay: &Arc<Replay>,
        contract: Arc<Contract>,
        filter: Option<&Regex>,
    ) -> ContractResult {
        let pact = &contract.pact;
        let pending = self.pending_digests.as_ref().is_some_and(|verified| {
            !verified
                .iter()
                .any(|(c, d)| c == &pact.consumer && d == contract.digest())
        });
        let digested = self.digests || self.pending_digests.is_some();
        let digest = digested.then(|| digest_alongside(&contract));
        let selected: Vec<usize> = (pact.interactions.iter().enumerate())
            .filter(|(_, interaction)| self.selected(interaction, filter))
            .map(|(index, _)| index)
            .collect();
        let mut results = self.replay_all(replay, &contract, selected, pending).await;
        results.sort_by_key(|(i, _)| *i);
        let digest = match digest {
            Some(task) => task.await.unwrap_or_else(|_| contract.digest().to_string()),
            None => String::new(),
        };
        ContractResult {
            consumer: pact.consumer.clone(),
            file: contract.file.clone(),
            digest,
            interactions: results.into_iter().map(|(_, r)| r).collect(),
        }
    }

    /// Replays the interactions at these positions of `contract`, at most `concurrency` at
    /// once: as many tasks, each taking the next position in contract order until none is
    /// left (one task, when one at a time: the contract's order exactly).
    async fn replay_all(
        &self,
        replay: &Arc<Replay>,
        contract: &Arc<Contract>,
        selected: Vec<usize>,
        pending: bool,
    ) -> Vec<(usize, InteractionResult)> {
        let selected = Arc::new(selected);
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..self.concurrency.min(selected.len()) {
            let (replay, contract) = (replay.clone(), contract.clone());
            let (selected, next) = (selected.clone(), next.clone());
            tasks.spawn(async move {
                let mut done = Vec::new();
                while let Some(&index) = selected.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let interaction = &contract.pact.interactions[index];
                    done.push((index, replay.result(interaction, pending).await));
                }
                done
            });
        }
        tasks.join_all().await.into_iter().flatten().collect()
    }

    fn selected(&self, i: &Interaction, filter: Option<&Regex>) -> bool {
        filter.is_none_or(|r| r.is_match(&i.description))
            && self
                .state_filter
                .as_ref()
                .is_none_or(|s| i.provider_states.iter().any(|p| &p.name == s))
    }
}

/// The file itself, or the `*.json` files of a directory in name order.
fn files(source: &Path) -> Result<Vec<PathBuf>, VerifyError> {
    if !source.is_dir() {
        return Ok(vec![source.to_path_buf()]);
    }
    let entries = std::fs::read_dir(source).map_err(|e| VerifyError::Io {
        path: source.to_path_buf(),
        source: e,
    })?;
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_concurrency_makes_a_semaphore() {
        for n in [0, 1, usize::MAX] {
            let v = Verifier::new("p", "http://127.0.0.1:1").concurrency(n);
            assert!(Semaphore::new(v.concurrency).available_permits() >= 1);
        }
    }
}
