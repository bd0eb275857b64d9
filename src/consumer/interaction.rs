//! Builders for HTTP interactions: provider states, the expected request and the response,
//! with matchers written inline where values are declared.

use serde_json::{json, Map, Value};

use super::template::{extract, Extracted, TemplateError};
use crate::contract::{
    category, Body, ContentType, Generators, HttpRequest, HttpResponse, Interaction,
    InteractionKind, MatchingRules, ProviderState, RulePath, Token,
};

/// The parts every interaction has: description, provider states, V4 attributes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Common {
    pub description: String,
    pub states: Vec<ProviderState>,
    pub pending: bool,
    pub comments: Map<String, Value>,
}

impl Common {
    /// The common parts of a new interaction with this description.
    pub(crate) fn named(description: &str) -> Self {
        Common {
            description: description.to_string(),
            ..Default::default()
        }
    }

    /// Adds a provider state; parameters that are not a JSON object are kept under `value`.
    pub(crate) fn given(&mut self, state: &str, params: Option<Value>) {
        let params = match params {
            None => Map::new(),
            Some(Value::Object(m)) => m,
            Some(other) => Map::from_iter([("value".to_string(), other)]),
        };
        self.states.push(ProviderState {
            name: state.to_string(),
            params,
        });
    }

    pub(crate) fn into_interaction(self, kind: InteractionKind) -> Interaction {
        Interaction {
            provider_states: self.states,
            pending: self.pending,
            comments: self.comments,
            ..Interaction::new(self.description, kind)
        }
    }
}

/// Declares one HTTP interaction. Obtained from [`crate::consumer::Contract::interaction`].
#[derive(Debug, Default)]
pub struct HttpInteractionBuilder {
    pub(crate) common: Common,
    request: RequestBuilder,
    response: ResponseBuilder,
}

impl HttpInteractionBuilder {
    pub(crate) fn new(description: &str) -> Self {
        HttpInteractionBuilder {
            common: Common::named(description),
            ..Default::default()
        }
    }

    /// The provider must be in this state.
    pub fn given(&mut self, state: &str) -> &mut Self {
        self.common.given(state, None);
        self
    }

    /// The provider must be in this state, set up with these parameters (a JSON object).
    pub fn given_with(&mut self, state: &str, params: Value) -> &mut Self {
        self.common.given(state, Some(params));
        self
    }

    /// Marks the interaction pending: the provider's verification reports but does not fail on it.
    pub fn pending(&mut self) -> &mut Self {
        self.common.pending = true;
        self
    }

    /// Adds a comment for the people reading the contract.
    pub fn comment(&mut self, text: &str) -> &mut Self {
        let list = self
            .common
            .comments
            .entry("text")
            .or_insert_with(|| json!([]));
        if let Value::Array(items) = list {
            items.push(json!(text));
        }
        self
    }

    /// Declares the request the consumer will send.
    pub fn request(&mut self, build: impl FnOnce(&mut RequestBuilder)) -> &mut Self {
        build(&mut self.request);
        self
    }

    /// Declares the response the provider gives.
    pub fn response(&mut self, build: impl FnOnce(&mut ResponseBuilder)) -> &mut Self {
        build(&mut self.response);
        self
    }

    pub(crate) fn build(self) -> Result<Interaction, TemplateError> {
        let request = self.request.build()?;
        let response = self.response.build()?;
        Ok(self
            .common
            .into_interaction(InteractionKind::Http { request, response }))
    }
}

/// What a part's declared values turn into.
#[derive(Debug, Default, Clone)]
pub(crate) struct Parts {
    pub headers: Vec<(String, Value)>,
    pub body: Option<(Value, Option<ContentType>)>,
    pub raw_body: Option<Body>,
}

impl Parts {
    fn header(&mut self, name: &str, value: Value) {
        self.headers.push((name.to_string(), value));
    }

    fn json(&mut self, template: Value) {
        self.body = Some((template, Some(ContentType::json())));
    }

