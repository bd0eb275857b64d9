//! Pacticipants, their versions, tags and branches.

use serde_json::{json, Map, Value};

use super::answer::{empty, hal, not_found, Handled, OrAnswer};
use super::app::Broker;
use super::call::{text, Call};
use super::links::Links;
use crate::broker::store::{Environment, Pacticipant, PacticipantFields, Version};

/// Puts `value` at `key` unless it is `None`.
fn put_some(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        map.insert(key.into(), Value::String(v.into()));
    }
}

/// A pacticipant as the broker shows it.
pub fn pacticipant_json(links: &Links, p: &Pacticipant) -> Value {
    let mut doc = Map::new();
    doc.insert("name".into(), json!(p.name));
    put_some(&mut doc, "displayName", p.display_name.as_deref());
    put_some(&mut doc, "repositoryUrl", p.repository_url.as_deref());
    put_some(&mut doc, "mainBranch", p.main_branch.as_deref());
    doc.insert("createdAt".into(), json!(p.created_at));
    if let Some(v) = &p.latest_version {
        doc.insert(
            "_embedded".into(),
            json!({ "latest-version": { "number": v, "_links": { "self": { "href": links.version(&p.name, v) } } } }),
        );
    }
    doc.insert(
        "_links".into(),
        json!({
            "self": { "href": links.pacticipant(&p.name) },
            "versions": { "href": links.path(&["pacticipants", &p.name, "versions"]) },
            "pb:versions": { "href": links.path(&["pacticipants", &p.name, "versions"]) },
            "pb:latest-version": { "href": links.path(&["pacticipants", &p.name, "latest-version"]) },
            "pb:version": { "href": format!("{}/versions/{{version}}", links.pacticipant(&p.name)), "templated": true },
            "pb:branch": { "href": format!("{}/branches/{{branch}}", links.pacticipant(&p.name)), "templated": true },
            "pb:branch-version": { "href": format!("{}/branches/{{branch}}/versions/{{version}}", links.pacticipant(&p.name)), "templated": true },
            "pb:version-tag": { "href": format!("{}/versions/{{version}}/tags/{{tag}}", links.pacticipant(&p.name)), "templated": true },
        }),
    );
    Value::Object(doc)
}

/// A version as the broker shows it, with the links to record it in each environment.
pub fn version_json(links: &Links, v: &Version, environments: &[Environment]) -> Value {
    let self_href = links.version(&v.pacticipant, &v.number);
    let placement = |kind: &str| -> Vec<Value> {
        environments
            .iter()
            .map(|e| {
                json!({
                    "href": links.path(&["pacticipants", &v.pacticipant, "versions", &v.number, kind, "environment", &e.uuid]),
                    "name": e.name,
                    "title": format!("Record {} to {}", if kind == "deployed-versions" { "deployment" } else { "release" }, e.display_name.as_deref().unwrap_or(&e.name)),
                })
            })
            .collect()
    };
    let tags: Vec<Value> = v
        .tags
        .iter()
        .map(|t| json!({ "name": t, "_links": { "self": { "href": links.path(&["pacticipants", &v.pacticipant, "versions", &v.number, "tags", t]) } } }))
        .collect();
    let branches: Vec<Value> = v.branches.iter().map(|b| json!({ "name": b })).collect();
    let mut doc = Map::new();
    doc.insert("number".into(), json!(v.number));
    put_some(&mut doc, "branch", v.branches.last().map(String::as_str));
    put_some(&mut doc, "buildUrl", v.build_url.as_deref());
    doc.insert("createdAt".into(), json!(v.created_at));
    doc.insert(
        "_embedded".into(),
        json!({ "branchVersions": branches, "tags": tags }),
    );
    doc.insert(
        "_links".into(),
        json!({
            "self": { "href": self_href, "title": "Version", "name": v.number },
            "pb:pacticipant": { "href": links.pacticipant(&v.pacticipant), "name": v.pacticipant },
            "pb:tag": { "href": format!("{self_href}/tags/{{tag}}"), "templated": true },
            "pb:record-deployment": placement("deployed-versions"),
            "pb:record-release": placement("released-versions"),
        }),
    );
    Value::Object(doc)
}

fn fields(body: &Value) -> PacticipantFields {
    let pick = |camel: &str, snake: &str| {
        text(body, camel)
            .or_else(|| text(body, snake))
            .map(str::to_string)
    };
    PacticipantFields {
        display_name: pick("displayName", "display_name"),
        repository_url: pick("repositoryUrl", "repository_url"),
        main_branch: pick("mainBranch", "main_branch"),
    }
}

/// `GET /pacticipants`.
pub fn list(b: &Broker, call: &Call) -> Handled {
    let all = b.store.pacticipants().or_answer()?;
    let docs: Vec<Value> = all
        .iter()
        .map(|p| pacticipant_json(&call.links, p))
        .collect();
    let links: Vec<Value> = all
        .iter()
        .map(|p| json!({ "href": call.links.pacticipant(&p.name), "title": p.name }))
        .collect();
    Ok(hal(
        200,
        &json!({ "pacticipants": docs, "_embedded": { "pacticipants": docs }, "_links": { "self": call.links.link(&["pacticipants"]), "pacticipants": links } }),
    ))
}

/// `POST /pacticipants`.
pub fn create(b: &Broker, call: &Call) -> Handled {
    let body = call.json()?;
    let name = text(&body, "name")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| super::answer::field_error(400, "name", "a pacticipant needs a name"))?;
    let (p, created) = b.store.save_pacticipant(name, &fields(&body)).or_answer()?;
    Ok(hal(
        if created { 201 } else { 200 },
        &pacticipant_json(&call.links, &p),
    ))
}

