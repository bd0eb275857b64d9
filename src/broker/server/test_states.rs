//! The test mode's provider states (`POST /_shakedown/provider-states`, only with
//! `--test-states`): each state of the Pact Broker's own contract (`Pact Broker Client
//! V2-Pact Broker.json`) set up on an emptied store, with the names and identifiers the
//! states give, so `shakedown verify` can check this broker against that contract, and the
//! state of shakedown's own contract of pacts for verification and verification results
//! (`tests/data/broker/shakedown-Pact Broker.json`), whose setup answers the pact's
//! `pactVersion` for the requests that name it.

use serde_json::{json, Value};

use super::answer::{error, hal, Handled, OrAnswer};
use super::app::Broker;
use super::call::{text, Call};
use crate::broker::store::{
    Contract, Environment, PactRef, PacticipantFields, Placement, Store, StoreError,
    VerificationInput, Webhook,
};

type Seed = fn(&Store) -> Result<(), StoreError>;

const FOO_VERSION: &str = "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30";
const TEST_ENV: &str = "cb632df3-0a0d-4227-aac3-60114dd36479";
const OTHER_TEST_ENV: &str = "16926ef3-590f-4e3f-838e-719717aa88c9";
const PRICING: &str = "Pricing Service";

fn publish(
    s: &Store,
    consumer: &str,
    version: &str,
    provider: &str,
    tags: &[&str],
) -> Result<(), StoreError> {
    let content = json!({
        "consumer": { "name": consumer }, "provider": { "name": provider }, "interactions": [],
        "metadata": { "pactSpecification": { "version": "2.0.0" }, "shakedown": { "state": format!("{consumer} {version}") } },
    });
    let mut c = Contract::new(consumer, version, &content.to_string())?;
    c.tags = tags.iter().map(|t| t.to_string()).collect();
    s.publish(&c).map(|_| ())
}

fn verify(
    s: &Store,
    provider: &str,
    pv: &str,
    consumer: &str,
    cv: &str,
    success: bool,
    tags: &[&str],
) -> Result<(), StoreError> {
    let (p, _) = s
        .pact(provider, consumer, &PactRef::Version(cv))?
        .ok_or_else(|| StoreError::NotFound(format!("{consumer} {cv}")))?;
    let input = VerificationInput {
        provider_version: pv.into(),
        success,
        ..VerificationInput::default()
    };
    s.record_verification(provider, consumer, &p.sha, &input)?;
    for t in tags {
        s.tag(provider, pv, t)?;
    }
    Ok(())
}

fn environment(s: &Store, uuid: &str, name: &str, display: &str) -> Result<(), StoreError> {
    let contacts = json!([{ "name": "Foo team", "details": { "emailAddress": "foo@bar.com" } }]);
    s.save_environment(&Environment {
        uuid: uuid.into(),
        name: name.into(),
        display_name: Some(display.into()),
        production: name == "prod",
        contacts: Some(contacts),
    })
    .map(|_| ())
}

fn pacticipant(s: &Store, name: &str) -> Result<(), StoreError> {
    s.save_pacticipant(name, &PacticipantFields::default())
        .map(|_| ())
}

fn version(s: &Store, name: &str, number: &str) -> Result<(), StoreError> {
    s.save_version(name, number, None, None).map(|_| ())
}

fn nothing(_: &Store) -> Result<(), StoreError> {
    Ok(())
}

fn foo_with_test_env(s: &Store) -> Result<(), StoreError> {
    version(s, "Foo", FOO_VERSION)?;
    environment(s, TEST_ENV, "test", "Test")
}

fn foo_verified_by_bar(s: &Store) -> Result<(), StoreError> {
    publish(s, "Foo", "1.2.3", "Bar", &[])?;
    verify(s, "Bar", "4.5.6", "Foo", "1.2.3", true, &[])
}

fn foo_verified_then_failed(s: &Store, tag: &[&str]) -> Result<(), StoreError> {
    publish(s, "Foo", "1.2.3", "Bar", &[])?;
    verify(s, "Bar", "4.5.6", "Foo", "1.2.3", true, tag)?;
    publish(s, "Foo", "1.2.4", "Bar", &[])?;
    verify(s, "Bar", "9.9.9", "Foo", "1.2.4", false, &[])
}

fn condor_pact(s: &Store) -> Result<(), StoreError> {
    publish(s, "Condor", "1.3.0", PRICING, &[])
}

fn condor_prod_pact(s: &Store) -> Result<(), StoreError> {
    publish(s, "Condor", "1.3.0", PRICING, &["prod"])
}