    fn text(&mut self, text: &str, content_type: &str) {
        self.raw_body = Some(Body::text(text, ContentType::parse(content_type)));
    }

    fn bytes(&mut self, bytes: Vec<u8>, content_type: &str) {
        self.raw_body = Some(Body::from_bytes(bytes, ContentType::parse(content_type)));
    }

    /// Fills headers and body (with rules and generators) into the given slots.
    pub(crate) fn apply(
        &self,
        headers: &mut crate::contract::Headers,
        body: &mut Body,
        rules: &mut MatchingRules,
        generators: &mut Generators,
    ) -> Result<(), TemplateError> {
        for (name, template) in &self.headers {
            let value = named_value(name, template, category::HEADER, rules, generators)?;
            headers.entry(name.clone()).or_default().push(value);
        }
        if let Some(raw) = &self.raw_body {
            *body = raw.clone();
        }
        if let Some((template, content_type)) = &self.body {
            let t = extract(template)?;
            *body = Body::Present {
                bytes: t.example.to_string().into_bytes(),
                content_type: content_type.clone(),
            };
            add_extracted(t, category::BODY, None, rules, generators);
        }
        Ok(())
    }
}

/// Moves extracted rules and generators into a part, below `prefix` when given.
pub(crate) fn add_extracted(
    t: Extracted,
    cat: &str,
    name: Option<&str>,
    rules: &mut MatchingRules,
    generators: &mut Generators,
) {
    let rebase = |p: &RulePath| match name {
        Some(n) => RulePath::field(n),
        None => p.clone(),
    };
    for (path, list) in t.rules.iter() {
        rules.category_mut(cat).insert(rebase(path), list.clone());
    }
    for (path, g) in t.generators {
        generators.insert(cat, rebase(&path), g);
    }
}

