//! Pending pacts: a pact is pending for the provider branch until a version of the provider
//! from that branch verified its content successfully (or a version from another branch did,
//! before the branch was first used); with tags instead of a branch, the same per tag; with
//! neither, until any provider version verified it.

use std::collections::HashMap;

use super::publication::PastVerification;
use super::request::ProviderScope;

/// Whether one pact content is pending, and for what.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pending {
    /// Pending (its failure does not fail the build).
    pub pending: bool,
    /// Who settles it.
    pub scope: ProviderScope,
    /// With tags: the tags it is still pending for.
    pub pending_tags: Vec<String>,
    /// With tags: the tags it was verified for.
    pub settled_tags: Vec<String>,
    /// With a branch and not pending: only a version from another branch, from before this
    /// branch was first used, verified it.
    pub settled_by_another_branch: bool,
}

/// The provider's verification results indexed for pending decisions: the successes by
/// content, and where each branch and tag was first used.
pub(super) struct Verified<'a> {
    successes: HashMap<&'a str, Vec<(usize, &'a PastVerification)>>,
    first_branch: HashMap<&'a str, usize>,
    first_tag: HashMap<&'a str, usize>,
}

impl<'a> Verified<'a> {
    /// Indexes `verifications` (in the order they were published).
    pub(super) fn new(verifications: &'a [PastVerification]) -> Verified<'a> {
        let mut index = Verified {
            successes: HashMap::new(),
            first_branch: HashMap::new(),
            first_tag: HashMap::new(),
        };
        for (at, v) in verifications.iter().enumerate() {
            if v.success {
                index
                    .successes
                    .entry(v.sha.as_str())
                    .or_default()
                    .push((at, v));
            }
            if let Some(b) = &v.provider_version_branch {
                index.first_branch.entry(b.as_str()).or_insert(at);
            }
            for t in &v.provider_version_tags {
                index.first_tag.entry(t.as_str()).or_insert(at);
            }
        }
        index
    }

    /// The pending status of the content `sha` for the provider versions of `scope`.
    pub(super) fn pending(&self, sha: &str, scope: &ProviderScope) -> Pending {
        let successes: &[(usize, &PastVerification)] =
            self.successes.get(sha).map_or(&[], Vec::as_slice);
        let mut status = Pending {
            pending: false,
            scope: scope.clone(),
            pending_tags: vec![],
            settled_tags: vec![],
            settled_by_another_branch: false,
        };
        match scope {
            ProviderScope::Branch(branch) => {
                let first = self
                    .first_branch
                    .get(branch.as_str())
                    .copied()
                    .unwrap_or(usize::MAX);
                let here = successes
                    .iter()
                    .any(|(_, v)| v.provider_version_branch.as_deref() == Some(branch));
                let before = successes.iter().any(|(at, v)| {
                    *at < first
                        && v.provider_version_branch
                            .as_ref()
                            .is_some_and(|b| b != branch)
                });
                status.pending = !here && !before;
                status.settled_by_another_branch = !here && before;
            }
            ProviderScope::Tags(tags) => {
                for tag in tags {
                    let first = self
                        .first_tag
                        .get(tag.as_str())
                        .copied()
                        .unwrap_or(usize::MAX);
                    let here = successes
                        .iter()
                        .any(|(_, v)| v.provider_version_tags.contains(tag));
                    let before = successes.iter().any(|(at, v)| {
                        *at < first
                            && !v.provider_version_tags.is_empty()
                            && !v.provider_version_tags.contains(tag)
                    });
                    if here || before {
                        status.settled_tags.push(tag.clone());
                    } else {
                        status.pending_tags.push(tag.clone());
                    }
                }
                status.pending = !status.pending_tags.is_empty();
            }
            ProviderScope::Any => status.pending = successes.is_empty(),
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{verified, verified_with_tags};
    use super::*;

    fn branch(b: &str) -> ProviderScope {
        ProviderScope::Branch(b.to_string())
    }

    #[test]
    fn should_be_pending_until_the_branch_verified_the_content() {
        assert!(Verified::new(&[]).pending("a", &branch("main")).pending);
        let failed = [verified("web", "a", Some("main"), false)];
        assert!(Verified::new(&failed).pending("a", &branch("main")).pending);
        let ok = [verified("web", "a", Some("main"), true)];
        assert!(!Verified::new(&ok).pending("a", &branch("main")).pending);
        // Another content's success does not count.
        assert!(Verified::new(&ok).pending("b", &branch("main")).pending);
    }

    #[test]
    fn should_count_another_branch_only_before_this_branch_was_first_used() {
        let main_ok = verified("web", "a", Some("main"), true);
        // A new branch: main's earlier success settles it.
        let p = Verified::new(std::slice::from_ref(&main_ok)).pending("a", &branch("feat"));
        assert!(!p.pending && p.settled_by_another_branch);
        // The branch existed before main verified it: still pending for the branch.
        let feat_first = [verified("web", "x", Some("feat"), true), main_ok.clone()];
        assert!(
            Verified::new(&feat_first)
                .pending("a", &branch("feat"))
                .pending
        );
        // Verifications without a branch never count for a branch.
        assert!(
            Verified::new(&[verified("web", "a", None, true)])
                .pending("a", &branch("feat"))
                .pending
        );
    }

    #[test]
    fn should_be_pending_for_each_tag_not_yet_verified() {
        // dev was used (on other content) before prod verified this content.
        let v = [
            verified_with_tags("web", "x", &["dev"], true),
            verified_with_tags("web", "a", &["prod"], true),
        ];
        let tags = ProviderScope::Tags(vec!["prod".into(), "dev".into()]);
        let p = Verified::new(&v).pending("a", &tags);
        assert!(p.pending);
        assert_eq!(p.pending_tags, ["dev"]);
        assert_eq!(p.settled_tags, ["prod"]);
        // A tag never used before: prod's success settles it.
        let p = Verified::new(&v).pending("a", &ProviderScope::Tags(vec!["new".into()]));
        assert!(!p.pending);
    }

    #[test]
    fn should_be_pending_without_branch_or_tags_until_any_version_verified_it() {
        assert!(Verified::new(&[]).pending("a", &ProviderScope::Any).pending);
        let ok = [verified("web", "a", None, true)];
        assert!(!Verified::new(&ok).pending("a", &ProviderScope::Any).pending);
    }
}
