//! The gate commands against a Pact Broker (`--broker-url`): `publish`, `can-i-deploy`,
//! `record-deployment`, `record-release` and `record-undeployment` through its HAL API.
//! The broker decides; these print what it answers. Broker errors are usage errors (2).

use std::time::Duration;

use crate::broker::client::{
    block_on, Auth, Broker, BrokerError, ContractFile, Matrix, Publication,
};
use crate::cli::args::{
    BrokerArgs, CanIDeployArgs, DeploymentArgs, PublishArgs, ReleaseArgs, UndeploymentArgs,
};
use crate::cli::out::{json, outln};
use crate::cli::outcome::Outcome;
use crate::contract::Pact;

/// The broker the flags name, or `None` without `--broker-url`.
pub(super) fn connect(args: &BrokerArgs) -> Result<Option<Broker>, BrokerError> {
    let Some(url) = args.broker_url.as_deref().filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let auth = Auth::from_parts(
        args.broker_token.as_deref().filter(|t| !t.is_empty()),
        args.broker_username.as_deref().filter(|u| !u.is_empty()),
        args.broker_password.as_deref(),
    );
    Broker::new(url, auth).map(Some)
}

/// Runs `op` against the broker, printing its error as `shakedown COMMAND: …` (exit 2).
fn run<T>(
    command: &str,
    op: impl std::future::Future<Output = Result<T, BrokerError>>,
) -> Result<T, Outcome> {
    match block_on(op).and_then(|r| r) {
        Ok(v) => Ok(v),
        Err(e) => {
            eprintln!("shakedown {command}: {e}");
            Err(Outcome::UsageError)
        }
    }
}

fn usage(command: &str, e: impl std::fmt::Display) -> Outcome {
    eprintln!("shakedown {command}: {e}");
    Outcome::UsageError
}

/// The broker of a command that has no local form.
fn required(command: &str, args: &BrokerArgs) -> Result<Broker, Outcome> {
    match connect(args) {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(usage(
            command,
            "needs --broker-url (or PACT_BROKER_BASE_URL): the local results store records deployments only (record-deployment)",
        )),
        Err(e) => Err(usage(command, e)),
    }
}

/// `shakedown publish --broker-url …`: one publication per consumer among the files (in
/// the order first named), each with the version, branch, tags and build URL.
pub fn publish(broker: &Broker, args: &PublishArgs) -> Outcome {
    let contracts = match read_contracts(&args.files) {
        Ok(c) => c,
        Err(o) => return o,
    };
    let mut consumers: Vec<String> = Vec::new();
    for c in &contracts {
        if !consumers.contains(&c.consumer) {
            consumers.push(c.consumer.clone());
        }
    }
    let mut answers = Vec::new();
    for consumer in consumers {
        let publication = Publication {
            pacticipant: consumer.clone(),
            version: args.version.clone(),
            branch: args.branch.clone(),
            tags: args.tags.clone(),
            build_url: args.build_url.clone(),
            contracts: contracts
                .iter()
                .filter(|c| c.consumer == consumer)
                .cloned()
                .collect(),
            on_conflict: None,
        };
        let published = match run("publish", broker.publish_contracts(&publication)) {
            Ok(p) => p,
            Err(o) => return o,
        };
        if !args.format.json() {
            for c in &publication.contracts {
                let (who, v, to) = (&c.consumer, &args.version, &c.provider);
                outln!("{who} {v} → {to}: published to {}", broker.base_url());
            }
            for n in &published.notices {
                outln!("  {}", n.text);
            }
        }
        answers.push(published);
    }
    if args.format.json() {
        json(&answers);
    }
    Outcome::Ok
}

/// The contract files, as bytes, with the names they hold.
fn read_contracts(files: &[std::path::PathBuf]) -> Result<Vec<ContractFile>, Outcome> {
    let mut contracts = Vec::new();
    for file in files {
        let content = std::fs::read(file)
            .map_err(|e| usage("publish", format!("{}: {e}", file.display())))?;
        let pact = std::str::from_utf8(&content)
            .map_err(|e| format!("{}: {e}", file.display()))
            .and_then(|t| Pact::parse_named(t, file).map_err(|e| e.to_string()))
            .map_err(|e| usage("publish", e))?;
        contracts.push(ContractFile {
            consumer: pact.consumer,
            provider: pact.provider,
            content,
        });
    }
    Ok(contracts)
}

