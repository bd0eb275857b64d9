//! `shakedown broker` at scale, over HTTP on loopback: can-i-deploy against a store of 100
//! pacticipants × 1,000 versions, each version's pact verified by its provider (99,000
//! publications and 99,000 verification results), answered in ≤ 50 ms; and pacts for
//! verification requests per second under a bounded load (target ≥ 2,000/s).
//!
//! Run with `cargo bench --bench broker`. Knobs: `BENCH_PACTICIPANTS` (default 100),
//! `BENCH_VERSIONS` (default 1,000), `BENCH_ASKS` (can-i-deploy requests, default 200),
//! `BENCH_REQUESTS` (pacts for verification, default 10,000), `BENCH_CONNECTIONS` (default 16).

#[path = "support/measure.rs"]
mod measure;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use shakedown::broker::store::{Contract, Environment, Placement, Store, VerificationInput};

/// The store: pacticipant `app-i` consumes `app-(i+1)`; each of its versions publishes a pact
/// (new content every 10 versions) that the provider's version of the same number verified
/// (every 7th one failed). Versions 999 of the even apps run in `production`.
fn seed(dir: &Path, apps: usize, versions: usize) -> Store {
    let store = Store::open(dir).expect("the store opens");
    for i in 0..apps - 1 {
        let (consumer, provider) = (format!("app-{i}"), format!("app-{}", i + 1));
        let contracts: Vec<Contract> = (0..versions)
            .map(|v| {
                let content = json!({ "consumer": { "name": consumer }, "provider": { "name": provider },
                    "interactions": [{ "description": format!("revision {}", v / 10), "request": { "method": "GET", "path": "/" }, "response": { "status": 200 } }] });
                let mut c = Contract::new(&consumer, &v.to_string(), &content.to_string()).expect("a pact");
                c.branch = Some("main".into());
                c
            })
            .collect();
        let published = store.publish_all(&contracts).expect("published");
        let results: Vec<_> = published
            .iter()
            .enumerate()
            .map(|(v, p)| {
                let input = VerificationInput {
                    provider_version: v.to_string(),
                    success: v % 7 != 3,
                    ..VerificationInput::default()
                };
                (provider.clone(), consumer.clone(), p.sha.clone(), input)
            })
            .collect();
        store.record_verifications(&results).expect("verified");
    }
    let env = Environment {
        uuid: "6c9ea2e0-3c1b-4b0e-9b8e-2f1d4c5a6b7c".into(),
        name: "production".into(),
        display_name: None,
        production: true,
        contacts: None,
    };
    store.save_environment(&env).expect("an environment");
    for i in (0..apps).step_by(2) {
        let (name, version, uuid) = (
            format!("app-{i}"),
            (versions - 1).to_string(),
            format!("00000000-0000-4000-8000-{i:012}"),
        );
        let p = Placement {
            kind: "deployed",
            pacticipant: &name,
            version: &version,
            environment_uuid: &env.uuid,
            application_instance: None,
            uuid: &uuid,
        };
        store.record_placement(&p).expect("deployed");
    }
    store
}

/// `shakedown broker --port 0 --store DIR`, and its URL.
fn start(dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shakedown"))
        .args(["broker", "--port", "0", "--store"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("shakedown broker starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.split_whitespace().last().unwrap().to_string();
    (child, url)
}

fn can_i_deploy(url: &str, asks: usize, apps: usize, versions: usize) {
    let client = reqwest::blocking::Client::new();
    let questions = [
        (
            "against the latest versions",
            format!(
                "{url}/can-i-deploy?pacticipant=app-{}&version={}",
                apps / 2,
                versions - 1
            ),
        ),
        (
            "to production",
            format!(
                "{url}/can-i-deploy?pacticipant=app-{}&version={}&environment=production",
                apps / 2 + 1,
                versions - 1
            ),
        ),
        (
            "an old version",
            format!(
                "{url}/can-i-deploy?pacticipant=app-{}&version={}",
                apps / 3,
                versions / 2
            ),
        ),
    ];
    for (what, q) in &questions {
        let mut samples = Vec::with_capacity(asks);
        let mut answer = serde_json::Value::Null;
        for _ in 0..asks {
            let start = Instant::now();
            answer = client.get(q).send().unwrap().json().unwrap();
            samples.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let p99 = samples[(samples.len() * 99 / 100).min(samples.len() - 1)];
        println!(
            "can-i-deploy {what}: median {:.2} ms, p99 {p99:.2} ms, max {:.2} ms over {asks} requests (deployable: {}, {} rows)",
            measure::median(&samples),
            samples[samples.len() - 1],
            answer["summary"]["deployable"],
            answer["matrix"].as_array().map_or(0, Vec::len)
        );
    }
}

fn pacts_for_verification(url: &str, total: usize, connections: usize) {
    let done = Arc::new(AtomicUsize::new(0));
    let target = format!("{url}/pacts/provider/app-50/for-verification");
    let body = json!({ "consumerVersionSelectors": [{ "mainBranch": true }, { "branch": "main" }, { "deployed": true }], "includePendingStatus": true, "providerVersionBranch": "main" });
    let start = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (done, target, body) = (done.clone(), target.clone(), body.clone());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                while done.fetch_add(1, Ordering::Relaxed) < total
                    && start.elapsed() < Duration::from_secs(120)
                {
                    let resp = client.post(&target).json(&body).send().unwrap();
                    assert_eq!(resp.status(), 200);
                    let _ = resp.bytes().unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let served = done.load(Ordering::Relaxed).min(total);
    println!("pacts for verification: {served} requests over {connections} connections in {elapsed:.2} s: {:.0} requests/s", served as f64 / elapsed);
}

fn main() {
    let apps = measure::env_count("BENCH_PACTICIPANTS", 100);
    let versions = measure::env_count("BENCH_VERSIONS", 1000);
    let dir = tempfile::tempdir().unwrap();
    let seeding = Instant::now();
    drop(seed(dir.path(), apps, versions));
    println!("seeded {apps} pacticipants × {versions} versions ({} pacts and verification results) in {:.1} s", (apps - 1) * versions, seeding.elapsed().as_secs_f64());
    let (mut child, url) = start(dir.path());
    can_i_deploy(&url, measure::env_count("BENCH_ASKS", 200), apps, versions);
    pacts_for_verification(
        &url,
        measure::env_count("BENCH_REQUESTS", 10_000),
        measure::env_count("BENCH_CONNECTIONS", 16),
    );
    let _ = child.kill();
    let _ = child.wait();
}
