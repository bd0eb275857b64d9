//! The stub: answers HTTP requests from a contract's interactions (first match wins, among
//! the candidates its interaction index gives, with generators applied), logs which
//! interactions were hit and which requests matched none, and injects its faults
//! ([`StubFault`]) on the requests that match an interaction.

use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::RngExt as _;
use serde_json::{json, Map, Value};

use super::index::InteractionIndex;
use super::log::{Log, Unexpected};
use super::redact::Redactor;
use super::stub_fault::{FaultAction, StubFault};
use crate::contract::{
    category, match_request, rng_from_seed, with_budget, Body, GeneratorContext, HttpRequest,
    HttpResponse, Interaction, InteractionKind, Mismatch, BACKTRACKING_BUDGET,
};

/// The request header that selects a provider state in stub mode.
pub const STATE_HEADER: &str = "x-provider-state";

/// How the stub picks interactions.
#[derive(Debug, Clone, Default)]
pub struct StubOptions {
    /// Seed for generators, so that responses can be reproduced.
    pub seed: u64,
    /// Only interactions with this provider state answer (a request's `X-Provider-State`
    /// header overrides it).
    pub state: Option<String>,
    /// Honour the `X-Provider-State` request header.
    pub state_header: bool,
    /// Headers, besides [`REDACTED_HEADERS`](super::REDACTED_HEADERS), whose received
    /// values are never shown in answers or logs (names compared case-insensitively).
    pub redact_headers: Vec<String>,
    /// Faults on the requests that match an interaction: the first fault whose
    /// `interaction` matches the description applies (when its toxicity roll hits).
    pub faults: Vec<StubFault>,
}

/// What the stub does with a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Answer with this response.
    Respond(HttpResponse),
    /// Answer with this response after the delay.
    Late(Duration, HttpResponse),
    /// Close the connection without answering.
    Abort,
}

impl StubOptions {
    /// The defaults, with generators seeded by `seed` (what a consumer test's stub takes).
    pub fn seeded(seed: u64) -> Self {
        StubOptions {
            seed,
            ..Default::default()
        }
    }
}

/// Answers requests from a set of HTTP interactions.
pub struct Stub {
    interactions: Vec<Interaction>,
    index: InteractionIndex,
    options: StubOptions,
    redactor: Redactor,
    base_url: Mutex<String>,
    rng: Mutex<StdRng>,
    fault_rng: Mutex<StdRng>,
    log: Mutex<Log>,
}

impl Stub {
    /// A stub over the HTTP interactions among `interactions` (others are ignored).
    pub fn new(interactions: Vec<Interaction>, options: StubOptions) -> Self {
        let interactions: Vec<Interaction> = interactions
            .into_iter()
            .filter(|i| matches!(i.kind, InteractionKind::Http { .. }))
            .collect();
        Stub {
            rng: Mutex::new(rng_from_seed(options.seed)),
            fault_rng: Mutex::new(rng_from_seed(options.seed)),
            log: Mutex::new(Log::new(interactions.len())),
            index: InteractionIndex::new(&interactions),
            interactions,
            redactor: Redactor::new(&options.redact_headers),
            options,
            base_url: Mutex::new(String::new()),
        }
    }

    /// Tells the stub its own base URL (for `MockServerURL` generators).
    pub fn set_base_url(&self, url: &str) {
        *lock(&self.base_url) = url.to_string();
    }

    /// The interactions served.
    pub fn interactions(&self) -> &[Interaction] {
        &self.interactions
    }

    /// Reads the log (bounded: see [`Log`]).
    pub fn with_log<T>(&self, f: impl FnOnce(&Log) -> T) -> T {
        f(&lock(&self.log))
    }

    /// The response to a request: the first interaction whose request matches, or a 500 that
    /// names the closest interaction and every mismatch.
    ///
    /// Only the interactions the index gives for the request's method and path are tried
    /// (in contract order); the mismatches of the others are worked out only when none
    /// matched.
    pub fn respond(&self, request: &HttpRequest) -> HttpResponse {
        // One backtracking budget for the request, however many interactions it is tried on.
        with_budget(BACKTRACKING_BUDGET, || self.respond_within_budget(request))
    }

    fn respond_within_budget(&self, request: &HttpRequest) -> HttpResponse {
        let found = self.matching(request);
        let served = found.and_then(|index| self.serve(index));
        served.unwrap_or_else(|| self.unexpected(request, self.closest_in_state(request)))
    }

    /// What to do with a request: [`respond`](Self::respond)'s answer, unless one of the
    /// stub's faults hits the interaction it matched (a request that matched none is never
    /// hit). A faulted status or abort does not count as a hit of the interaction.
    pub fn answer(&self, request: &HttpRequest) -> Answer {
        with_budget(BACKTRACKING_BUDGET, || {
            let Some(index) = self.matching(request) else {
                return Answer::Respond(self.unexpected(request, self.closest_in_state(request)));
            };
            let served = |stub: &Self| {
                stub.serve(index)
                    .unwrap_or_else(|| stub.unexpected(request, None))
            };
            match self.fault_for(index) {
                None => Answer::Respond(served(self)),
                Some(FaultAction::Delay(d)) => Answer::Late(d, served(self)),
                Some(FaultAction::Abort) => Answer::Abort,
                Some(FaultAction::Respond { status, body }) => {
                    Answer::Respond(faulted(status, body))
                }
            }
        })
    }

    /// The first interaction (among the index's candidates) that answers the request.
    fn matching(&self, request: &HttpRequest) -> Option<usize> {
        let state = self.selected_state(request);
        self.index
            .candidates(&request.method, &request.path)
            .find(|&i| self.answers(i, state, request))
    }

    fn closest_in_state(&self, request: &HttpRequest) -> Option<(usize, Vec<Mismatch>)> {
        self.closest(request, self.selected_state(request))
    }

