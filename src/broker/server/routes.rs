//! Routing: the method and the decoded path segments to the handler of each resource.

use super::answer::{error, Handled};
use super::app::Broker;
use super::call::Call;
use super::{
    environments as env, for_verification, index, matrix, pacticipants as p, pacts, test_states,
    verification_results as vr, webhooks as wh,
};

/// Answers `call`.
pub fn route(b: &Broker, call: &Call) -> Handled {
    let segs: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    let m = call.method.as_str();
    match (m, segs.as_slice()) {
        ("GET" | "HEAD", []) => index::index(call),
        ("POST", ["contracts", "publish"]) => pacts::publish_contracts(b, call),
        ("POST", ["_shakedown", "provider-states"]) if b.options.test_states => {
            test_states::apply(b, call)
        }
        (_, ["pacticipants", ..]) => pacticipant_routes(b, call, m, &segs[1..]),
        (_, ["pacts", ..]) => pact_routes(b, call, m, &segs[1..]),
        ("GET", ["matrix"]) => matrix::matrix(b, call),
        ("GET", ["can-i-deploy"]) => matrix::can_i_deploy(b, call),
        (_, ["environments", ..]) => environment_routes(b, call, m, &segs[1..]),
        ("GET", ["deployed-versions" | "released-versions", uuid]) => env::placement(b, call, uuid),
        ("PATCH", ["deployed-versions" | "released-versions", uuid]) => {
            env::end_placement(b, call, uuid)
        }
        (_, ["webhooks", ..]) => webhook_routes(b, call, m, &segs[1..]),
        _ => Err(unknown(call)),
    }
}

fn unknown(call: &Call) -> super::answer::Answer {
    error(
        404,
        &format!("no resource {} /{}", call.method, call.segments.join("/")),
    )
}

fn pacticipant_routes(b: &Broker, call: &Call, m: &str, s: &[&str]) -> Handled {
    match (m, s) {
        ("GET", []) => p::list(b, call),
        ("POST", []) => p::create(b, call),
        ("GET", [name]) => p::show(b, call, name),
        ("PATCH" | "PUT", [name]) => p::update(b, call, name),
        ("GET", [name, "versions"]) => p::versions(b, call, name),
        ("GET", [name, "versions", v]) => p::version(b, call, name, v),
        ("PUT", [name, "versions", v]) => p::put_version(b, call, name, v),
        ("GET", [name, "latest-version"]) => p::latest_version(b, call, name, None),
        ("GET", [name, "latest-version", tag]) => p::latest_version(b, call, name, Some(tag)),
        ("GET" | "PUT", [name, "versions", v, "tags", tag]) => p::tag(b, call, name, v, tag),
        ("GET", [name, "branches", branch]) => p::branch(b, call, name, branch),
        ("DELETE", [name, "branches", branch]) => p::delete_branch(b, name, branch),
        ("PUT" | "GET", [name, "branches", branch, "versions", v]) => {
            p::branch_version(b, call, name, branch, v)
        }
        (
            "POST",
            [name, "versions", v, kind @ ("deployed-versions" | "released-versions"), "environment", uuid],
        ) => env::record(b, call, name, v, kind, uuid),
        _ => Err(unknown(call)),
    }
}

fn pact_routes(b: &Broker, call: &Call, m: &str, s: &[&str]) -> Handled {
    use crate::broker::store::PactRef::*;
    match (m, s) {
        ("GET", ["latest"]) => pacts::latest_pacts(b, call),
        ("GET", ["provider", provider, "for-verification"]) => {
            for_verification::describe(b, call, provider)
        }
        ("POST", ["provider", provider, "for-verification"]) => {
            for_verification::for_verification(b, call, provider)
        }
        ("GET", ["provider", provider]) => pacts::provider_pacts(b, call, provider, None, false),
        ("GET", ["provider", provider, "latest"]) => {
            pacts::provider_pacts(b, call, provider, None, true)
        }
        ("GET", ["provider", provider, "latest", tag]) => {
            pacts::provider_pacts(b, call, provider, Some(tag), true)
        }
        ("PUT", ["provider", provider, "consumer", consumer, "version", v]) => {
            pacts::put_pact(b, call, provider, consumer, v)
        }
        ("GET", ["provider", provider, "consumer", consumer, "version", v]) => {
            pacts::show(b, call, provider, consumer, &Version(v))
        }
        ("GET", ["provider", provider, "consumer", consumer, "latest"]) => {
            pacts::show(b, call, provider, consumer, &Latest)
        }
        ("GET", ["provider", provider, "consumer", consumer, "latest", tag]) => {
            pacts::show(b, call, provider, consumer, &LatestTagged(tag))
        }
        ("GET", ["provider", provider, "consumer", consumer, "branch", branch, "latest"]) => {
            pacts::show(b, call, provider, consumer, &LatestOnBranch(branch))
        }
        ("GET", ["provider", provider, "consumer", consumer, "pact-version", sha]) => {
            pacts::show(b, call, provider, consumer, &Sha(sha))
        }
        ("GET", ["provider", provider, "consumer", consumer, "versions"]) => {
            pacts::versions(b, call, provider, consumer)
        }
        (
            "POST",
            ["provider", provider, "consumer", consumer, "pact-version", sha, "verification-results"],
        ) => vr::publish(b, call, provider, consumer, sha),
        ("GET", ["provider", _, "consumer", _, "pact-version", _, "verification-results", id]) => {
            vr::show(b, call, id)
        }
        _ => Err(unknown(call)),
    }
}

fn environment_routes(b: &Broker, call: &Call, m: &str, s: &[&str]) -> Handled {
    match (m, s) {
        ("GET", []) => env::list(b, call),
        ("POST", []) => env::create(b, call),
        ("GET", [uuid]) => env::show(b, call, uuid),
        ("PUT", [uuid]) => env::replace(b, call, uuid),
        ("DELETE", [uuid]) => env::delete(b, uuid),
        ("GET", [uuid, "deployed-versions", "currently-deployed"]) => {
            env::current(b, call, uuid, "deployed")
        }
        ("GET", [uuid, "released-versions", "currently-supported"]) => {
            env::current(b, call, uuid, "released")
        }
        _ => Err(unknown(call)),
    }
}

fn webhook_routes(b: &Broker, call: &Call, m: &str, s: &[&str]) -> Handled {
    match (m, s) {
        ("GET", []) => wh::list(b, call),
        ("POST", []) => wh::create(b, call, None, None),
        ("POST", ["provider", provider, "consumer", consumer]) => {
            wh::create(b, call, Some(provider), Some(consumer))
        }
        ("POST", ["provider", provider]) => wh::create(b, call, Some(provider), None),
        ("POST", ["consumer", consumer]) => wh::create(b, call, None, Some(consumer)),
        ("GET", [uuid]) => wh::show(b, call, uuid),
        ("PUT", [uuid]) => wh::replace(b, call, uuid),
        ("DELETE", [uuid]) => wh::delete(b, uuid),
        _ => Err(unknown(call)),
    }
}
