//! Interactions: one described exchange (HTTP request/response, asynchronous message, or
//! synchronous message request/responses) with its provider states and V4 attributes.

use std::cmp::Ordering;

use serde_json::{json, Map, Value};

use super::format::{FieldExt, ReadError, SpecVersion};
use super::http::{HttpRequest, HttpResponse};
use super::message::Message;

/// A state the provider must be in for an interaction, with parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProviderState {
    /// The state's name, e.g. `an order with id 1 exists`.
    pub name: String,
    /// Parameters for setting it up.
    pub params: Map<String, Value>,
}

impl ProviderState {
    /// A state without parameters.
    pub fn named(name: impl Into<String>) -> Self {
        ProviderState {
            name: name.into(),
            params: Map::new(),
        }
    }

    fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("name".into(), json!(self.name));
        if !self.params.is_empty() {
            obj.insert("params".into(), Value::Object(self.params.clone()));
        }
        Value::Object(obj)
    }
}

/// What kind of exchange an interaction describes.
// Unboxed on purpose: interactions are few, and plain fields keep construction and
// pattern matching simple for users of the DSL.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum InteractionKind {
    /// `Synchronous/HTTP`: a request and its response.
    Http {
        /// The expected request.
        request: HttpRequest,
        /// The response to give.
        response: HttpResponse,
    },
    /// `Asynchronous/Messages`: an event.
    Message(Message),
    /// `Synchronous/Messages`: a request message and one or more responses.
    SyncMessage {
        /// The request message.
        request: Message,
        /// The response messages.
        responses: Vec<Message>,
    },
}

impl InteractionKind {
    /// The V4 type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            InteractionKind::Http { .. } => "Synchronous/HTTP",
            InteractionKind::Message(_) => "Asynchronous/Messages",
            InteractionKind::SyncMessage { .. } => "Synchronous/Messages",
        }
    }
}

/// An interaction's identity: description, provider states (name and parameters), V4 type
/// name and key.
pub(crate) type IdentityKey<'a> = (&'a str, Vec<String>, &'static str, Option<&'a str>);

/// One interaction of a contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    /// What happens, e.g. `a request for order 1`.
    pub description: String,
    /// States the provider must be in.
    pub provider_states: Vec<ProviderState>,
    /// A stable key identifying the interaction (V4), when given.
    pub key: Option<String>,
    /// Pending interactions do not fail verification (V4).
    pub pending: bool,
    /// Free-form comments (V4), e.g. `{"text": [..], "testname": ".."}`.
    pub comments: Map<String, Value>,
    /// The exchange itself.
    pub kind: InteractionKind,
    /// V4 attributes this crate does not model (e.g. `transport`, `pluginConfiguration`,
    /// `interactionMarkup`), kept as read and written back unchanged.
    pub extra: Map<String, Value>,
}

/// The interaction attributes this crate models; any other is kept in `extra`.
const KNOWN: [&str; 16] = [
    "type",
    "description",
    "providerStates",
    "providerState",
    "provider_state",
    "key",
    "pending",
    "comments",
    "request",
    "response",
    "contents",
    "metadata",
    "metaData",
    "matchingRules",
    "generators",
    "_id",
];

impl Interaction {
    /// An interaction with only a description and the exchange: no provider states, no
    /// key, not pending, no comments.
    ///
    /// ```
    /// use shakedown::contract::{HttpRequest, HttpResponse, Interaction, InteractionKind};
    ///
    /// let request = HttpRequest { path: "/orders/1".into(), ..Default::default() };
    /// let response = HttpResponse { status: 200, ..Default::default() };
    /// let i = Interaction::new("order 1", InteractionKind::Http { request, response });
    /// assert!(i.provider_states.is_empty() && !i.pending);
    /// ```
    pub fn new(description: impl Into<String>, kind: InteractionKind) -> Interaction {
        Interaction {
            description: description.into(),
            provider_states: Vec::new(),
            key: None,
            pending: false,
            comments: Map::new(),
            kind,
            extra: Map::new(),
        }
    }

