//! Pacts: publishing (`POST /contracts/publish`, the classic `PUT`), and fetching them
//! (latest, by version, tag, branch or content, the latest of each consumer).

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::answer::{field_error, hal, not_found, Answer, Handled, OrAnswer};
use super::app::Broker;
use super::call::{text, Call};
use super::links::Links;
use crate::broker::store::{Contract, PactRef, Publication};

/// A pact's title, as the broker writes it.
pub fn title(p: &Publication) -> String {
    format!(
        "Pact between {} (v{}) and {}",
        p.consumer, p.consumer_version, p.provider
    )
}

/// The pact document: its content with the broker's `_links` added.
pub fn pact_doc(links: &Links, p: &Publication, content: &Value) -> Value {
    let mut doc = match content {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    let by_content = links.pact_version(&p.provider, &p.consumer, &p.sha);
    doc.insert(
        "_links".into(),
        json!({
            "self": { "href": links.pact(&p.provider, &p.consumer, &p.consumer_version), "title": title(p) },
            "pb:consumer": { "href": links.pacticipant(&p.consumer), "name": p.consumer, "title": "Consumer" },
            "pb:provider": { "href": links.pacticipant(&p.provider), "name": p.provider, "title": "Provider" },
            "pb:consumer-version": { "href": links.version(&p.consumer, &p.consumer_version), "name": p.consumer_version, "title": "Consumer version" },
            "pb:pact-version": { "href": by_content, "name": p.sha },
            "pb:latest-pact-version": { "href": links.path(&["pacts", "provider", &p.provider, "consumer", &p.consumer, "latest"]) },
            "pb:publish-verification-results": { "href": format!("{by_content}/verification-results"), "title": "Publish verification results" },
        }),
    );
    Value::Object(doc)
}

fn pact_answer(status: u16, links: &Links, p: &Publication, content: &Value) -> Answer {
    let mut answer = hal(status, &pact_doc(links, p, content));
    if let Ok(v) = p.consumer_version.parse() {
        answer.headers_mut().insert("X-Pact-Consumer-Version", v);
    }
    answer
}

/// One contract of a publish-contracts body, decoded.
fn contract_of(body: &Value, item: &Value, index: usize) -> Result<Contract, Answer> {
    let field = |name: &str| format!("contracts[{index}].{name}");
    let consumer = text(item, "consumerName")
        .or_else(|| text(body, "pacticipantName"))
        .unwrap_or_default();
    let version = text(body, "pacticipantVersionNumber").unwrap_or_default();
    if text(item, "specification").is_some_and(|s| s != "pact") {
        return Err(field_error(
            400,
            &field("specification"),
            "only \"pact\" contracts are supported",
        ));
    }
    let encoded = text(item, "content")
        .ok_or_else(|| field_error(400, &field("content"), "missing (the Base64-encoded pact)"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|e| field_error(400, &field("content"), &format!("is not Base64: {e}")))?;
    let text_content = String::from_utf8(bytes)
        .map_err(|_| field_error(400, &field("content"), "is not UTF-8 text"))?;
    let mut contract = Contract::new(consumer, version, &text_content)
        .map_err(|e| field_error(400, &field("content"), &e.to_string()))?;
    if let Some(provider) = text(item, "providerName") {
        contract.provider = provider.to_string();
    }
    contract.branch = text(body, "branch").map(str::to_string);
    contract.tags = body
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    contract.build_url = text(body, "buildUrl").map(str::to_string);
    contract.merge = text(item, "onConflict") == Some("merge");
    Ok(contract)
}

fn contracts_of(body: &Value) -> Result<Vec<Contract>, Answer> {
    let name = text(body, "pacticipantName")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| field_error(400, "pacticipantName", "missing"))?;
    text(body, "pacticipantVersionNumber")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| field_error(400, "pacticipantVersionNumber", "missing"))?;
    let items = body
        .get("contracts")
        .and_then(Value::as_array)
        .ok_or_else(|| field_error(400, "contracts", "missing (a list of contracts)"))?;
    let contracts = items
        .iter()
        .enumerate()
        .map(|(i, item)| contract_of(body, item, i))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((i, c)) = contracts
        .iter()
        .enumerate()
        .find(|(_, c)| c.consumer != name)
    {
        return Err(field_error(
            400,
            &format!("contracts[{i}].consumerName"),
            &format!("{:?} is not the pacticipant {name:?}", c.consumer),
        ));
    }
    Ok(contracts)
}

/// `POST /contracts/publish`.
pub fn publish_contracts(b: &Broker, call: &Call) -> Handled {
    let body = call.json()?;
    let contracts = contracts_of(&body)?;
    let published = b.store.publish_all(&contracts).or_answer()?;
    let name = text(&body, "pacticipantName").unwrap_or_default();
    let number = text(&body, "pacticipantVersionNumber").unwrap_or_default();
    let l = &call.links;
    let mut notices =
        vec![json!({ "type": "debug", "text": format!("Published {name} version {number}") })];
    let mut docs = Vec::new();
    for (p, c) in published.iter().zip(&contracts) {
        let verb = if p.created {
            "Pact published"
        } else {
            "Pact already published (same content)"
        };
        notices.push(json!({ "type": "info", "text": format!("{verb} for {name} version {number} and provider {}.", p.provider) }));
        docs.push(json!({
            "href": l.pact(&p.provider, &p.consumer, &p.version),
            "name": format!("Pact between {} (v{}) and {}", c.consumer, c.version, c.provider),
            "title": "Pact",
        }));
    }
    let tags: Vec<Value> = contracts
        .first()
        .map(|c| c.tags.iter().map(|t| json!({ "name": t, "href": l.path(&["pacticipants", name, "versions", number, "tags", t]) })).collect())
        .unwrap_or_default();
    let logs: Vec<Value> = notices
        .iter()
        .map(|n| json!({ "level": n["type"], "message": n["text"], "deprecationWarning": "Replaced by notices" }))
        .collect();
    Ok(hal(
        200,
        &json!({
            "notices": notices,
            "logs": logs,
            "_embedded": {
                "pacticipant": { "name": name, "_links": { "self": { "href": l.pacticipant(name) } } },
                "version": { "number": number, "branch": text(&body, "branch"), "buildUrl": text(&body, "buildUrl"),
                             "_links": { "self": { "href": l.version(name, number), "title": "Version", "name": number } } },
            },
            "_links": {
                "pb:pacticipant": { "href": l.pacticipant(name), "name": name, "title": "Pacticipant" },
                "pb:pacticipant-version": { "href": l.version(name, number), "name": number, "title": "Pacticipant version" },
                "pb:pacticipant-version-tags": tags,
                "pb:contracts": docs,
            },
        }),
    ))
}