fn both_exist(s: &Store) -> Result<(), StoreError> {
    pacticipant(s, PRICING)?;
    pacticipant(s, "Condor")
}

/// The state of shakedown's own broker contract: Foo 1.0.0, from its main branch, has a pact
/// with Bar (one interaction) that Bar has never verified.
const FOO_MAIN_PACT: &str = "Foo version 1.0.0 on branch main has a pact with Bar";

fn foo_main_pact(s: &Store) -> Result<(), StoreError> {
    let content = json!({
        "consumer": { "name": "Foo" }, "provider": { "name": "Bar" },
        "interactions": [{ "description": "a request for things", "request": { "method": "GET", "path": "/things" }, "response": { "status": 200 } }],
        "metadata": { "pactSpecification": { "version": "2.0.0" } },
    });
    let mut c = Contract::new("Foo", "1.0.0", &content.to_string())?;
    c.branch = Some("main".into());
    s.publish(&c).map(|_| ())
}

/// What a state's setup answers: the values its requests take from the provider state.
fn values(store: &Store, name: &str) -> Result<Value, StoreError> {
    if name != FOO_MAIN_PACT {
        return Ok(json!({}));
    }
    let (pact, _) = store
        .pact("Bar", "Foo", &PactRef::Version("1.0.0"))?
        .ok_or_else(|| StoreError::NotFound("Foo 1.0.0".into()))?;
    Ok(json!({ "pactVersion": pact.sha }))
}