    /// The action of the first fault on interaction `index`, if its toxicity roll hits.
    fn fault_for(&self, index: usize) -> Option<FaultAction> {
        let description = &self.interactions[index].description;
        let fault = self.options.faults.iter().find(|f| f.hits(description))?;
        let roll = || lock(&self.fault_rng).random::<f64>();
        (fault.toxicity >= 1.0 || roll() < fault.toxicity).then(|| fault.action.clone())
    }

    /// The response of interaction `index` (generators applied) for a request it matched,
    /// counted as a hit; `None` for an index out of range.
    pub(crate) fn serve(&self, index: usize) -> Option<HttpResponse> {
        let interaction = self.interactions.get(index)?;
        let (_, response) = http(interaction)?;
        lock(&self.log).hits[index] += 1;
        Some(self.generate(interaction, response))
    }

    /// Whether interaction `index` answers `request` in `state`.
    fn answers(&self, index: usize, state: Option<&str>, request: &HttpRequest) -> bool {
        let interaction = &self.interactions[index];
        let Some((expected, _)) = http(interaction) else {
            return false;
        };
        in_state(interaction, state) && match_request(expected, request).is_empty()
    }

    /// For a request that matched nothing: the first interaction in `state` with the fewest
    /// mismatches, and those mismatches.
    fn closest(
        &self,
        request: &HttpRequest,
        state: Option<&str>,
    ) -> Option<(usize, Vec<Mismatch>)> {
        self.interactions
            .iter()
            .enumerate()
            .filter(|(_, interaction)| in_state(interaction, state))
            .filter_map(|(i, interaction)| Some((i, match_request(http(interaction)?.0, request))))
            .min_by_key(|(_, mismatches)| mismatches.len())
    }

    /// The provider state requests must be in: the request's `X-Provider-State` header when
    /// honoured and present, else the configured one.
    fn selected_state<'a>(&'a self, request: &'a HttpRequest) -> Option<&'a str> {
        let from_header = self
            .options
            .state_header
            .then(|| crate::contract::header(&request.headers, STATE_HEADER)?.first())
            .flatten();
        from_header
            .map(String::as_str)
            .or(self.options.state.as_deref())
    }

    /// The 500 for a request that matched nothing; logged with secret header values hidden
    /// and long values cut (the answer says the same).
    fn unexpected(
        &self,
        request: &HttpRequest,
        closest: Option<(usize, Vec<Mismatch>)>,
    ) -> HttpResponse {
        let (closest, mut mismatches) = match closest {
            Some((i, m)) => (Some(self.interactions[i].description.clone()), m),
            None => (None, vec![]),
        };
        self.redactor.hide(&mut mismatches);
        let entry = Unexpected::new(&request.method, &request.path, closest, mismatches);
        tracing::warn!(target: "shakedown::mock", "request matched no interaction: {entry}");
        let mut body = json!({
            "error": "the request matched no interaction of the contract",
            "request": {"method": entry.method, "path": entry.path},
            "closestInteraction": entry.closest,
            "mismatches": entry.mismatches,
        });
        if entry.omitted_mismatches > 0 {
            body["omittedMismatches"] = json!(entry.omitted_mismatches);
        }
        lock(&self.log).push_unexpected(entry);
        let mut response = HttpResponse {
            status: 500,
            body: Body::json(&body),
            ..Default::default()
        };
        response
            .headers
            .insert("Content-Type".into(), vec!["application/json".into()]);
        response
    }

    fn generate(&self, interaction: &Interaction, response: &HttpResponse) -> HttpResponse {
        let g = &response.generators;
        if g.is_empty() {
            return response.clone();
        }
        let mut params = Map::new();
        for s in &interaction.provider_states {
            params.extend(s.params.clone());
        }
        let url = lock(&self.base_url).clone();
        let ctx = GeneratorContext {
            provider_state: &params,
            mock_server_url: Some(&url),
            now: chrono::Utc::now().fixed_offset(),
        };
        let mut rng = lock(&self.rng);
        let mut out = response.clone();
        match g.apply_body(category::BODY, &response.body, &ctx, &mut rng) {
            Ok(body) => out.body = body,
            Err(e) => tracing::warn!(target: "shakedown::mock", "body generator failed: {e}"),
        }
        for (name, values) in out.headers.iter_mut() {
            for v in values.iter_mut() {
                if let Ok(Some(new)) = g.generate_named(
                    category::HEADER,
                    Some(name),
                    &json!(v.clone()),
                    &ctx,
                    &mut rng,
                ) {
                    *v = new
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| new.to_string());
                }
            }
        }
        if let Ok(Some(Value::Number(n))) =
            g.generate_named(category::STATUS, None, &json!(out.status), &ctx, &mut rng)
        {
            out.status = n
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(out.status);
        }
        out
    }
}

/// A fault's answer: `status` and `body`, marked with `X-Shakedown-Fault: mock`.
fn faulted(status: u16, body: String) -> HttpResponse {
    let mut response = HttpResponse {
        status,
        body: Body::from_bytes(body.into_bytes(), None),
        ..Default::default()
    };
    response
        .headers
        .insert("X-Shakedown-Fault".into(), vec!["mock".into()]);
    response
}

/// The request and response of an HTTP interaction.
fn http(interaction: &Interaction) -> Option<(&HttpRequest, &HttpResponse)> {
    match &interaction.kind {
        InteractionKind::Http { request, response } => Some((request, response)),
        _ => None,
    }
}

/// Whether an interaction may answer when requests must be in `state` (any, when `None`).
fn in_state(interaction: &Interaction, state: Option<&str>) -> bool {
    state.is_none_or(|s| interaction.provider_states.iter().any(|p| p.name == s))
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
