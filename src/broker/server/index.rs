//! The index (`GET /`): every relation a client finds endpoints by.

use serde_json::{json, Map, Value};

use super::answer::{hal, Handled};
use super::call::Call;

/// The relations of the index and their href templates (templated when they hold `{`).
pub const RELATIONS: &[(&str, &str)] = &[
    ("pb:publish-contracts", "/contracts/publish"),
    ("pb:pacticipants", "/pacticipants"),
    ("pb:pacticipant", "/pacticipants/{pacticipant}"),
    (
        "pb:latest-version",
        "/pacticipants/{pacticipant}/latest-version",
    ),
    (
        "pb:latest-tagged-version",
        "/pacticipants/{pacticipant}/latest-version/{tag}",
    ),
    (
        "pb:pacticipant-version",
        "/pacticipants/{pacticipant}/versions/{version}",
    ),
    (
        "pb:pacticipant-version-tag",
        "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
    ),
    (
        "pb:pacticipant-branch",
        "/pacticipants/{pacticipant}/branches/{branch}",
    ),
    (
        "pb:pacticipant-branch-version",
        "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
    ),
    ("pb:latest-pact-versions", "/pacts/latest"),
    ("pb:provider-pacts", "/pacts/provider/{provider}"),
    (
        "pb:latest-provider-pacts",
        "/pacts/provider/{provider}/latest",
    ),
    (
        "pb:latest-provider-pacts-with-tag",
        "/pacts/provider/{provider}/latest/{tag}",
    ),
    (
        "pb:provider-pacts-for-verification",
        "/pacts/provider/{provider}/for-verification",
    ),
    ("pb:environments", "/environments"),
    ("pb:environment", "/environments/{uuid}"),
    ("pb:webhooks", "/webhooks"),
    ("pb:webhook", "/webhooks/{uuid}"),
    (
        "pb:can-i-deploy-pacticipant-version-to-environment",
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}",
    ),
    ("pb:matrix", "/matrix"),
];

/// `GET /`.
pub fn index(call: &Call) -> Handled {
    let base = &call.links.base;
    let mut links = Map::new();
    links.insert("self".into(), json!({ "href": base, "title": "Index" }));
    for (rel, path) in RELATIONS {
        let mut link = json!({ "href": format!("{base}{path}") });
        if path.contains('{') {
            link["templated"] = Value::Bool(true);
        }
        links.insert((*rel).into(), link);
    }
    links.insert(
        "curies".into(),
        json!([{ "name": "pb", "href": format!("{base}/doc/{{rel}}?context=index"), "templated": true }]),
    );
    Ok(hal(200, &json!({ "_links": links })))
}