/// Every provider state of the Pact Broker contract, by its exact name.
pub const STATES: &[(&str, Seed)] = &[
    ("'Condor' does not exist in the pact-broker", nothing),
    ("'Condor' exists in the pact-broker", |s| version(s, "Condor", "1.3.0")),
    ("'Condor' exists in the pact-broker with the latest tagged 'production' version 1.2.3", |s| {
        s.tag("Condor", "1.2.3", "production")?;
        version(s, "Condor", "1.2.4")
    }),
    ("'Condor' exists in the pact-broker with the latest version 1.2.3", |s| version(s, "Condor", "1.2.3")),
    ("'Condor' exists in the pact-broker with version 1.3.0, tagged with 'prod'", |s| s.tag("Condor", "1.3.0", "prod").map(|_| ())),
    (FOO_MAIN_PACT, foo_main_pact),
    ("a branch named main exists for pacticipant Foo", |s| s.add_to_branch("Foo", "main", "1").map(|_| ())),
    ("a currently deployed version exists", |s| {
        environment(s, TEST_ENV, "test", "Test")?;
        let p = Placement { kind: "deployed", pacticipant: "Foo", version: "2", environment_uuid: TEST_ENV, application_instance: None, uuid: "ff3adecf-cfc5-4653-a4e3-f1861092f8e0" };
        s.record_placement(&p).map(|_| ())
    }),
    ("a latest pact between Condor and the Pricing Service exists", condor_pact),
    ("a pact between Condor and the Pricing Service exists", condor_pact),
    ("a pact between Condor and the Pricing Service exists for the production version of Condor", condor_prod_pact),
    ("a pacticipant with name Foo exists", |s| pacticipant(s, "Foo")),
    ("a webhook with the uuid 696c5f93-1b7f-44bc-8d03-59440fcaa9a0 exists", |s| {
        both_exist(s)?;
        let body = json!({ "description": "a webhook", "events": [{ "name": "contract_content_changed" }], "request": { "method": "POST", "url": "https://webhook" } });
        s.save_webhook(&Webhook { uuid: "696c5f93-1b7f-44bc-8d03-59440fcaa9a0".into(), consumer: None, provider: None, body }).map(|_| ())
    }),
    ("an environment exists", |s| environment(s, "78e85fb2-9df1-48da-817e-c9bea6294e01", "test", "Test")),
    ("an environment with name test and UUID 16926ef3-590f-4e3f-838e-719717aa88c9 exists", |s| environment(s, OTHER_TEST_ENV, "test", "Test")),
    ("an environment with name test exists", |s| environment(s, TEST_ENV, "test", "Test")),
    ("an version is deployed to environment with UUID 16926ef3-590f-4e3f-838e-719717aa88c9 with target customer-1", |s| {
        environment(s, OTHER_TEST_ENV, "test", "Test")?;
        let p = Placement { kind: "deployed", pacticipant: "Foo", version: "1", environment_uuid: OTHER_TEST_ENV, application_instance: Some("customer-1"), uuid: "ff3adecf-cfc5-4653-a4e3-f1861092f8e0" };
        s.record_placement(&p).map(|_| ())
    }),
    ("no pact between Condor and the Pricing Service exists", nothing),
    ("provider Bar version 4.5.6 has a successful verification for Foo version 1.2.3 tagged prod and a failed verification for version 3.4.5 tagged prod", |s| {
        publish(s, "Foo", "1.2.3", "Bar", &["prod"])?;
        verify(s, "Bar", "4.5.6", "Foo", "1.2.3", true, &[])?;
        publish(s, "Foo", "3.4.5", "Bar", &["prod"])?;
        verify(s, "Bar", "4.5.6", "Foo", "3.4.5", false, &[])
    }),
    ("tagged as prod pact between Condor and the Pricing Service exists", condor_prod_pact),
    ("the 'Pricing Service' already exists in the pact-broker", |s| {
        let repo = PacticipantFields { repository_url: Some("git@git.realestate.com.au:business-systems/pricing-service".into()), ..PacticipantFields::default() };
        s.save_pacticipant(PRICING, &repo)?;
        version(s, PRICING, "1.3.0")
    }),
    ("the 'Pricing Service' and 'Condor' already exist in the pact-broker", both_exist),
    ("the 'Pricing Service' and 'Condor' already exist in the pact-broker, and Condor already has a pact published for version 1.3.0", condor_pact),
    ("the 'Pricing Service' does not exist in the pact-broker", nothing),
    ("the pact for Foo Thing version 1.2.3 has been verified by Bar version 4.5.6", |s| {
        publish(s, "Foo Thing", "1.2.3", "Bar", &[])?;
        verify(s, "Bar", "4.5.6", "Foo Thing", "1.2.3", true, &[])
    }),
    ("the pact for Foo version 1.2.3 and 1.2.4 has been verified by Bar version 4.5.6", |s| {
        foo_verified_by_bar(s)?;
        publish(s, "Foo", "1.2.4", "Bar", &[])?;
        verify(s, "Bar", "4.5.6", "Foo", "1.2.4", true, &[])
    }),
    ("the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 (tagged prod) and version 5.6.7", |s| {
        publish(s, "Foo", "1.2.3", "Bar", &[])?;
        verify(s, "Bar", "4.5.6", "Foo", "1.2.3", true, &["prod"])?;
        verify(s, "Bar", "5.6.7", "Foo", "1.2.3", true, &[])
    }),
    ("the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 with tag prod, and 1.2.4 unsuccessfully by 9.9.9", |s| {
        foo_verified_then_failed(s, &["prod"])
    }),
    ("the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6, and 1.2.4 unsuccessfully by 9.9.9", |s| foo_verified_then_failed(s, &[])),
    ("the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6", foo_verified_by_bar),
    ("the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version 5.6.7", |s| {
        foo_verified_by_bar(s)?;
        verify(s, "Bar", "5.6.7", "Foo", "1.2.3", true, &[])
    }),
    ("the pacticipant relations are present", nothing),
    ("the pb:environments relation exists in the index resource", nothing),
    ("the pb:latest-tagged-version relation exists in the index resource", nothing),
    ("the pb:latest-version relation exists in the index resource", nothing),
    ("the pb:pacticipant-branch relation exists in the index resource", nothing),
    ("the pb:pacticipant-version and pb:environments relations exist in the index resource", nothing),
    ("the pb:publish-contracts relations exists in the index resource", nothing),
    ("version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with 2 environments that aren't test available for deployment", |s| {
        version(s, "Foo", FOO_VERSION)?;
        environment(s, "e0d2ab3a-5d1b-4cd1-a7fb-d4d1e0c4b0a1", "prod", "Production")?;
        environment(s, "7c1d4a0e-2f5b-4a8e-9d3c-6b8f0e1a2c3d", "dev", "Development")
    }),
    ("version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for deployment", foo_with_test_env),
    ("version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for release", foo_with_test_env),
];

/// `POST /_shakedown/provider-states`: `{"state", "params", "action"}`. Both setup and
/// teardown empty the store; setup then seeds the state.
pub fn apply(b: &Broker, call: &Call) -> Handled {
    let body: Value = call.json()?;
    let name = text(&body, "state").unwrap_or_default();
    b.store.wipe().or_answer()?;
    if text(&body, "action") == Some("teardown") {
        return Ok(hal(200, &json!({})));
    }
    let Some((_, seed)) = STATES.iter().find(|(n, _)| *n == name) else {
        return Err(error(400, &format!("unknown provider state {name:?}: the test mode knows the {} states of the Pact Broker contract and shakedown's own", STATES.len())));
    };
    seed(&b.store).or_answer()?;
    Ok(hal(200, &values(&b.store, name).or_answer()?))
}
