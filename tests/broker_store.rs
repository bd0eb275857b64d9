//! The broker's SQLite store through the library: can-i-deploy decides the same over the
//! store as over the local gate's records (one set of rules), conflicting content is
//! refused, several stores on one file write at once, and a newer schema is refused.

use std::collections::HashMap;

use serde_json::json;
use shakedown::broker::store::{
    Contract, Environment, Placement, Store, StoreError, VerificationInput,
};
use shakedown::gate::{can_i_deploy, Record};

fn pact(consumer: &str, provider: &str, marker: &str) -> String {
    json!({ "consumer": { "name": consumer }, "provider": { "name": provider },
            "interactions": [{ "description": marker, "request": { "method": "GET", "path": "/" }, "response": { "status": 200 } }] })
    .to_string()
}

/// A small deterministic generator (no seed crate needed).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

/// A random history, applied to both the records and the store.
fn history(seed: u64, store: &Store) -> Vec<Record> {
    let mut rng = Lcg(seed);
    let (apps, envs) = (
        ["web", "app", "orders", "payments"],
        ["staging", "production"],
    );
    for (i, e) in envs.iter().enumerate() {
        let env = Environment {
            uuid: format!("00000000-0000-4000-8000-00000000000{i}"),
            name: e.to_string(),
            display_name: None,
            production: i == 1,
            contacts: None,
        };
        store.save_environment(&env).unwrap();
    }
    let mut records = Vec::new();
    let mut published: HashMap<(String, String, String), String> = HashMap::new();
    let mut shas: HashMap<String, String> = HashMap::new();
    for step in 0..60 {
        let at = String::new();
        match rng.below(3) {
            0 => {
                let (consumer, provider) = (apps[rng.below(2)], apps[2 + rng.below(2)]);
                let version = (1 + rng.below(4)).to_string();
                let key = (consumer.to_string(), version.clone(), provider.to_string());
                if published.contains_key(&key) {
                    continue;
                }
                let digest = format!("d{step}");
                let p = store
                    .publish(
                        &Contract::new(consumer, &version, &pact(consumer, provider, &digest))
                            .unwrap(),
                    )
                    .unwrap();
                shas.insert(digest.clone(), p.sha);
                published.insert(key, digest.clone());
                records.push(Record::Contract {
                    consumer: consumer.into(),
                    consumer_version: version,
                    provider: provider.into(),
                    digest,
                    at,
                });
            }
            1 if !published.is_empty() => {
                let mut keys: Vec<_> = published.iter().collect();
                keys.sort();
                let ((consumer, _, provider), digest) = keys[rng.below(keys.len())];
                let (pv, success) = ((1 + rng.below(4)).to_string(), rng.below(3) != 0);
                let input = VerificationInput {
                    provider_version: pv.clone(),
                    success,
                    ..VerificationInput::default()
                };
                store
                    .record_verification(provider, consumer, &shas[digest], &input)
                    .unwrap();
                records.push(Record::Verification {
                    provider: provider.clone(),
                    provider_version: pv,
                    consumer: consumer.clone(),
                    digest: digest.clone(),
                    success,
                    at,
                });
            }
            _ => {
                let (app, version, e) = (
                    apps[rng.below(4)],
                    (1 + rng.below(4)).to_string(),
                    rng.below(2),
                );
                let uuid = format!("d{step:035}");
                let p = Placement {
                    kind: "deployed",
                    pacticipant: app,
                    version: &version,
                    environment_uuid: &format!("00000000-0000-4000-8000-00000000000{e}"),
                    application_instance: None,
                    uuid: &uuid,
                };
                store.record_placement(&p).unwrap();
                records.push(Record::Deployment {
                    pacticipant: app.into(),
                    version,
                    environment: envs[e].into(),
                    at,
                });
            }
        }
    }
    records
}

#[test]
fn should_decide_can_i_deploy_as_the_local_gate_does() {
    for seed in 1..=8 {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let records = history(seed, &store);
        for app in ["web", "app", "orders", "payments"] {
            for version in ["1", "2", "3", "4"] {
                for env in [None, Some("staging"), Some("production")] {
                    let local = can_i_deploy(&records, app, version, env);
                    let served = store.can_i_deploy(app, version, env).unwrap();
                    assert_eq!(served, local, "seed {seed}: {app} {version} to {env:?}");
                }
            }
        }
    }
}

#[test]
fn should_refuse_different_content_for_a_published_version_and_accept_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let first = store
        .publish(&Contract::new("web", "1", &pact("web", "orders", "a")).unwrap())
        .unwrap();
    let again = store
        .publish(&Contract::new("web", "1", &pact("web", "orders", "a")).unwrap())
        .unwrap();
    assert!(first.created && !again.created && first.sha == again.sha);
    let changed = store.publish(&Contract::new("web", "1", &pact("web", "orders", "b")).unwrap());
    assert!(
        matches!(changed, Err(StoreError::Conflict { .. })),
        "{changed:?}"
    );
    let mut merge = Contract::new("web", "1", &pact("web", "orders", "b")).unwrap();
    merge.merge = true;
    let merged = store.publish(&merge).unwrap();
    let (_, content) = store
        .pact(
            "orders",
            "web",
            &shakedown::broker::store::PactRef::Version("1"),
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        content["interactions"].as_array().unwrap().len(),
        2,
        "merged: {}",
        merged.sha
    );
}

#[test]
fn should_keep_every_write_of_several_stores_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap();
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let path = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let store = Store::open(&path).unwrap();
                for i in 0..50 {
                    let consumer = format!("c{t}");
                    store
                        .publish(
                            &Contract::new(
                                &consumer,
                                &i.to_string(),
                                &pact(&consumer, "orders", &i.to_string()),
                            )
                            .unwrap(),
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.provider_publications("orders").unwrap().len(), 200);
}

#[test]
fn should_refuse_a_store_written_by_a_newer_shakedown() {
    let dir = tempfile::tempdir().unwrap();
    let path = Store::open(dir.path()).unwrap().path().to_path_buf();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE schema_version SET version = 99", [])
        .unwrap();
    drop(conn);
    let err = Store::open(dir.path()).unwrap_err();
    assert!(err.to_string().contains("schema version 99"), "{err}");
}