/// `PUT /pacts/provider/{provider}/consumer/{consumer}/version/{version}` (the pact as body).
pub fn put_pact(b: &Broker, call: &Call, provider: &str, consumer: &str, version: &str) -> Handled {
    let text_body = std::str::from_utf8(&call.body)
        .map_err(|_| field_error(400, "body", "is not UTF-8 text"))?;
    let mut contract = Contract::new(consumer, version, text_body).or_else(|_| {
        // A pact without provider.name: the path names it.
        let content: Value = serde_json::from_str(text_body)
            .map_err(|e| field_error(400, "body", &format!("the pact is not JSON: {e}")))?;
        Ok::<_, Answer>(Contract {
            consumer: consumer.into(),
            version: version.into(),
            provider: provider.into(),
            content,
            branch: None,
            tags: Vec::new(),
            build_url: None,
            merge: false,
        })
    })?;
    contract.provider = provider.to_string();
    let published = b.store.publish(&contract).or_answer()?;
    let (p, content) = b
        .store
        .pact(provider, consumer, &PactRef::Version(version))
        .or_answer()?
        .ok_or_else(|| not_found("the pact just published"))?;
    Ok(pact_answer(
        if published.created { 201 } else { 200 },
        &call.links,
        &p,
        &content,
    ))
}

/// `GET` one pact.
pub fn show(
    b: &Broker,
    call: &Call,
    provider: &str,
    consumer: &str,
    which: &PactRef<'_>,
) -> Handled {
    match b.store.pact(provider, consumer, which).or_answer()? {
        Some((p, content)) => Ok(pact_answer(200, &call.links, &p, &content)),
        None => Err(not_found(&format!(
            "the pact of {consumer:?} with {provider:?}"
        ))),
    }
}

/// `GET /pacts/provider/{provider}/consumer/{consumer}/versions`.
pub fn versions(b: &Broker, call: &Call, provider: &str, consumer: &str) -> Handled {
    let all = b.store.pact_versions(provider, consumer).or_answer()?;
    let items: Vec<Value> = all.iter().rev().map(|p| json!({ "href": call.links.pact(provider, consumer, &p.consumer_version), "title": title(p), "name": p.consumer_version })).collect();
    Ok(hal(
        200,
        &json!({ "_links": { "self": call.links.link(&["pacts", "provider", provider, "consumer", consumer, "versions"]), "pb:pact-versions": items } }),
    ))
}

/// `GET /pacts/provider/{provider}[/latest[/{tag}]]`.
pub fn provider_pacts(
    b: &Broker,
    call: &Call,
    provider: &str,
    tag: Option<&str>,
    latest: bool,
) -> Handled {
    if b.store.pacticipant(provider).or_answer()?.is_none() {
        return Err(not_found(&format!("provider {provider:?}")));
    }
    let pubs = if latest {
        b.store.latest_pacts_for(provider, tag).or_answer()?
    } else {
        b.store.provider_publications(provider).or_answer()?
    };
    let items: Vec<Value> = pubs
        .iter()
        .map(|p| json!({ "href": call.links.pact(&p.provider, &p.consumer, &p.consumer_version), "title": title(p), "name": p.consumer }))
        .collect();
    let mut self_path = vec!["pacts", "provider", provider];
    if latest {
        self_path.push("latest");
    }
    if let Some(t) = tag {
        self_path.push(t);
    }
    Ok(hal(
        200,
        &json!({ "_links": { "self": call.links.link(&self_path), "provider": { "href": call.links.pacticipant(provider), "title": provider }, "pb:pacts": items, "pacts": items } }),
    ))
}

/// `GET /pacts/latest`: the latest pact of every consumer with every provider.
pub fn latest_pacts(b: &Broker, call: &Call) -> Handled {
    let l = &call.links;
    let pacts: Vec<Value> = b
        .store
        .latest_pacts()
        .or_answer()?
        .iter()
        .map(|p| {
            json!({
                "_embedded": {
                    "consumer": { "name": p.consumer, "_links": { "self": { "href": l.pacticipant(&p.consumer) } }, "_embedded": { "version": { "number": p.consumer_version } } },
                    "provider": { "name": p.provider, "_links": { "self": { "href": l.pacticipant(&p.provider) } } },
                },
                "_links": { "self": [
                    { "href": l.path(&["pacts", "provider", &p.provider, "consumer", &p.consumer, "latest"]) },
                    { "href": l.pact(&p.provider, &p.consumer, &p.consumer_version) },
                ] },
            })
        })
        .collect();
    Ok(hal(
        200,
        &json!({ "_links": { "self": l.link(&["pacts", "latest"]) }, "pacts": pacts }),
    ))
}
