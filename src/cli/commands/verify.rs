//! `shakedown verify`: the provider against its consumers' contracts, with reports and the
//! results store.

use std::time::Duration;

use anyhow::Context as _;

use crate::cli::args::VerifyArgs;
use crate::cli::outcome::Outcome;
use crate::cli::style::stdout_color;
use crate::gate::{now, Record, ResultsStore};
use crate::verifier::{VerificationReport, Verifier, VerifyError};

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

fn verifier(args: &VerifyArgs) -> anyhow::Result<Verifier> {
    let mut v = Verifier::new(&args.provider, &args.base_url)
        .concurrency(args.concurrency)
        .strict(args.strict)
        .timeout(Duration::from_secs(args.timeout));
    for c in &args.contracts {
        v = v.contracts(c);
    }
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
    if args.pending_new {
        let store = ResultsStore::new(&args.store.results_dir);
        let verified = store
            .read()?
            .into_iter()
            .filter_map(|r| match r {
                Record::Verification {
                    provider,
                    consumer,
                    digest,
                    success: true,
                    ..
                } if provider == args.provider => Some((consumer, digest)),
                _ => None,
            })
            .collect();
        v = v.verified_before(verified);
    }
    Ok(v)
}

fn verify(args: &VerifyArgs) -> anyhow::Result<VerificationReport> {
    let filtered = args.filter_consumer.is_some()
        || args.filter_description.is_some()
        || args.filter_state.is_some();
    if args.record && (args.filter_description.is_some() || args.filter_state.is_some()) {
        anyhow::bail!("--record verifies whole contracts: it cannot be combined with --filter-description or --filter-state");
    }
    let report = verifier(args)?
        .run()
        .map_err(|e: VerifyError| anyhow::anyhow!(e))?;
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
    print!("{}", report.render(stdout_color()));
    if let (true, Some(version)) = (args.record, &args.provider_version) {
        ResultsStore::new(&args.store.results_dir).append(&records(&report, version))?;
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, report.junit())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(report)
}

/// One verification record per contract: whether every interaction passed (pending only
/// changes the exit code, never what is recorded).
fn records(report: &VerificationReport, version: &str) -> Vec<Record> {
    report
        .contracts
        .iter()
        .map(|c| Record::Verification {
            provider: report.provider.clone(),
            provider_version: version.to_string(),
            consumer: c.consumer.clone(),
            digest: c.digest.clone(),
            success: !c.interactions.is_empty() && c.interactions.iter().all(|i| i.passed()),
            at: now(),
        })
        .collect()
}
