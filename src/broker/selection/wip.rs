//! Work-in-progress pacts: the latest pact of each consumer branch or tag, published after
//! the start of the WIP window, not selected explicitly and not yet verified successfully by
//! the provider branch (or tags); always pending. Without a provider branch or tags, none.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset};

use super::history::History;
use super::notice::{pending_notices, wip_inclusion};
use super::pending::Verified;
use super::request::ProviderScope;
use super::select::{distinct, Selected};

/// The WIP pacts, deduplicated by content, each with the position of its latest version.
pub(super) fn wip_pacts(
    history: &History<'_>,
    verified: &Verified<'_>,
    scope: &ProviderScope,
    since: DateTime<FixedOffset>,
    explicit: &BTreeSet<&str>,
) -> Vec<(usize, Selected)> {
    if *scope == ProviderScope::Any {
        return vec![];
    }
    let mut by_sha: BTreeMap<&str, Vec<(usize, String)>> = BTreeMap::new();
    for (at, head) in heads(history) {
        let p = history.get(at);
        let recent = history.time(at).is_some_and(|t| t > since);
        if recent && !explicit.contains(p.sha.as_str()) {
            by_sha.entry(p.sha.as_str()).or_default().push((at, head));
        }
    }
    by_sha
        .into_iter()
        .filter_map(|(sha, heads)| wip_pact(history, verified, scope, sha, heads))
        .collect()
}

fn wip_pact(
    history: &History<'_>,
    verified: &Verified<'_>,
    scope: &ProviderScope,
    sha: &str,
    mut heads: Vec<(usize, String)>,
) -> Option<(usize, Selected)> {
    let status = verified.pending(sha, scope);
    if !status.pending {
        return None;
    }
    heads.sort();
    let latest = heads.iter().map(|(at, _)| *at).max()?;
    let consumer = history.get(latest).consumer.clone();
    let versions = distinct(
        heads
            .iter()
            .rev()
            .map(|(at, _)| history.get(*at).consumer_version.clone()),
    );
    let texts: Vec<String> = heads.into_iter().map(|(_, h)| h).collect();
    let mut notices = vec![wip_inclusion(&consumer, &texts, &status)];
    notices.extend(pending_notices(&status, true));
    let selected = Selected {
        sha: sha.to_string(),
        consumer,
        consumer_versions: versions,
        pending: true,
        wip: true,
        notices,
    };
    Some((latest, selected))
}

/// The heads: the latest publication of each (consumer, branch) and (consumer, tag), with
/// "from branch 'x'" or "tagged with 'y'".
fn heads(history: &History<'_>) -> Vec<(usize, String)> {
    let mut latest: BTreeMap<(&str, bool, &str), usize> = BTreeMap::new();
    for at in history.positions() {
        let p = history.get(at);
        if let Some(b) = &p.branch {
            latest.insert((p.consumer.as_str(), true, b.as_str()), at);
        }
        for t in &p.tags {
            latest.insert((p.consumer.as_str(), false, t.as_str()), at);
        }
    }
    latest
        .into_iter()
        .map(|((_, branch, name), at)| {
            let text = if branch {
                format!("from branch '{name}'")
            } else {
                format!("tagged with '{name}'")
            };
            (at, text)
        })
        .collect()
}
