//! `shakedown verify`: the provider against its consumers' contracts, with reports and the
//! results store (or, with `--broker-url`, the pacts a Pact Broker selects: `verify_broker.rs`).

use std::time::Duration;

use anyhow::{anyhow, Context as _};

use super::gate::{store, store_error};
use crate::cli::args::VerifyArgs;
use crate::cli::out::{json, out, outln};
use crate::cli::outcome::Outcome;
use crate::cli::style::stdout_color;
use crate::gate::ResultsStore;
use crate::verifier::{self, InteractionError, VerificationReport, Verifier, VerifyError};

/// Runs the command.
pub fn run(args: &VerifyArgs) -> Outcome {
    match verify(args) {
        Ok(report) => {
            if report.success() {
                Outcome::Ok
            } else {
                Outcome::CheckFailed
            }
        }
        Err(e) => {
            eprintln!("shakedown verify: {e:#}");
            Outcome::UsageError
        }
    }
}

/// The verifier the flags configure, without contracts.
pub(super) fn base_verifier(args: &VerifyArgs) -> Verifier {
    let mut v = Verifier::new(&args.provider, &args.base_url)
        .concurrency(args.concurrency)
        .strict(args.strict)
        // Only the JSON report and the results store show digests.
        .digests(args.json.is_some() || args.format.json() || args.record)
        .timeout(Duration::from_secs(args.timeout));
    if let Some(u) = &args.state_url {
        v = v.state_url(u);
    }
    if args.ignore_states {
        v = v.ignore_states();
    }
    if let Some(u) = &args.messages_url {
        v = v.messages_url(u);
    }
    if let Some(c) = &args.filter_consumer {
        v = v.filter_consumer(c);
    }
    if let Some(d) = &args.filter_description {
        v = v.filter_description(d);
    }
    if let Some(s) = &args.filter_state {
        v = v.filter_state(s);
    }
    v
}

/// The verifier of the local mode: contract files, pending from the results store.
fn verifier(args: &VerifyArgs) -> anyhow::Result<Verifier> {
    let mut v = base_verifier(args);
    for c in &args.contracts {
        v = v.contracts(c);
    }
    if args.pending_new {
        let verified = ResultsStore::new(&args.store.results_dir)
            .verified_digests(&args.provider)
            .map_err(|e| anyhow!(store_error(e)))?;
        v = v.verified_before(verified);
    }
    Ok(v)
}

fn verify(args: &VerifyArgs) -> anyhow::Result<VerificationReport> {
    if let Some(broker) = super::broker_gate::connect(&args.broker)? {
        return super::verify_broker::verify(&broker, args);
    }
    let broker_only = [
        (!args.selectors.is_empty(), "--selector"),
        (
            args.consumer_version_selectors.is_some(),
            "--consumer-version-selectors",
        ),
        (args.provider_branch.is_some(), "--provider-branch"),
        (args.enable_pending, "--enable-pending"),
        (
            args.include_wip_pacts_since.is_some(),
            "--include-wip-pacts-since",
        ),
        (args.publish, "--publish"),
        (args.build_url.is_some(), "--build-url"),
    ];
    if let Some((_, flag)) = broker_only.iter().find(|(given, _)| *given) {
        anyhow::bail!("{flag} needs --broker-url (or PACT_BROKER_BASE_URL); to record results locally, use --record");
    }
    let filtered = args.filter_consumer.is_some()
        || args.filter_description.is_some()
        || args.filter_state.is_some();
    if args.record && (args.filter_description.is_some() || args.filter_state.is_some()) {
        anyhow::bail!("--record verifies whole contracts: it cannot be combined with --filter-description or --filter-state");
    }
    let report = verifier(args)?.run().map_err(explain)?;
    let verified: usize = report.contracts.iter().map(|c| c.interactions.len()).sum();
    if verified == 0 {
        anyhow::bail!(
            "no interaction was verified{}",
            if filtered {
                " (the filters matched none)"
            } else {
                ""
            }
        );
    }
    show(args, &report)?;
    if let (true, Some(version)) = (args.record, &args.provider_version) {
        store(&args.store.results_dir).record_verification(&report, version)?;
    }
    Ok(report)
}

/// Prints the report (text or JSON, with hints) and writes the --json and --junit files.
pub(super) fn show(args: &VerifyArgs, report: &VerificationReport) -> anyhow::Result<()> {
    if args.format.json() {
        json(report);
        for hint in advice(report) {
            eprintln!("hint: {hint}");
        }
    } else {
        out!("{}", report.render(stdout_color()));
        for hint in advice(report) {
            outln!("hint: {hint}");
        }
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, report.junit())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Why verification could not run, with the flag to fix when it was one.
pub(super) fn explain(e: VerifyError) -> anyhow::Error {
    match e {
        VerifyError::BadUrl { url, reason } => anyhow!("invalid --base-url {url:?}: {reason}"),
        VerifyError::Filter(reason) => anyhow!("invalid --filter-description regex: {reason}"),
        other => anyhow!(other),
    }
}

/// The flags that give the verifier what some interactions missed, once each.
fn advice(report: &VerificationReport) -> Vec<&'static str> {
    let mut hints = Vec::new();
    for result in report.contracts.iter().flat_map(|c| &c.interactions) {
        let hint = match &result.outcome {
            verifier::Outcome::Error {
                reason: InteractionError::NoStateHandler { .. },
            } => "to set provider states up, use --state-url (or --ignore-states if the provider needs none)",
            verifier::Outcome::Error {
                reason: InteractionError::NoMessageProducer,
            } => "to verify messages, use --messages-url (where the provider produces them)",
            _ => continue,
        };
        if !hints.contains(&hint) {
            hints.push(hint);
        }
    }
    hints
}
