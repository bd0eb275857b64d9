//! Verification results, published to a pact's `pb:publish-verification-results` link.

use serde_json::{json, Value};

use super::answer::{field_error, hal, not_found, Handled, OrAnswer};
use super::app::Broker;
use super::call::{text, Call};
use super::links::Links;
use crate::broker::store::{Verification, VerificationInput};

/// The URL of a verification result.
pub fn href(links: &Links, v: &Verification) -> String {
    format!(
        "{}/verification-results/{}",
        links.pact_version(&v.provider, &v.consumer, &v.sha),
        v.id
    )
}

/// A verification result as the broker shows it.
pub fn verification_json(links: &Links, v: &Verification) -> Value {
    json!({
        "providerName": v.provider,
        "providerApplicationVersion": v.provider_version,
        "success": v.success,
        "buildUrl": v.build_url,
        "verifiedAt": v.verified_at,
        "testResults": v.test_results,
        "_links": {
            "self": { "href": href(links, v), "title": "Verification result" },
            "pb:pact-version": { "href": links.pact_version(&v.provider, &v.consumer, &v.sha) },
            "pb:provider-version": { "href": links.version(&v.provider, &v.provider_version), "name": v.provider_version },
        },
    })
}

/// `POST …/pact-version/{sha}/verification-results`.
pub fn publish(b: &Broker, call: &Call, provider: &str, consumer: &str, sha: &str) -> Handled {
    let body = call.json()?;
    let success = body
        .get("success")
        .and_then(Value::as_bool)
        .ok_or_else(|| field_error(400, "success", "missing (true or false)"))?;
    let version = text(&body, "providerApplicationVersion")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            field_error(
                400,
                "providerApplicationVersion",
                "missing (the provider version that verified)",
            )
        })?;
    let input = VerificationInput {
        provider_version: version.to_string(),
        success,
        build_url: text(&body, "buildUrl").map(str::to_string),
        test_results: body.get("testResults").cloned(),
    };
    let v = b
        .store
        .record_verification(provider, consumer, sha, &input)
        .or_answer()?;
    Ok(hal(201, &verification_json(&call.links, &v)))
}

/// `GET …/verification-results/{id}`.
pub fn show(b: &Broker, call: &Call, id: &str) -> Handled {
    let id: i64 = id
        .parse()
        .map_err(|_| not_found(&format!("verification result {id:?}")))?;
    match b.store.verification(id).or_answer()? {
        Some(v) => Ok(hal(200, &verification_json(&call.links, &v))),
        None => Err(not_found(&format!("verification result {id}"))),
    }
}
