//! Pacts for verification (`POST /pacts/provider/{provider}/for-verification`): the
//! provider's publications and verifications loaded from the store, the selection made by
//! `selection::select`, the broker's response rendered here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::answer::{field_error, hal, not_found, Handled, OrAnswer};
use super::app::Broker;
use super::call::Call;
use crate::broker::selection;
use crate::broker::store;

fn publication(p: &store::Publication) -> selection::Publication {
    selection::Publication {
        consumer: p.consumer.clone(),
        consumer_version: p.consumer_version.clone(),
        branch: p.branches.last().cloned(),
        main_branch: p.main_branch.clone(),
        tags: p.tags.clone(),
        created_at: p.created_at.clone(),
        deployed_to: p.deployed_to.clone(),
        released_to: p.released_to.clone(),
        sha: p.sha.clone(),
    }
}

fn past(v: &store::Verification) -> selection::PastVerification {
    selection::PastVerification {
        consumer: v.consumer.clone(),
        sha: v.sha.clone(),
        provider_version_branch: v.provider_branches.last().cloned(),
        provider_version_tags: v.provider_tags.clone(),
        success: v.success,
    }
}

fn render(
    call: &Call,
    provider: &str,
    chosen: &[selection::Selected],
    pending_status: bool,
) -> Value {
    let pacts: Vec<Value> = chosen
        .iter()
        .map(|s| {
            let mut props = json!({ "notices": s.notices });
            if pending_status {
                props["pending"] = json!(s.pending);
            }
            if s.wip {
                props["wip"] = json!(true);
            }
            let versions = s.consumer_versions.join(", ");
            json!({
                "shortDescription": format!("{} {}", s.consumer, versions),
                "verificationProperties": props,
                "_links": { "self": {
                    "href": call.links.pact_version(provider, &s.consumer, &s.sha),
                    "name": format!("Pact between {} (v{versions}) and {provider}", s.consumer),
                } },
            })
        })
        .collect();
    json!({
        "_embedded": { "pacts": pacts },
        "_links": { "self": { "href": call.links.path(&["pacts", "provider", provider, "for-verification"]), "title": "Pacts to be verified" } },
    })
}

/// A provider's publications and verifications, as `select` takes them.
type Inputs = (
    Vec<selection::Publication>,
    Vec<selection::PastVerification>,
);

/// The inputs read per provider, with the store generation they were read at.
pub type InputCache = Mutex<HashMap<String, (i64, Arc<Inputs>)>>;

/// The provider's inputs: from the cache when the store has not changed since they were
/// read, else read now (a generation read before the data, so a write in between only
/// makes the next request read again).
fn inputs(b: &Broker, provider: &str) -> Result<Arc<Inputs>, super::answer::Answer> {
    let generation = b.store.generation().or_answer()?;
    let cache = |c: &InputCache| {
        c.lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(provider)
            .filter(|(g, _)| *g == generation)
            .map(|(_, i)| i.clone())
    };
    if let Some(hit) = cache(&b.inputs) {
        return Ok(hit);
    }
    let pubs = b
        .store
        .provider_publications(provider)
        .or_answer()?
        .iter()
        .map(publication)
        .collect();
    let verifications = b
        .store
        .provider_verifications(provider)
        .or_answer()?
        .iter()
        .map(past)
        .collect();
    let read = Arc::new((pubs, verifications));
    let mut cache = b.inputs.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() > 1024 {
        cache.clear();
    }
    cache.insert(provider.to_string(), (generation, read.clone()));
    Ok(read)
}

/// `value` without its `null` members, at any depth (clients send `"providerVersionTags":
/// null` or selectors with every unset field `null`: absent, for the request's types).
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// `GET /pacts/provider/{provider}/for-verification`: the resource clients navigate to
/// before they POST their selectors to its `self` link.
pub fn describe(b: &Broker, call: &Call, provider: &str) -> Handled {
    if b.store.pacticipant(provider).or_answer()?.is_none() {
        return Err(not_found(&format!("provider {provider:?}")));
    }
    let href = call
        .links
        .path(&["pacts", "provider", provider, "for-verification"]);
    Ok(hal(
        200,
        &json!({ "_links": { "self": { "href": href, "title": "Pacts to be verified" } } }),
    ))
}

/// `POST /pacts/provider/{provider}/for-verification`.
pub fn for_verification(b: &Broker, call: &Call, provider: &str) -> Handled {
    let body = call.json()?;
    let request: selection::ForVerification =
        serde_json::from_value(without_nulls(body)).map_err(|e| {
            field_error(
                400,
                "consumerVersionSelectors",
                &format!("not a pacts-for-verification request: {e}"),
            )
        })?;
    if b.store.pacticipant(provider).or_answer()?.is_none() {
        return Err(not_found(&format!("provider {provider:?}")));
    }
    let chosen = selected(b, provider, &request)?;
    Ok(hal(
        200,
        &render(call, provider, &chosen, request.include_pending_status),
    ))
}

/// Selections made per provider and request body, with the store generation they were made
/// at: `select` is pure, so the same request on an unchanged store gets the same pacts (a CI
/// fleet sends the same selectors over and over).
pub type SelectionCache = Mutex<HashMap<(String, String), (i64, Arc<Vec<selection::Selected>>)>>;

/// The pacts `request` selects of `provider`'s: from the cache while the store is unchanged,
/// else selected now (the generation is read first, so a write in between only makes the
/// next request select again).
fn selected(
    b: &Broker,
    provider: &str,
    request: &selection::ForVerification,
) -> Result<Arc<Vec<selection::Selected>>, super::answer::Answer> {
    let generation = b.store.generation().or_answer()?;
    let key = (
        provider.to_string(),
        serde_json::to_string(request).unwrap_or_default(),
    );
    let hit = b
        .selections
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .filter(|(g, _)| *g == generation)
        .map(|(_, chosen)| chosen.clone());
    if let Some(chosen) = hit {
        return Ok(chosen);
    }
    let read = inputs(b, provider)?;
    let chosen = selection::select(&read.0, &read.1, request)
        .map_err(|e| field_error(400, "consumerVersionSelectors", &e.to_string()))?;
    let chosen = Arc::new(chosen);
    let mut cache = b.selections.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() > 1024 {
        cache.clear();
    }
    cache.insert(key, (generation, chosen.clone()));
    Ok(chosen)
}