/// A template for a single text value (header, query parameter, path): its example as text,
/// with its rules and generators recorded under `name` (or the whole category when `None`).
pub(crate) fn named_value(
    name: &str,
    template: &Value,
    cat: &str,
    rules: &mut MatchingRules,
    generators: &mut Generators,
) -> Result<String, TemplateError> {
    let t = extract(template)?;
    let text = match &t.example {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let key = if matches!(cat, "path" | "status") {
        None
    } else {
        Some(name)
    };
    if let Some(list) = t.rules.get(&RulePath::root()) {
        let path = key.map_or_else(RulePath::root, RulePath::field);
        rules.category_mut(cat).insert(path, list.clone());
    }
    for (path, g) in t.generators {
        if path.tokens() == [Token::Root] {
            generators.insert(cat, key.map_or_else(RulePath::root, RulePath::field), g);
        }
    }
    Ok(text)
}

/// Declares the expected request.
#[derive(Debug, Default, Clone)]
pub struct RequestBuilder {
    method: Option<String>,
    path: Option<Value>,
    query: Vec<(String, Value)>,
    parts: Parts,
}

impl RequestBuilder {
    /// Method and path (the path may be a matcher, e.g. `regex("/orders/\\d+", "/orders/1")`).
    pub fn method(&mut self, method: &str, path: impl Into<Value>) -> &mut Self {
        self.method = Some(method.to_ascii_uppercase());
        self.path = Some(path.into());
        self
    }

    /// `GET path`.
    pub fn get(&mut self, path: impl Into<Value>) -> &mut Self {
        self.method("GET", path)
    }

    /// `POST path`.
    pub fn post(&mut self, path: impl Into<Value>) -> &mut Self {
        self.method("POST", path)
    }

    /// `PUT path`.
    pub fn put(&mut self, path: impl Into<Value>) -> &mut Self {
        self.method("PUT", path)
    }

    /// `PATCH path`.
    pub fn patch(&mut self, path: impl Into<Value>) -> &mut Self {
        self.method("PATCH", path)
    }

    /// `DELETE path`.
    pub fn delete(&mut self, path: impl Into<Value>) -> &mut Self {
        self.method("DELETE", path)
    }

    /// A query parameter (repeat the call for several values of one name).
    pub fn query(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.query.push((name.to_string(), value.into()));
        self
    }

    /// A header (value or matcher).
    pub fn header(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.parts.header(name, value.into());
        self
    }

    /// A JSON body with inline matchers; sets `Content-Type: application/json` unless given.
    pub fn json(&mut self, template: Value) -> &mut Self {
        self.parts.json(template);
        self
    }

    /// A body of text with a content type.
    pub fn text(&mut self, text: &str, content_type: &str) -> &mut Self {
        self.parts.text(text, content_type);
        self
    }

    /// A form body (`application/x-www-form-urlencoded`).
    pub fn form(&mut self, fields: &[(&str, &str)]) -> &mut Self {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.text(&encoded, "application/x-www-form-urlencoded")
    }

    /// A binary body with a content type.
    pub fn bytes(&mut self, bytes: Vec<u8>, content_type: &str) -> &mut Self {
        self.parts.bytes(bytes, content_type);
        self
    }

    pub(crate) fn build(self) -> Result<HttpRequest, TemplateError> {
        let mut req = HttpRequest {
            method: self.method.unwrap_or_else(|| "GET".into()),
            ..Default::default()
        };
        let path = self.path.unwrap_or_else(|| json!("/"));
        req.path = named_value(
            "",
            &path,
            category::PATH,
            &mut req.matching_rules,
            &mut req.generators,
        )?;
        for (name, template) in &self.query {
            let value = named_value(
                name,
                template,
                category::QUERY,
                &mut req.matching_rules,
                &mut req.generators,
            )?;
            req.query.entry(name.clone()).or_default().push(value);
        }
        self.parts.apply(
            &mut req.headers,
            &mut req.body,
            &mut req.matching_rules,
            &mut req.generators,
        )?;
        default_content_type(&mut req.headers, &req.body);
        Ok(req)
    }
}

/// Declares the response.
#[derive(Debug, Default, Clone)]
pub struct ResponseBuilder {
    status: Option<Value>,
    parts: Parts,
}

impl ResponseBuilder {
    /// The status (a code, or `status_code("success", 201)`).
    pub fn status(&mut self, status: impl Into<Value>) -> &mut Self {
        self.status = Some(status.into());
        self
    }

    /// A header (value or matcher).
    pub fn header(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.parts.header(name, value.into());
        self
    }

    /// A JSON body with inline matchers; sets `Content-Type: application/json` unless given.
    pub fn json(&mut self, template: Value) -> &mut Self {
        self.parts.json(template);
        self
    }

    /// A body of text with a content type.
    pub fn text(&mut self, text: &str, content_type: &str) -> &mut Self {
        self.parts.text(text, content_type);
        self
    }

    /// A binary body with a content type.
    pub fn bytes(&mut self, bytes: Vec<u8>, content_type: &str) -> &mut Self {
        self.parts.bytes(bytes, content_type);
        self
    }

    pub(crate) fn build(self) -> Result<HttpResponse, TemplateError> {
        let mut resp = HttpResponse::default();
        if let Some(status) = &self.status {
            let text = named_value(
                "",
                status,
                category::STATUS,
                &mut resp.matching_rules,
                &mut resp.generators,
            )?;
            resp.status = text.parse().map_err(|_| TemplateError::ExampleBreaksRule {
                path: "status".into(),
                reason: format!("{text} is not an HTTP status code"),
            })?;
        }
        self.parts.apply(
            &mut resp.headers,
            &mut resp.body,
            &mut resp.matching_rules,
            &mut resp.generators,
        )?;
        default_content_type(&mut resp.headers, &resp.body);
        Ok(resp)
    }
}

fn default_content_type(headers: &mut crate::contract::Headers, body: &Body) {
    let Some(ct) = body.content_type() else {
        return;
    };
    if crate::contract::header(headers, "content-type").is_none() {
        headers.insert("Content-Type".into(), vec![ct.to_string()]);
    }
}