    /// Reads an interaction of a V1–V3 HTTP pact, a V3 message pact (`message` true) or a V4
    /// pact.
    pub fn from_json(
        value: &Value,
        version: SpecVersion,
        message: bool,
    ) -> Result<Self, ReadError> {
        if !value.is_object() {
            return Err(ReadError::at::<&str>(&[], "expected an interaction object"));
        }
        let kind = read_kind(value, version, message)?;
        let comments = match value.get("comments") {
            Some(Value::Object(c)) => c.clone(),
            None | Some(Value::Null) => Map::new(),
            Some(_) => return Err(ReadError::at(&["comments"], "expected an object")),
        };
        Ok(Interaction {
            description: value
                .str_field("description")?
                .unwrap_or_default()
                .to_string(),
            provider_states: read_states(value)?,
            key: value.str_field("key")?.map(str::to_string),
            pending: value
                .get("pending")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            comments,
            kind,
            extra: value
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The V4 JSON form.
    pub fn to_json(&self) -> Value {
        let mut obj = self.extra.clone();
        obj.insert("type".into(), json!(self.kind.type_name()));
        obj.insert("description".into(), json!(self.description));
        if !self.provider_states.is_empty() {
            let states: Vec<Value> = self
                .provider_states
                .iter()
                .map(ProviderState::to_json)
                .collect();
            obj.insert("providerStates".into(), json!(states));
        }
        if let Some(k) = &self.key {
            obj.insert("key".into(), json!(k));
        }
        obj.insert("pending".into(), json!(self.pending));
        if !self.comments.is_empty() {
            obj.insert("comments".into(), Value::Object(self.comments.clone()));
        }
        match &self.kind {
            InteractionKind::Http { request, response } => {
                obj.insert("request".into(), request.to_json());
                obj.insert("response".into(), response.to_json());
            }
            InteractionKind::Message(m) => m.write_into(&mut obj),
            InteractionKind::SyncMessage { request, responses } => {
                obj.insert("request".into(), request.to_json());
                obj.insert(
                    "response".into(),
                    json!(responses.iter().map(Message::to_json).collect::<Vec<_>>()),
                );
            }
        }
        Value::Object(obj)
    }

    /// True when `other` is the same interaction for merging purposes: same kind, same
    /// description and same provider states.
    pub fn same_identity(&self, other: &Interaction) -> bool {
        self.identity_cmp(other) == Ordering::Equal
    }

    /// The deterministic order in which contracts list interactions: by description, then
    /// provider states, then kind, then key.
    pub fn identity_cmp(&self, other: &Interaction) -> Ordering {
        // The description alone settles most comparisons without building the keys.
        self.description
            .cmp(&other.description)
            .then_with(|| self.identity_key().cmp(&other.identity_key()))
    }

    /// What makes an interaction itself (see [`Interaction::same_identity`]), as a value to
    /// index by; ordered as [`Interaction::identity_cmp`] orders interactions.
    pub(crate) fn identity_key(&self) -> IdentityKey<'_> {
        let states = self
            .provider_states
            .iter()
            .map(|s| format!("{}{}", s.name, Value::Object(s.params.clone())))
            .collect();
        (
            &self.description,
            states,
            self.kind.type_name(),
            self.key.as_deref(),
        )
    }
}

fn read_kind(
    value: &Value,
    version: SpecVersion,
    message: bool,
) -> Result<InteractionKind, ReadError> {
    let type_name = value.str_field("type")?;
    let kind = match type_name {
        Some("Synchronous/HTTP") => "http",
        Some("Asynchronous/Messages") => "message",
        Some("Synchronous/Messages") => "sync",
        Some(other) => {
            return Err(ReadError::at(
                &["type"],
                format!("unknown interaction type `{other}` (expected Synchronous/HTTP, Asynchronous/Messages or Synchronous/Messages)"),
            ))
        }
        None if message || value.get("contents").is_some() => "message",
        None => "http",
    };
    Ok(match kind {
        "http" => InteractionKind::Http {
            request: HttpRequest::from_json(value.get("request").unwrap_or(&Value::Null), version)
                .map_err(|e| e.within("request"))?,
            response: HttpResponse::from_json(
                value.get("response").unwrap_or(&Value::Null),
                version,
            )
            .map_err(|e| e.within("response"))?,
        },
        "message" => InteractionKind::Message(Message::from_json(value, version)?),
        _ => read_sync(value, version)?,
    })
}

fn read_sync(value: &Value, version: SpecVersion) -> Result<InteractionKind, ReadError> {
    let request = Message::from_json(value.get("request").unwrap_or(&Value::Null), version)
        .map_err(|e| e.within("request"))?;
    let responses = match value.get("response") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, m)| {
                Message::from_json(m, version).map_err(|e| e.within(i).within("response"))
            })
            .collect::<Result<_, _>>()?,
        Some(single) => {
            vec![Message::from_json(single, version).map_err(|e| e.within("response"))?]
        }
    };
    Ok(InteractionKind::SyncMessage { request, responses })
}