/// `GET /pacticipants/{name}`.
pub fn show(b: &Broker, call: &Call, name: &str) -> Handled {
    match b.store.pacticipant(name).or_answer()? {
        Some(p) => Ok(hal(200, &pacticipant_json(&call.links, &p))),
        None => Err(not_found(&format!("pacticipant {name:?}"))),
    }
}

/// `PATCH`/`PUT /pacticipants/{name}`: creates it (201) or updates the given fields (200).
pub fn update(b: &Broker, call: &Call, name: &str) -> Handled {
    let body = call.json()?;
    let (p, created) = b.store.save_pacticipant(name, &fields(&body)).or_answer()?;
    Ok(hal(
        if created { 201 } else { 200 },
        &pacticipant_json(&call.links, &p),
    ))
}

/// `GET /pacticipants/{name}/versions`.
pub fn versions(b: &Broker, call: &Call, name: &str) -> Handled {
    if b.store.pacticipant(name).or_answer()?.is_none() {
        return Err(not_found(&format!("pacticipant {name:?}")));
    }
    let envs = b.store.environments().or_answer()?;
    let docs: Vec<Value> = b
        .store
        .versions(name)
        .or_answer()?
        .iter()
        .map(|v| version_json(&call.links, v, &envs))
        .collect();
    Ok(hal(
        200,
        &json!({ "_embedded": { "versions": docs }, "_links": { "self": call.links.link(&["pacticipants", name, "versions"]) } }),
    ))
}

/// `GET /pacticipants/{name}/versions/{v}`.
pub fn version(b: &Broker, call: &Call, name: &str, number: &str) -> Handled {
    match b.store.version(name, number).or_answer()? {
        Some(v) => {
            let envs = b.store.environments().or_answer()?;
            Ok(hal(200, &version_json(&call.links, &v, &envs)))
        }
        None => Err(not_found(&format!("version {number} of {name:?}"))),
    }
}

/// `PUT /pacticipants/{name}/versions/{v}` (`{"branch", "buildUrl"}`).
pub fn put_version(b: &Broker, call: &Call, name: &str, number: &str) -> Handled {
    let body = call.json()?;
    let (v, created) = b
        .store
        .save_version(name, number, text(&body, "branch"), text(&body, "buildUrl"))
        .or_answer()?;
    let envs = b.store.environments().or_answer()?;
    Ok(hal(
        if created { 201 } else { 200 },
        &version_json(&call.links, &v, &envs),
    ))
}

/// `GET /pacticipants/{name}/latest-version[/{tag}]`.
pub fn latest_version(b: &Broker, call: &Call, name: &str, tag: Option<&str>) -> Handled {
    match b.store.latest_version(name, tag).or_answer()? {
        Some(v) => {
            let envs = b.store.environments().or_answer()?;
            Ok(hal(200, &version_json(&call.links, &v, &envs)))
        }
        None => Err(not_found(&match tag {
            Some(t) => format!("a version of {name:?} tagged {t:?}"),
            None => format!("a version of {name:?}"),
        })),
    }
}

/// `PUT`/`GET /pacticipants/{name}/versions/{v}/tags/{tag}`.
pub fn tag(b: &Broker, call: &Call, name: &str, number: &str, tag: &str) -> Handled {
    let doc = json!({ "name": tag, "_links": { "self": call.links.link(&["pacticipants", name, "versions", number, "tags", tag]) } });
    if call.method == "GET" {
        let has = b
            .store
            .version(name, number)
            .or_answer()?
            .is_some_and(|v| v.tags.iter().any(|t| t == tag));
        return if has {
            Ok(hal(200, &doc))
        } else {
            Err(not_found(&format!("tag {tag:?} of {name:?} {number}")))
        };
    }
    let created = b.store.tag(name, number, tag).or_answer()?;
    Ok(hal(if created { 201 } else { 200 }, &doc))
}

/// `GET /pacticipants/{name}/branches/{branch}`.
pub fn branch(b: &Broker, call: &Call, name: &str, branch: &str) -> Handled {
    match b.store.branch(name, branch).or_answer()? {
        Some(versions) => {
            let docs: Vec<Value> = versions.iter().map(|v| json!({ "number": v, "_links": { "self": { "href": call.links.version(name, v) } } })).collect();
            Ok(hal(
                200,
                &json!({ "name": branch, "_embedded": { "versions": docs }, "_links": { "self": call.links.link(&["pacticipants", name, "branches", branch]) } }),
            ))
        }
        None => Err(not_found(&format!("branch {branch:?} of {name:?}"))),
    }
}

/// `DELETE /pacticipants/{name}/branches/{branch}`.
pub fn delete_branch(b: &Broker, name: &str, branch: &str) -> Handled {
    if b.store.delete_branch(name, branch).or_answer()? {
        Ok(empty(204))
    } else {
        Err(not_found(&format!("branch {branch:?} of {name:?}")))
    }
}

/// `PUT /pacticipants/{name}/branches/{branch}/versions/{v}` (`GET`: whether it is on it).
pub fn branch_version(b: &Broker, call: &Call, name: &str, branch: &str, number: &str) -> Handled {
    let doc = json!({ "name": branch, "number": number, "_links": { "self": call.links.link(&["pacticipants", name, "branches", branch, "versions", number]) } });
    if call.method == "GET" {
        let on = b
            .store
            .branch(name, branch)
            .or_answer()?
            .is_some_and(|vs| vs.iter().any(|v| v == number));
        return if on {
            Ok(hal(200, &doc))
        } else {
            Err(not_found(&format!(
                "version {number} on branch {branch:?} of {name:?}"
            )))
        };
    }
    let created = b.store.add_to_branch(name, branch, number).or_answer()?;
    Ok(hal(if created { 201 } else { 200 }, &doc))
}
