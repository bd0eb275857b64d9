//! Provider states: setting up and tearing down what an interaction needs, over HTTP
//! (Pact-compatible state-change URL) or with Rust closures. Failures are results, never
//! silent passes.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::report::InteractionError;
use crate::contract::ProviderState;
use crate::http_client::{describe, read_capped};

/// The most of a state-change URL's answer read: its values are a small JSON object.
pub const MAX_STATE_ANSWER: usize = 1024 * 1024;

/// Whether a state is being set up or torn down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateAction {
    /// Before the interaction.
    Setup,
    /// After the interaction.
    Teardown,
}

impl StateAction {
    /// `setup` or `teardown`, as sent to state-change URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            StateAction::Setup => "setup",
            StateAction::Teardown => "teardown",
        }
    }
}

/// A closure that sets up or tears down a state, returning values for `ProviderState`
/// generators (e.g. `{"id": 42}`).
pub type StateFn =
    dyn Fn(&ProviderState, StateAction) -> Result<Map<String, Value>, String> + Send + Sync;

/// How provider states are changed.
#[derive(Clone, Default)]
pub enum StateHandler {
    /// None configured: an interaction that needs a state fails, unless states are ignored.
    #[default]
    None,
    /// POST `{"state", "params", "action"}` to this URL (as Pact's verifiers do); a 2xx
    /// answer with a JSON object body provides values.
    Http(String),
    /// A Rust closure.
    Closure(Arc<StateFn>),
}

impl std::fmt::Debug for StateHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateHandler::None => f.write_str("None"),
            StateHandler::Http(url) => write!(f, "Http({url})"),
            StateHandler::Closure(_) => f.write_str("Closure"),
        }
    }
}

impl StateHandler {
    /// Changes one state; `Err` says why it failed.
    pub async fn apply(
        &self,
        client: &reqwest::Client,
        state: &ProviderState,
        action: StateAction,
    ) -> Result<Map<String, Value>, InteractionError> {
        match self {
            StateHandler::None => Err(InteractionError::NoStateHandler {
                state: state.name.clone(),
            }),
            StateHandler::Closure(f) => closure(f, state, action).await,
            StateHandler::Http(url) => http(client, url, state, action).await,
        }
    }
}

/// Closures may block (a database call, a blocking HTTP client): they run off the async
/// workers.
async fn closure(
    f: &Arc<StateFn>,
    state: &ProviderState,
    action: StateAction,
) -> Result<Map<String, Value>, InteractionError> {
    let (f, owned) = (f.clone(), state.clone());
    let result = tokio::task::spawn_blocking(move || f(&owned, action))
        .await
        .unwrap_or_else(|e| Err(format!("the state handler panicked: {e}")));
    result.map_err(|e| {
        InteractionError::Other(format!(
            "provider state {:?} {} failed: {e}",
            state.name,
            action.as_str()
        ))
    })
}

async fn http(
    client: &reqwest::Client,
    url: &str,
    state: &ProviderState,
    action: StateAction,
) -> Result<Map<String, Value>, InteractionError> {
    let body = json!({"state": state.name, "params": state.params, "action": action.as_str()});
    let fail = |why: String| {
        InteractionError::Other(format!(
            "provider state {:?} {} via {url} failed: {why}",
            state.name,
            action.as_str()
        ))
    };
    let resp = client
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| fail(describe(&e)))?;
    let status = resp.status();
    let bytes = read_capped(resp, MAX_STATE_ANSWER)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    if !status.is_success() {
        return Err(fail(format!(
            "status {} {}",
            status.as_u16(),
            text.chars().take(200).collect::<String>()
        )));
    }
    Ok(match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(values)) => values,
        _ => Map::new(),
    })
}