fn read_states(value: &Value) -> Result<Vec<ProviderState>, ReadError> {
    if let Some(list) = value.get("providerStates").filter(|v| !v.is_null()) {
        let items = list.as_array().ok_or_else(|| {
            ReadError::at(&["providerStates"], "expected an array of {name, params}")
        })?;
        return items
            .iter()
            .enumerate()
            .map(|(i, s)| {
                read_state(s)
                    .map_err(|m| ReadError::at(&["providerStates".to_string(), i.to_string()], m))
            })
            .collect();
    }
    let single = value
        .str_field("providerState")?
        .or(value.str_field("provider_state")?);
    Ok(single.map(ProviderState::named).into_iter().collect())
}

fn read_state(value: &Value) -> Result<ProviderState, String> {
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .ok_or("expected a provider state with a `name`")?;
    let params = match value.get("params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(p)) => p.clone(),
        Some(_) => return Err("expected `params` to be an object".into()),
    };
    Ok(ProviderState {
        name: name.to_string(),
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v4_attributes_and_sync_messages() {
        let v = json!({
            "type": "Synchronous/Messages",
            "description": "price lookup",
            "key": "abc123",
            "pending": true,
            "comments": {"text": ["flaky upstream"], "testname": "prices::lookup"},
            "providerStates": [{"name": "price list loaded", "params": {"currency": "EUR"}}],
            "request": {"contents": {"content": {"sku": "A"}, "contentType": "application/json", "encoded": false}},
            "response": [
                {"contents": {"content": {"price": 1.5}, "contentType": "application/json", "encoded": false}, "metadata": {"ttl": 5}},
                {"contents": {"content": "cached", "contentType": "text/plain", "encoded": false}}
            ]
        });
        let i = Interaction::from_json(&v, SpecVersion::V4, false).unwrap();
        assert_eq!(i.key.as_deref(), Some("abc123"));
        assert!(i.pending);
        assert_eq!(i.comments["testname"], json!("prices::lookup"));
        assert_eq!(i.provider_states[0].params["currency"], json!("EUR"));
        let InteractionKind::SyncMessage { request, responses } = &i.kind else {
            panic!("not a sync message")
        };
        assert_eq!(request.contents.as_json(), Some(json!({"sku": "A"})));
        assert_eq!(responses.len(), 2);
        assert_eq!(responses[0].metadata["ttl"], json!(5));
        assert_eq!(responses[1].contents.as_text(), "cached");
        let again = Interaction::from_json(&i.to_json(), SpecVersion::V4, false).unwrap();
        assert_eq!(again, i);
    }

    #[test]
    fn keeps_attributes_it_does_not_model() {
        let v = json!({"type": "Synchronous/HTTP", "description": "grpc", "transport": "grpc",
                       "pluginConfiguration": {"protobuf": {"descriptorKey": "abc"}},
                       "interactionMarkup": {"markup": "# x", "markupType": "COMMON_MARK"},
                       "request": {"method": "GET", "path": "/"}, "response": {"status": 200}});
        let i = Interaction::from_json(&v, SpecVersion::V4, false).unwrap();
        let out = i.to_json();
        for k in ["transport", "pluginConfiguration", "interactionMarkup"] {
            assert_eq!(out[k], v[k], "{k}");
        }
    }

    #[test]
    fn reads_v1_and_v2_provider_states() {
        let v = json!({"description": "d", "provider_state": "old style", "request": {}, "response": {}});
        let i = Interaction::from_json(&v, SpecVersion::V1, false).unwrap();
        assert_eq!(i.provider_states, vec![ProviderState::named("old style")]);
    }

    #[test]
    fn unknown_types_are_errors() {
        let v = json!({"type": "Carrier/Pigeon", "description": "d"});
        let e = Interaction::from_json(&v, SpecVersion::V4, false).unwrap_err();
        assert_eq!(e.pointer, vec!["type"]);
    }
}
