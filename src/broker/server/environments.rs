//! Environments, and the versions deployed to or released in them.

use serde_json::{json, Map, Value};

use super::answer::{empty, field_error, hal, not_found, Handled, OrAnswer};
use super::app::Broker;
use super::call::{text, Call};
use super::links::Links;
use crate::broker::store::{Deployment, Environment, Placement};

/// An environment as the broker shows it.
pub fn environment_json(links: &Links, e: &Environment) -> Value {
    let mut doc = Map::new();
    doc.insert("uuid".into(), json!(e.uuid));
    doc.insert("name".into(), json!(e.name));
    doc.insert(
        "displayName".into(),
        json!(e.display_name.clone().unwrap_or_else(|| e.name.clone())),
    );
    doc.insert("production".into(), json!(e.production));
    if let Some(c) = &e.contacts {
        doc.insert("contacts".into(), c.clone());
    }
    doc.insert(
        "_links".into(),
        json!({
            "self": { "href": links.path(&["environments", &e.uuid]), "title": "Environment", "name": e.name },
            "pb:currently-deployed-deployed-versions": { "href": links.path(&["environments", &e.uuid, "deployed-versions", "currently-deployed"]) },
            "pb:currently-supported-released-versions": { "href": links.path(&["environments", &e.uuid, "released-versions", "currently-supported"]) },
            "pb:environments": { "href": links.path(&["environments"]) },
        }),
    );
    Value::Object(doc)
}

fn placement_json(links: &Links, d: &Deployment) -> Value {
    let kind = if d.kind == "deployed" {
        "deployed-versions"
    } else {
        "released-versions"
    };
    let mut doc = Map::new();
    doc.insert("uuid".into(), json!(d.uuid));
    if d.kind == "deployed" {
        doc.insert("currentlyDeployed".into(), json!(d.current));
        doc.insert("applicationInstance".into(), json!(d.application_instance));
        doc.insert("target".into(), json!(d.application_instance));
        doc.insert("undeployedAt".into(), json!(d.ended_at));
    } else {
        doc.insert("currentlySupported".into(), json!(d.current));
        doc.insert("supportEndedAt".into(), json!(d.ended_at));
    }
    doc.insert("createdAt".into(), json!(d.created_at));
    doc.insert(
        "_embedded".into(),
        json!({
            "version": { "number": d.version, "_links": { "self": { "href": links.version(&d.pacticipant, &d.version) } } },
            "pacticipant": { "name": d.pacticipant, "_links": { "self": { "href": links.pacticipant(&d.pacticipant) } } },
            "environment": { "uuid": d.environment_uuid, "name": d.environment, "_links": { "self": { "href": links.path(&["environments", &d.environment_uuid]) } } },
        }),
    );
    doc.insert(
        "_links".into(),
        json!({ "self": { "href": links.path(&[kind, &d.uuid]) } }),
    );
    Value::Object(doc)
}

fn from_body(body: &Value, uuid: String) -> Result<Environment, super::answer::Answer> {
    let name = text(body, "name")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| field_error(400, "name", "missing"))?;
    if name.chars().any(char::is_whitespace) {
        return Err(field_error(400, "name", "cannot contain spaces"));
    }
    Ok(Environment {
        uuid,
        name: name.to_string(),
        display_name: text(body, "displayName").map(str::to_string),
        production: body
            .get("production")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        contacts: body.get("contacts").cloned(),
    })
}

/// `GET /environments`.
pub fn list(b: &Broker, call: &Call) -> Handled {
    let all = b.store.environments().or_answer()?;
    let wanted = call.param("name");
    let all: Vec<&Environment> = all
        .iter()
        .filter(|e| wanted.is_none_or(|n| n == e.name))
        .collect();
    let docs: Vec<Value> = all
        .iter()
        .map(|e| environment_json(&call.links, e))
        .collect();
    let links: Vec<Value> = all.iter().map(|e| json!({ "href": call.links.path(&["environments", &e.uuid]), "name": e.name, "title": e.display_name })).collect();
    Ok(hal(
        200,
        &json!({ "_embedded": { "environments": docs }, "_links": { "self": call.links.link(&["environments"]), "pb:environments": links } }),
    ))
}

/// `POST /environments`.
pub fn create(b: &Broker, call: &Call) -> Handled {
    let body = call.json()?;
    let uuid = text(&body, "uuid")
        .map(str::to_string)
        .unwrap_or_else(super::ids::new_uuid);
    let env = from_body(&body, uuid)?;
    if b.store
        .environment(&env.uuid)
        .or_answer()?
        .is_some_and(|e| e.uuid == env.uuid)
    {
        return Err(field_error(
            409,
            "uuid",
            "an environment with this uuid already exists",
        ));
    }
    b.store
        .save_environment(&env)
        .map_err(|e| field_error(409, "name", &e.to_string()))?;
    Ok(hal(201, &environment_json(&call.links, &env)))
}