/// `shakedown can-i-deploy --broker-url …`: asks, again while results are unknown.
pub fn can_i_deploy(broker: &Broker, args: &CanIDeployArgs) -> Outcome {
    let mut attempts_left = args.retry_while_unknown;
    let matrix = loop {
        let op = broker.can_i_deploy(&args.pacticipant, &args.version, args.to.as_deref());
        let matrix = match run("can-i-deploy", op) {
            Ok(m) => m,
            Err(o) => return o,
        };
        let unknown = matrix.unknown.unwrap_or(0) > 0 || matrix.deployable.is_none();
        if !unknown || attempts_left == 0 {
            break matrix;
        }
        attempts_left -= 1;
        eprintln!(
            "can-i-deploy: the broker lacks verification results; asking again in {} s ({attempts_left} more time(s))",
            args.retry_interval
        );
        std::thread::sleep(Duration::from_secs(args.retry_interval));
    };
    if args.format.json() {
        json(&matrix);
    } else {
        render(&matrix, args);
    }
    if matrix.deployable == Some(true) {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    }
}

/// The broker's answer in words, as the local can-i-deploy prints its decision.
fn render(m: &Matrix, args: &CanIDeployArgs) {
    let target = args
        .to
        .as_deref()
        .map(|e| format!(" to {e}"))
        .unwrap_or_default();
    let verdict = match m.deployable {
        Some(true) => "yes: safe to deploy",
        Some(false) => "no: not safe to deploy",
        None => "no: the broker cannot tell yet",
    };
    outln!("{} {}{target}: {verdict}", args.pacticipant, args.version);
    if let Some(r) = &m.reason {
        outln!("  {r}");
    }
    for r in &m.rows {
        let mark = match (r.success, r.ignored) {
            (_, true) => "-",
            (Some(true), _) => "✓",
            (Some(false), _) => "✗",
            (None, _) => "?",
        };
        let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        let result = match r.success {
            Some(true) => "verified",
            Some(false) => "failed",
            None => "not verified",
        };
        let ignored = if r.ignored { " (ignored)" } else { "" };
        outln!(
            "  {mark} {} {} → {} {}: {result}{ignored}",
            r.consumer,
            v(&r.consumer_version),
            r.provider,
            v(&r.provider_version)
        );
    }
    for n in &m.notices {
        outln!(
            "  {}: {}",
            if n.level.is_empty() {
                "notice"
            } else {
                &n.level
            },
            n.text
        );
    }
}

/// `shakedown record-deployment --broker-url …`.
pub fn record_deployment(broker: &Broker, args: &DeploymentArgs) -> Outcome {
    let op = broker.record_deployment(
        &args.pacticipant,
        &args.version,
        &args.environment,
        args.application_instance.as_deref(),
    );
    let what = Recorded {
        command: "record-deployment",
        done: "deployed to",
        pacticipant: &args.pacticipant,
        version: &args.version,
        environment: &args.environment,
    };
    recorded(&what, op, &args.format)
}

/// `shakedown record-release` (broker only).
pub fn record_release(args: &ReleaseArgs) -> Outcome {
    let broker = match required("record-release", &args.broker) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let op = broker.record_release(&args.pacticipant, &args.version, &args.environment);
    let what = Recorded {
        command: "record-release",
        done: "released to",
        pacticipant: &args.pacticipant,
        version: &args.version,
        environment: &args.environment,
    };
    recorded(&what, op, &args.format)
}

/// `shakedown record-undeployment` (broker only).
pub fn record_undeployment(args: &UndeploymentArgs) -> Outcome {
    let broker = match required("record-undeployment", &args.broker) {
        Ok(b) => b,
        Err(o) => return o,
    };
    let op = broker.record_undeployment(
        &args.pacticipant,
        args.version.as_deref(),
        &args.environment,
        args.application_instance.as_deref(),
    );
    let undone = match run("record-undeployment", op) {
        Ok(u) => u,
        Err(o) => return o,
    };
    if args.format.json() {
        json(&undone);
    } else {
        for d in &undone {
            let version = d
                .version
                .as_deref()
                .unwrap_or("(version not given by the broker)");
            outln!(
                "recorded: {} {version} no longer deployed to {}",
                args.pacticipant,
                args.environment
            );
        }
    }
    Outcome::Ok
}

/// What a record command recorded.
struct Recorded<'a> {
    command: &'a str,
    done: &'a str,
    pacticipant: &'a str,
    version: &'a str,
    environment: &'a str,
}

fn recorded(
    what: &Recorded<'_>,
    op: impl std::future::Future<Output = Result<serde_json::Value, BrokerError>>,
    format: &crate::cli::args::FormatArgs,
) -> Outcome {
    let answer = match run(what.command, op) {
        Ok(a) => a,
        Err(o) => return o,
    };
    if format.json() {
        json(&serde_json::json!({
            "pacticipant": what.pacticipant,
            "version": what.version,
            "environment": what.environment,
            "broker": answer,
        }));
    } else {
        outln!(
            "recorded: {} {} {} {}",
            what.pacticipant,
            what.version,
            what.done,
            what.environment
        );
    }
    Outcome::Ok
}
