//! Event (message) contracts: declare a message, hand its example (generators applied) to
//! the consumer's handler, and record the interaction only if the handler succeeds.

use serde_json::{json, Map, Value};

use super::interaction::{add_extracted, Common};
use super::template::{extract, TemplateError};
use crate::contract::{
    category, merge_into_file, rng_from_seed, Body, ContentType, GeneratorContext, InteractionKind,
    Message, ProviderState, StoreError,
};

/// Declares one message: contents, metadata, matchers, an optional JSON Schema.
#[derive(Debug, Default, Clone)]
pub struct MessageBuilder {
    pub(crate) common: Common,
    contents: Option<(Value, ContentType)>,
    raw: Option<Body>,
    metadata: Vec<(String, Value)>,
    #[cfg(feature = "json-schema")]
    schema: Option<Value>,
}

impl MessageBuilder {
    pub(crate) fn new(description: &str) -> Self {
        MessageBuilder {
            common: Common::named(description),
            ..Default::default()
        }
    }

    /// The provider must be in this state.
    pub fn given(&mut self, state: &str) -> &mut Self {
        self.common.given(state, None);
        self
    }

    /// The provider must be in this state, with parameters (a JSON object).
    pub fn given_with(&mut self, state: &str, params: Value) -> &mut Self {
        self.common.given(state, Some(params));
        self
    }

    /// JSON contents with inline matchers.
    pub fn json(&mut self, template: Value) -> &mut Self {
        self.contents = Some((template, ContentType::json()));
        self
    }

    /// Text or binary contents with a content type.
    pub fn bytes(&mut self, bytes: Vec<u8>, content_type: &str) -> &mut Self {
        self.raw = Some(Body::from_bytes(bytes, ContentType::parse(content_type)));
        self
    }

    /// A metadata entry (value or matcher), e.g. `("topic", "orders")`.
    pub fn metadata(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.metadata.push((key.to_string(), value.into()));
        self
    }

    /// A JSON Schema the example contents must satisfy (checked when the message is built).
    /// Needs the `json-schema` feature (the `jsonschema` crate and its ~40 dependencies).
    #[cfg(feature = "json-schema")]
    pub fn schema(&mut self, schema: Value) -> &mut Self {
        self.schema = Some(schema);
        self
    }

    pub(crate) fn build(&self) -> Result<Message, MessageError> {
        let mut m = Message::default();
        for (key, template) in &self.metadata {
            let t = extract(template)?;
            m.metadata.insert(key.clone(), t.example.clone());
            add_extracted(
                t,
                category::METADATA,
                Some(key),
                &mut m.matching_rules,
                &mut m.generators,
            );
        }
        if let Some(raw) = &self.raw {
            m.contents = raw.clone();
        }
        if let Some((template, ct)) = &self.contents {
            let t = extract(template)?;
            m.contents = Body::Present {
                bytes: t.example.to_string().into_bytes(),
                content_type: Some(ct.clone()),
            };
            add_extracted(
                t,
                category::BODY,
                None,
                &mut m.matching_rules,
                &mut m.generators,
            );
        }
        if let Some(ct) = m.contents.content_type() {
            m.metadata
                .entry("contentType")
                .or_insert_with(|| json!(ct.to_string()));
        }
        #[cfg(feature = "json-schema")]
        if let Some(schema) = &self.schema {
            super::schema::check(schema, &m.contents).map_err(MessageError::Schema)?;
        }
        Ok(m)
    }
}