/// `GET /environments/{uuid}`.
pub fn show(b: &Broker, call: &Call, uuid: &str) -> Handled {
    match b.store.environment(uuid).or_answer()? {
        Some(e) => Ok(hal(200, &environment_json(&call.links, &e))),
        None => Err(not_found(&format!("environment {uuid}"))),
    }
}

/// `PUT /environments/{uuid}`.
pub fn replace(b: &Broker, call: &Call, uuid: &str) -> Handled {
    let env = from_body(&call.json()?, uuid.to_string())?;
    let created = b
        .store
        .save_environment(&env)
        .map_err(|e| field_error(409, "name", &e.to_string()))?;
    Ok(hal(
        if created { 201 } else { 200 },
        &environment_json(&call.links, &env),
    ))
}

/// `DELETE /environments/{uuid}`.
pub fn delete(b: &Broker, uuid: &str) -> Handled {
    if b.store.delete_environment(uuid).or_answer()? {
        Ok(empty(204))
    } else {
        Err(not_found(&format!("environment {uuid}")))
    }
}

/// `POST /pacticipants/{p}/versions/{v}/deployed-versions|released-versions/environment/{uuid}`.
pub fn record(
    b: &Broker,
    call: &Call,
    pacticipant: &str,
    version: &str,
    kind: &str,
    uuid: &str,
) -> Handled {
    let body = call.json()?;
    if b.store
        .environment(uuid)
        .or_answer()?
        .is_none_or(|e| e.uuid != uuid)
    {
        return Err(not_found(&format!("environment {uuid}")));
    }
    let instance = text(&body, "applicationInstance").or_else(|| text(&body, "target"));
    let id = super::ids::new_uuid();
    let placement = Placement {
        kind: if kind == "deployed-versions" {
            "deployed"
        } else {
            "released"
        },
        pacticipant,
        version,
        environment_uuid: uuid,
        application_instance: instance.filter(|_| kind == "deployed-versions"),
        uuid: &id,
    };
    let d = b.store.record_placement(&placement).or_answer()?;
    Ok(hal(201, &placement_json(&call.links, &d)))
}

/// `GET /environments/{uuid}/deployed-versions/currently-deployed` (and released ones).
pub fn current(b: &Broker, call: &Call, uuid: &str, kind: &str) -> Handled {
    if b.store.environment(uuid).or_answer()?.is_none() {
        return Err(not_found(&format!("environment {uuid}")));
    }
    let all = b
        .store
        .current_in(kind, uuid, call.param("pacticipant"))
        .or_answer()?;
    let instance = call
        .param("applicationInstance")
        .or_else(|| call.param("target"));
    let docs: Vec<Value> = all
        .iter()
        .filter(|d| instance.is_none_or(|i| d.application_instance.as_deref() == Some(i)))
        .map(|d| placement_json(&call.links, d))
        .collect();
    let key = if kind == "deployed" {
        "deployedVersions"
    } else {
        "releasedVersions"
    };
    Ok(hal(
        200,
        &json!({ "_embedded": { key: docs }, "_links": { "self": { "href": call.links.path(&["environments", uuid]) } } }),
    ))
}

/// `GET /deployed-versions/{uuid}` (or a released version).
pub fn placement(b: &Broker, call: &Call, uuid: &str) -> Handled {
    match b.store.deployment(uuid).or_answer()? {
        Some(d) => Ok(hal(200, &placement_json(&call.links, &d))),
        None => Err(not_found(&format!("deployment {uuid}"))),
    }
}

/// `PATCH /deployed-versions/{uuid}` with `{"currentlyDeployed": false}` (or a released
/// version with `{"currentlySupported": false}`): ends it.
pub fn end_placement(b: &Broker, call: &Call, uuid: &str) -> Handled {
    let body = call.json()?;
    let ends = [
        body.get("currentlyDeployed"),
        body.get("currentlySupported"),
    ]
    .into_iter()
    .flatten()
    .any(|v| v == &Value::Bool(false));
    let d = if ends {
        b.store.end_placement(uuid).or_answer()?
    } else {
        b.store.deployment(uuid).or_answer()?
    };
    match d {
        Some(d) => Ok(hal(200, &placement_json(&call.links, &d))),
        None => Err(not_found(&format!("deployment {uuid}"))),
    }
}
