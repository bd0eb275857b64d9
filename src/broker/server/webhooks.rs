//! Webhooks: stored and answered as the broker does (validated, password never shown); the
//! broker does not run them.

use serde_json::{json, Value};

use super::answer::{empty, field_error, hal, not_found, Answer, Handled, OrAnswer};
use super::app::Broker;
use super::call::{text, Call};
use super::links::Links;
use crate::broker::store::Webhook;

fn webhook_json(links: &Links, hook: &Webhook) -> Value {
    let mut doc = hook.body.clone();
    if let Some(req) = doc.get_mut("request").and_then(Value::as_object_mut) {
        req.remove("password");
    }
    if let Some(m) = doc.as_object_mut() {
        m.insert("uuid".into(), json!(hook.uuid));
        m.insert(
            "_links".into(),
            json!({ "self": { "href": links.path(&["webhooks", &hook.uuid]), "title": text(&hook.body, "description") }, "pb:webhooks": links.link(&["webhooks"]) }),
        );
    }
    doc
}

/// Checks a webhook document: named pacticipants exist, the request has a URL and method.
fn validate(b: &Broker, body: &Value) -> Result<(), Answer> {
    for role in ["consumer", "provider"] {
        if let Some(name) = body.get(role).and_then(|r| text(r, "name")) {
            if b.store.pacticipant(name).or_answer()?.is_none() {
                return Err(field_error(
                    400,
                    &format!("{role}.name"),
                    &format!("no pacticipant named {name:?} exists"),
                ));
            }
        }
    }
    let request = body
        .get("request")
        .ok_or_else(|| field_error(400, "request", "missing"))?;
    if text(request, "url").is_none_or(str::is_empty) {
        return Err(field_error(400, "request.url", "missing"));
    }
    if text(request, "method").is_none_or(str::is_empty) {
        return Err(field_error(400, "request.method", "missing"));
    }
    Ok(())
}

fn scoped(body: &mut Value, role: &str, name: Option<&str>) {
    if let (Some(n), Some(m)) = (name, body.as_object_mut()) {
        m.insert(role.into(), json!({ "name": n }));
    }
}

fn save(b: &Broker, call: &Call, uuid: String, body: Value) -> Handled {
    validate(b, &body)?;
    let name_of = |role: &str| {
        body.get(role)
            .and_then(|r| text(r, "name"))
            .map(str::to_string)
    };
    let hook = Webhook {
        uuid,
        consumer: name_of("consumer"),
        provider: name_of("provider"),
        body: body.clone(),
    };
    let created = b.store.save_webhook(&hook).or_answer()?;
    Ok(hal(
        if created { 201 } else { 200 },
        &webhook_json(&call.links, &hook),
    ))
}

/// `POST /webhooks[/provider/{p}][/consumer/{c}]`.
pub fn create(b: &Broker, call: &Call, provider: Option<&str>, consumer: Option<&str>) -> Handled {
    for name in [provider, consumer].into_iter().flatten() {
        if b.store.pacticipant(name).or_answer()?.is_none() {
            return Err(not_found(&format!("pacticipant {name:?}")));
        }
    }
    let mut body = call.json()?;
    scoped(&mut body, "provider", provider);
    scoped(&mut body, "consumer", consumer);
    save(b, call, super::ids::new_uuid(), body)
}

/// `PUT /webhooks/{uuid}`: creates (201) or replaces (200).
pub fn replace(b: &Broker, call: &Call, uuid: &str) -> Handled {
    save(b, call, uuid.to_string(), call.json()?)
}

/// `GET /webhooks/{uuid}`.
pub fn show(b: &Broker, call: &Call, uuid: &str) -> Handled {
    match b.store.webhook(uuid).or_answer()? {
        Some(h) => Ok(hal(200, &webhook_json(&call.links, &h))),
        None => Err(not_found(&format!("webhook {uuid}"))),
    }
}

/// `GET /webhooks`.
pub fn list(b: &Broker, call: &Call) -> Handled {
    let items: Vec<Value> = b
        .store
        .webhooks()
        .or_answer()?
        .iter()
        .map(|h| json!({ "href": call.links.path(&["webhooks", &h.uuid]), "title": text(&h.body, "description") }))
        .collect();
    Ok(hal(
        200,
        &json!({ "_links": { "self": call.links.link(&["webhooks"]), "pb:webhooks": items } }),
    ))
}

/// `DELETE /webhooks/{uuid}`.
pub fn delete(b: &Broker, uuid: &str) -> Handled {
    if b.store.delete_webhook(uuid).or_answer()? {
        Ok(empty(204))
    } else {
        Err(not_found(&format!("webhook {uuid}")))
    }
}
