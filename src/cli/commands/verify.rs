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
            print!("{}", report.render(stdout_color()));
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
    let report = verifier(args)?
        .run()
        .map_err(|e: VerifyError| anyhow::anyhow!(e))?;
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, report.junit())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let (true, Some(version)) = (args.record, &args.provider_version) {
        let records: Vec<Record> = report
            .contracts
            .iter()
            .map(|c| Record::Verification {
                provider: report.provider.clone(),
                provider_version: version.clone(),
                consumer: c.consumer.clone(),
                digest: c.digest.clone(),
                success: c
                    .interactions
                    .iter()
                    .all(|i| i.passed() || (i.pending && !report.strict)),
                at: now(),
            })
            .collect();
        ResultsStore::new(&args.store.results_dir).append(&records)?;
    }
    Ok(report)
}
