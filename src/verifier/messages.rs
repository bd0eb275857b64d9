//! Message producers for verification: the provider produces the message an interaction
//! describes, from a Rust closure per description or from an HTTP endpoint.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::replay::MAX_ANSWER_BYTES;
use super::report::InteractionError;
use crate::contract::{Body, ContentType, Interaction, Message};
use crate::http_client::{describe, read_capped};

/// A closure that produces the message for an interaction (its description and states).
pub type MessageFn = dyn Fn(&Interaction) -> Result<Message, String> + Send + Sync;

/// Where messages come from.
#[derive(Clone, Default)]
pub enum MessageSource {
    /// None configured: message interactions fail with a reason.
    #[default]
    None,
    /// POST `{"description", "providerStates", "request"?}` to this URL; the answer's body is
    /// the message contents (its `Content-Type` their type) and its `Pact-Message-Metadata`
    /// header (base64 JSON) the metadata.
    Http(String),
    /// One closure per interaction description.
    Closures(HashMap<String, Arc<MessageFn>>),
}

impl std::fmt::Debug for MessageSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MessageSource::None => f.write_str("None"),
            MessageSource::Http(url) => write!(f, "Http({url})"),
            MessageSource::Closures(c) => write!(f, "Closures({} descriptions)", c.len()),
        }
    }
}

impl MessageSource {
    /// The message the provider produces for `interaction` (`request` for synchronous
    /// messages).
    pub async fn produce(
        &self,
        client: &reqwest::Client,
        interaction: &Interaction,
        request: Option<&Message>,
    ) -> Result<Message, InteractionError> {
        match self {
            MessageSource::None => Err(InteractionError::NoMessageProducer),
            MessageSource::Closures(map) => match map.get(&interaction.description) {
                Some(f) => {
                    let (f, owned) = (f.clone(), interaction.clone());
                    tokio::task::spawn_blocking(move || f(&owned))
                        .await
                        .unwrap_or_else(|e| Err(format!("the message producer panicked: {e}")))
                        .map_err(InteractionError::Other)
                }
                None => Err(InteractionError::Other(format!(
                    "no message producer for {:?}",
                    interaction.description
                ))),
            },
            MessageSource::Http(url) => http(client, url, interaction, request)
                .await
                .map_err(InteractionError::Other),
        }
    }
}

async fn http(
    client: &reqwest::Client,
    url: &str,
    interaction: &Interaction,
    request: Option<&Message>,
) -> Result<Message, String> {
    let states: Vec<Value> = interaction
        .provider_states
        .iter()
        .map(|s| json!({"name": s.name, "params": s.params}))
        .collect();
    let mut body = json!({"description": interaction.description, "providerStates": states});
    if let Some(r) = request {
        body["request"] = r
            .contents
            .as_json()
            .unwrap_or_else(|| json!(r.contents.as_text()));
    }
    let resp = client
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("message producer {url}: {}", describe(&e)))?;
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(ContentType::parse);
    let metadata = resp
        .headers()
        .get("pact-message-metadata")
        .and_then(|v| v.to_str().ok())
        .map(decode_metadata)
        .unwrap_or_default();
    let bytes = read_capped(resp, MAX_ANSWER_BYTES)
        .await
        .map_err(|e| format!("message producer {url}: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "message producer {url} answered {} for {:?}: {}",
            status.as_u16(),
            interaction.description,
            String::from_utf8_lossy(&bytes)
        ));
    }
    let mut metadata = metadata;
    if let Some(ct) = &content_type {
        let declared = metadata.keys().any(|k| {
            k.eq_ignore_ascii_case("contentType") || k.eq_ignore_ascii_case("content-type")
        });
        if !declared {
            metadata.insert("contentType".into(), Value::String(ct.to_string()));
        }
    }
    Ok(Message {
        contents: Body::from_bytes(bytes, content_type),
        metadata,
        ..Default::default()
    })
}

fn decode_metadata(header: &str) -> Map<String, Value> {
    base64::engine::general_purpose::STANDARD
        .decode(header.trim())
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
}
