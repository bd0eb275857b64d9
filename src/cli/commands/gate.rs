//! The gate commands: `publish`, `can-i-deploy`, `record-deployment` and `diff`, on the
//! local results store, or on a Pact Broker with `--broker-url` (`broker_gate.rs`).

use std::path::Path;

use crate::broker::client::Broker;
use crate::cli::args::{BrokerArgs, CanIDeployArgs, DeploymentArgs, DiffArgs, PublishArgs};
use crate::cli::out::{json, out, outln};
use crate::cli::outcome::Outcome;
use crate::contract::Pact;
use crate::gate::{can_i_deploy, diff, Record, ResultsStore, StoreError};

fn usage(command: &str, e: impl std::fmt::Display) -> Outcome {
    eprintln!("shakedown {command}: {e}");
    Outcome::UsageError
}

/// A results-store error with the flag that points elsewhere, when there is no store.
pub(super) fn store_error(e: StoreError) -> String {
    match e {
        StoreError::Missing(_) => format!("{e} (or pass --results-dir)"),
        _ => e.to_string(),
    }
}

/// The results store in `dir`, for writing. When `dir` is in a `.shakedown` folder that does
/// not exist yet (the default, `.shakedown/results`), that folder is created with a
/// `.gitignore` of `*`, as cargo does for `target/`: local results stay out of Git.
pub(super) fn store(dir: &Path) -> ResultsStore {
    if let Some(parent) = dir
        .parent()
        .filter(|p| p.file_name() == Some(".shakedown".as_ref()))
    {
        if !parent.exists() && std::fs::create_dir_all(parent).is_ok() {
            let ignore = "# Created by shakedown: the local results store stays out of Git.\n*\n";
            let _ = std::fs::write(parent.join(".gitignore"), ignore);
        }
    }
    ResultsStore::new(dir)
}

/// The broker the command's flags name: `Ok(None)` for the local store, `Err` (printed)
/// for a bad URL.
fn broker(command: &str, args: &BrokerArgs) -> Result<Option<Broker>, Outcome> {
    super::broker_gate::connect(args).map_err(|e| usage(command, e))
}

/// `shakedown publish`.
pub fn publish(args: &PublishArgs) -> Outcome {
    match broker("publish", &args.broker) {
        Ok(Some(b)) => return super::broker_gate::publish(&b, args),
        Ok(None) => {}
        Err(o) => return o,
    }
    if args.branch.is_some() || !args.tags.is_empty() || args.build_url.is_some() {
        return usage(
            "publish",
            "--branch, --tag and --build-url need --broker-url: the local results store does not keep them",
        );
    }
    let mut records = Vec::new();
    for file in &args.files {
        let pact = match Pact::from_file(file) {
            Ok(p) => p,
            Err(e) => return usage("publish", e),
        };
        if !args.format.json() {
            outln!(
                "{} {} → {}: contract {}",
                pact.consumer,
                args.version,
                pact.provider,
                &pact.digest()[..12]
            );
        }
        records.push(Record::contract(&pact, &args.version));
    }
    match store(&args.store.results_dir).append(&records) {
        Ok(()) if args.format.json() => {
            json(&records);
            Outcome::Ok
        }
        Ok(()) => Outcome::Ok,
        Err(e) => usage("publish", e),
    }
}

/// `shakedown can-i-deploy`.
pub fn can_i_deploy_cmd(args: &CanIDeployArgs) -> Outcome {
    match broker("can-i-deploy", &args.broker) {
        Ok(Some(b)) => return super::broker_gate::can_i_deploy(&b, args),
        Ok(None) => {}
        Err(o) => return o,
    }
    let records = match ResultsStore::new(&args.store.results_dir).read() {
        Ok(r) => r,
        Err(e) => return usage("can-i-deploy", store_error(e)),
    };
    let decision = can_i_deploy(
        &records,
        &args.pacticipant,
        &args.version,
        args.to.as_deref(),
    );
    if args.format.json() {
        json(&decision);
    } else {
        out!("{decision}");
    }
    if decision.ok {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    }
}

/// `shakedown record-deployment`.
pub fn record_deployment(args: &DeploymentArgs) -> Outcome {
    match broker("record-deployment", &args.broker) {
        Ok(Some(b)) => return super::broker_gate::record_deployment(&b, args),
        Ok(None) => {}
        Err(o) => return o,
    }
    if args.application_instance.is_some() {
        return usage(
            "record-deployment",
            "--application-instance needs --broker-url: the local results store does not keep it",
        );
    }
    let record = Record::deployment(&args.pacticipant, &args.version, &args.environment);
    match store(&args.store.results_dir).append(std::slice::from_ref(&record)) {
        Ok(()) if args.format.json() => {
            json(&record);
            Outcome::Ok
        }
        Ok(()) => {
            outln!(
                "recorded: {} {} runs in {}",
                args.pacticipant,
                args.version,
                args.environment
            );
            Outcome::Ok
        }
        Err(e) => usage("record-deployment", e),
    }
}

/// `shakedown diff`.
pub fn diff_cmd(args: &DiffArgs) -> Outcome {
    let (old, new) = match (Pact::from_file(&args.old), Pact::from_file(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return usage("diff", e),
    };
    let changes = diff(&old, &new);
    if args.json || args.format.json() {
        json(&changes);
    } else {
        for c in &changes {
            outln!("{c}");
        }
        let breaking = changes.iter().filter(|c| c.breaking).count();
        outln!("{} change(s), {breaking} breaking", changes.len());
    }
    if changes.iter().any(|c| c.breaking) {
        Outcome::CheckFailed
    } else {
        Outcome::Ok
    }
}
