//! `shakedown verify --broker-url …`: the pacts the Pact Broker selects for the provider,
//! each verified with the verifier, pending and WIP ones as the broker says, and (with
//! `--publish`) one result per pact published to its `pb:publish-verification-results`.

use anyhow::{anyhow, bail, Context as _};
use serde_json::Value;

use crate::broker::client::{
    block_on, Broker, FetchedPact, PactToVerify, PactsQuery, VerificationResult,
};
use crate::cli::args::VerifyArgs;
use crate::cli::out::outln;
use crate::contract::Pact;
use crate::verifier::{ContractResult, VerificationReport};

/// Verifies the provider against the broker's pacts; the report of them all.
pub fn verify(broker: &Broker, args: &VerifyArgs) -> anyhow::Result<VerificationReport> {
    if args.record {
        bail!("--record writes the local results store; with --broker-url, publish the results with --publish");
    }
    if args.publish && (args.filter_description.is_some() || args.filter_state.is_some()) {
        bail!("--publish publishes whole pacts: it cannot be combined with --filter-description or --filter-state");
    }
    let query = PactsQuery {
        provider: args.provider.clone(),
        selectors: selectors(args)?,
        provider_version_branch: args.provider_branch.clone(),
        provider_version_tags: vec![],
        include_pending_status: args.enable_pending,
        include_wip_pacts_since: args.include_wip_pacts_since.clone(),
    };
    let pacts = block_on(broker.pacts_for_verification(&query))??;
    if pacts.is_empty() {
        bail!(
            "the broker at {} has no pacts for provider {:?} with these selectors",
            broker.base_url(),
            args.provider
        );
    }
    if let (true, Some(branch), Some(version)) =
        (args.publish, &args.provider_branch, &args.provider_version)
    {
        if !block_on(broker.record_branch(&args.provider, branch, version))?? {
            eprintln!("warning: the broker has no pb:pacticipant-branch-version relation: {} {version} is published without its branch {branch:?}", args.provider);
        }
    }
    let mut report = VerificationReport {
        provider: args.provider.clone(),
        strict: args.strict,
        contracts: vec![],
    };
    for selected in &pacts {
        let fetched = block_on(broker.fetch_pact(&selected.href))??;
        let pact = Pact::from_json(&without_links(&fetched.content))
            .map_err(|e| anyhow!("the pact at {} cannot be read: {e}", selected.href))?;
        if args
            .filter_consumer
            .as_ref()
            .is_some_and(|c| c != &pact.consumer)
        {
            continue;
        }
        if !args.format.json() {
            announce(selected);
        }
        let results = verify_one(args, selected, pact)?;
        let published = match (args.publish, &args.provider_version) {
            (true, Some(version)) => {
                publish(broker, args, &fetched, &results, version)?;
                true
            }
            _ => false,
        };
        if !args.format.json() {
            conclude(selected, passed(&results), published);
        }
        report.contracts.extend(results);
    }
    if report.contracts.is_empty() {
        bail!("no pact of the broker's was verified (the filters matched none)");
    }
    super::verify::show(args, &report)?;
    Ok(report)
}

/// The consumer version selectors: each --selector object, or the --consumer-version-selectors
/// array (passed to the broker as given).
fn selectors(args: &VerifyArgs) -> anyhow::Result<Vec<Value>> {
    if let Some(text) = &args.consumer_version_selectors {
        let v: Value = serde_json::from_str(text)
            .with_context(|| format!("--consumer-version-selectors {text:?} is not JSON"))?;
        return match v {
            Value::Array(items) if items.iter().all(Value::is_object) => Ok(items),
            _ => bail!("--consumer-version-selectors expects a JSON array of objects, e.g. '[{{\"mainBranch\": true}}]'"),
        };
    }
    args.selectors
        .iter()
        .map(|text| match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Object(_)) => Ok(v),
            _ => bail!("--selector {text:?} is not a JSON object, e.g. '{{\"mainBranch\": true}}'"),
        })
        .collect()
}

/// The pact without the broker's `_links` (the contract reader need not see them).
fn without_links(content: &Value) -> Value {
    let mut v = content.clone();
    if let Some(map) = v.as_object_mut() {
        map.remove("_links");
        map.remove("_embedded");
    }
    v
}

/// Says which pact is verified, and why (the broker's notices).
fn announce(selected: &PactToVerify) {
    let mut marks = String::new();
    if selected.wip {
        marks.push_str(" [WIP]");
    }
    if selected.pending {
        marks.push_str(" [pending]");
    }
    outln!("Pact: {}{marks}", selected.description);
    for n in selected
        .notices
        .iter()
        .filter(|n| !n.level.starts_with(AFTER))
    {
        outln!("  {}", n.text);
    }
}

/// The broker's notices for after a verification are named
/// `after_verification:success_{true|false}_published_{true|false}`.
const AFTER: &str = "after_verification";

/// The broker's notice for how this verification went (only the one that applies).
fn conclude(selected: &PactToVerify, success: bool, published: bool) {
    let when = format!("{AFTER}:success_{success}_published_{published}");
    for n in selected.notices.iter().filter(|n| n.level == when) {
        outln!("  {}", n.text);
    }
}

/// Whether every interaction of the pact passed.
fn passed(results: &[ContractResult]) -> bool {
    results
        .iter()
        .flat_map(|c| &c.interactions)
        .all(|i| i.passed())
}

/// Verifies one pact; its interactions pending when the broker says the pact is.
fn verify_one(
    args: &VerifyArgs,
    selected: &PactToVerify,
    pact: Pact,
) -> anyhow::Result<Vec<ContractResult>> {
    let run = super::verify::base_verifier(args)
        .digests(false)
        .pact(pact)
        .run()
        .map_err(super::verify::explain)?;
    let pending = selected.pending || selected.wip;
    Ok(run
        .contracts
        .into_iter()
        .map(|mut c| {
            c.file = selected.description.clone();
            if pending {
                c.interactions.iter_mut().for_each(|i| i.pending = true);
            }
            c
        })
        .collect())
}

/// Publishes the pact's result: a success when every interaction passed.
fn publish(
    broker: &Broker,
    args: &VerifyArgs,
    fetched: &FetchedPact,
    results: &[ContractResult],
    version: &str,
) -> anyhow::Result<()> {
    let success = passed(results);
    let result = VerificationResult {
        success,
        provider_version: version.to_string(),
        build_url: args.build_url.clone(),
    };
    block_on(broker.publish_verification(fetched, &result))??;
    if !args.format.json() {
        let verdict = if success { "success" } else { "failure" };
        outln!("  published: {verdict} of {} {version}", args.provider);
    }
    Ok(())
}