/// Why a message interaction was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// The declaration is invalid.
    #[error("invalid message declaration: {0}")]
    Template(#[from] TemplateError),
    /// The example does not satisfy the attached JSON Schema.
    #[error("the example message does not satisfy its JSON Schema: {0}")]
    Schema(String),
    /// A generator failed.
    #[error("a generator failed: {0}")]
    Generator(String),
    /// The consumer's handler rejected the message.
    #[error("the handler failed: {0}")]
    Handler(String),
    /// The contract file could not be written.
    #[error("cannot write the contract: {0}")]
    Store(#[from] StoreError),
}

/// The example as the consumer receives it: generators applied with a seeded RNG.
pub(crate) fn generated(
    message: &Message,
    states: &[ProviderState],
    seed: u64,
) -> Result<Message, MessageError> {
    let mut params = Map::new();
    for s in states {
        params.extend(s.params.clone());
    }
    let ctx = GeneratorContext {
        provider_state: &params,
        mock_server_url: None,
        now: chrono::Utc::now().fixed_offset(),
    };
    let mut rng = rng_from_seed(seed);
    let mut out = message.clone();
    let g = &message.generators;
    out.contents = g
        .apply_body(category::BODY, &message.contents, &ctx, &mut rng)
        .map_err(|e| MessageError::Generator(e.to_string()))?;
    for (key, value) in out.metadata.iter_mut() {
        if let Some(new) = g
            .generate_named(category::METADATA, Some(key), value, &ctx, &mut rng)
            .map_err(|e| MessageError::Generator(e.to_string()))?
        {
            *value = new;
        }
    }
    Ok(out)
}

/// A declared message waiting for the consumer's handler. Record it with
/// [`PendingMessage::handled_by`].
#[must_use = "a message is recorded only when a handler accepts it: call .handled_by(..)"]
pub struct PendingMessage {
    pub(crate) builder: MessageBuilder,
    pub(crate) target: super::verification::Target,
    pub(crate) seed: u64,
}

impl PendingMessage {
    /// Calls `handler` with the example message; if it returns `Ok`, merges the interaction
    /// into the contract file. A failing handler records nothing.
    pub fn handled_by<E: std::fmt::Display>(
        self,
        handler: impl FnOnce(&Message) -> Result<(), E>,
    ) -> Result<(), MessageError> {
        let message = self.builder.build()?;
        let example = generated(&message, &self.builder.common.states, self.seed)?;
        handler(&example).map_err(|e| MessageError::Handler(e.to_string()))?;
        let interaction = self
            .builder
            .common
            .clone()
            .into_interaction(InteractionKind::Message(message));
        merge_into_file(
            &self.target.dir,
            &self.target.consumer,
            &self.target.provider,
            &[interaction],
        )?;
        Ok(())
    }
}

/// Declares a synchronous message exchange: a request message and one or more responses.
#[derive(Debug, Default)]
pub struct SyncMessageBuilder {
    pub(crate) common: Common,
    request: MessageBuilder,
    responses: Vec<MessageBuilder>,
}

impl SyncMessageBuilder {
    pub(crate) fn new(description: &str) -> Self {
        SyncMessageBuilder {
            common: Common::named(description),
            ..Default::default()
        }
    }

    /// The provider must be in this state.
    pub fn given(&mut self, state: &str) -> &mut Self {
        self.common.given(state, None);
        self
    }

    /// The provider must be in this state, with parameters (a JSON object).
    pub fn given_with(&mut self, state: &str, params: Value) -> &mut Self {
        self.common.given(state, Some(params));
        self
    }

    /// Declares the request message.
    pub fn request(&mut self, build: impl FnOnce(&mut MessageBuilder)) -> &mut Self {
        build(&mut self.request);
        self
    }

    /// Declares a response message (call again for more).
    pub fn response(&mut self, build: impl FnOnce(&mut MessageBuilder)) -> &mut Self {
        let mut b = MessageBuilder::default();
        build(&mut b);
        self.responses.push(b);
        self
    }
}

/// A declared synchronous exchange waiting for the consumer's handler.
#[must_use = "a message is recorded only when a handler accepts it: call .handled_by(..)"]
pub struct PendingSyncMessage {
    pub(crate) builder: SyncMessageBuilder,
    pub(crate) target: super::verification::Target,
    pub(crate) seed: u64,
}

impl PendingSyncMessage {
    /// Calls `handler` with the example request and responses; records the interaction if
    /// it returns `Ok`.
    pub fn handled_by<E: std::fmt::Display>(
        self,
        handler: impl FnOnce(&Message, &[Message]) -> Result<(), E>,
    ) -> Result<(), MessageError> {
        let states = &self.builder.common.states;
        let request = self.builder.request.build()?;
        let responses = self
            .builder
            .responses
            .iter()
            .map(MessageBuilder::build)
            .collect::<Result<Vec<_>, _>>()?;
        let example_request = generated(&request, states, self.seed)?;
        let example_responses = responses
            .iter()
            .map(|r| generated(r, states, self.seed))
            .collect::<Result<Vec<_>, _>>()?;
        handler(&example_request, &example_responses)
            .map_err(|e| MessageError::Handler(e.to_string()))?;
        let interaction = self
            .builder
            .common
            .clone()
            .into_interaction(InteractionKind::SyncMessage { request, responses });
        merge_into_file(
            &self.target.dir,
            &self.target.consumer,
            &self.target.provider,
            &[interaction],
        )?;
        Ok(())
    }
}
