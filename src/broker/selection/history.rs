//! The provider's publications in the order that decides "latest": oldest first, by
//! `created_at` (then by the order they were given), one revision per consumer version.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use super::publication::Publication;

/// Publications, oldest first; a position in it (`usize`) is a publication's order.
pub(super) struct History<'a> {
    entries: Vec<(&'a Publication, Option<DateTime<FixedOffset>>)>,
}

impl<'a> History<'a> {
    /// Orders `publications` and keeps only the latest publication of each consumer version.
    pub(super) fn new(publications: &'a [Publication]) -> History<'a> {
        let mut sorted: Vec<_> = publications
            .iter()
            .map(|p| (p, parse_time(&p.created_at)))
            .collect();
        sorted.sort_by_key(|(_, at)| *at);
        let mut last: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (i, (p, _)) in sorted.iter().enumerate() {
            last.insert((&p.consumer, &p.consumer_version), i);
        }
        let mut keep: Vec<usize> = last.into_values().collect();
        keep.sort_unstable();
        History {
            entries: keep.into_iter().map(|i| sorted[i]).collect(),
        }
    }

    /// The publication at position `at`.
    pub(super) fn get(&self, at: usize) -> &'a Publication {
        self.entries[at].0
    }

    /// When the publication at `at` was published (if its time parses).
    pub(super) fn time(&self, at: usize) -> Option<DateTime<FixedOffset>> {
        self.entries[at].1
    }

    /// Every position, oldest first.
    pub(super) fn positions(&self) -> std::ops::Range<usize> {
        0..self.entries.len()
    }

    /// The distinct consumers, sorted.
    pub(super) fn consumers(&self) -> Vec<&'a str> {
        let mut names: Vec<&str> = self
            .entries
            .iter()
            .map(|(p, _)| p.consumer.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The positions of the latest publication for each key among those `keep` admits
    /// (`key` is e.g. the consumer, or the consumer and a branch), oldest first.
    pub(super) fn latest_by<K: Ord>(
        &self,
        keep: impl Fn(&Publication) -> bool,
        key: impl Fn(&'a Publication) -> K,
    ) -> Vec<usize> {
        let mut latest: BTreeMap<K, usize> = BTreeMap::new();
        for at in self.positions().filter(|&at| keep(self.get(at))) {
            latest.insert(key(self.get(at)), at);
        }
        let mut found: Vec<usize> = latest.into_values().collect();
        found.sort_unstable();
        found
    }
}

fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::publication;
    use super::*;

    #[test]
    fn should_order_by_time_and_keep_the_latest_revision_of_a_version() {
        let pubs = vec![
            publication("web", "2", "2026-01-02T00:00:00Z", "b"),
            publication("web", "1", "2026-01-01T00:00:00Z", "a"),
            publication("web", "1", "2026-01-03T00:00:00Z", "a2"),
            publication("app", "9", "not a time", "z"),
        ];
        let history = History::new(&pubs);
        let order: Vec<&str> = history
            .positions()
            .map(|at| history.get(at).sha.as_str())
            .collect();
        assert_eq!(order, ["z", "b", "a2"]);
        assert_eq!(history.consumers(), ["app", "web"]);
        let latest = history.latest_by(|_| true, |p| p.consumer.as_str());
        assert_eq!(latest, [0, 2]);
    }
}
