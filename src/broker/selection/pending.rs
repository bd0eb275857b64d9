//! Pending pacts: a pact is pending for the provider branch until a version of the provider
//! from that branch verified its content successfully (or a version from another branch did,
//! before the branch was first used); with tags instead of a branch, the same per tag; with
//! neither, until any provider version verified it.

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

/// The pending status of the content `sha` for the provider versions of `scope`.
pub(super) fn pending(
    sha: &str,
    verifications: &[PastVerification],
    scope: &ProviderScope,
) -> Pending {
    let mut status = Pending {
        pending: false,
        scope: scope.clone(),
        pending_tags: vec![],
        settled_tags: vec![],
        settled_by_another_branch: false,
    };
    match scope {
        ProviderScope::Branch(branch) => {
            let here = verified_by(sha, verifications, |v| {
                v.provider_version_branch.as_deref() == Some(branch)
            });
            let before = !here
                && verified_before_first_use(sha, verifications, |v| {
                    v.provider_version_branch.as_deref().map(|b| b == branch)
                });
            status.pending = !here && !before;
            status.settled_by_another_branch = before;
        }
        ProviderScope::Tags(tags) => {
            for tag in tags {
                let here = verified_by(sha, verifications, |v| {
                    v.provider_version_tags.contains(tag)
                });
                let before = verified_before_first_use(sha, verifications, |v| tag_use(v, tag));
                if here || before {
                    status.settled_tags.push(tag.clone());
                } else {
                    status.pending_tags.push(tag.clone());
                }
            }
            status.pending = !status.pending_tags.is_empty();
        }
        ProviderScope::Any => status.pending = !verified_by(sha, verifications, |_| true),
    }
    status
}

/// Whether a successful verification of `sha` that `by` admits exists.
pub(super) fn verified_by(
    sha: &str,
    verifications: &[PastVerification],
    by: impl Fn(&PastVerification) -> bool,
) -> bool {
    verifications
        .iter()
        .any(|v| v.success && v.sha == sha && by(v))
}

/// Whether `sha` was verified successfully by a provider version of another branch (or tag)
/// before the first verification from this one. `used` says, of a verification: `Some(true)`
/// from this branch, `Some(false)` from another one, `None` from no branch at all.
pub(super) fn verified_before_first_use(
    sha: &str,
    verifications: &[PastVerification],
    used: impl Fn(&PastVerification) -> Option<bool>,
) -> bool {
    verifications
        .iter()
        .take_while(|v| used(v) != Some(true))
        .any(|v| v.success && v.sha == sha && used(v) == Some(false))
}

/// Of a verification, for a tag: `Some(true)` it has the tag, `Some(false)` other tags only,
/// `None` no tags.
pub(super) fn tag_use(v: &PastVerification, tag: &str) -> Option<bool> {
    if v.provider_version_tags.is_empty() {
        None
    } else {
        Some(v.provider_version_tags.iter().any(|t| t == tag))
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
        assert!(pending("a", &[], &branch("main")).pending);
        let failed = [verified("web", "a", Some("main"), false)];
        assert!(pending("a", &failed, &branch("main")).pending);
        let ok = [verified("web", "a", Some("main"), true)];
        assert!(!pending("a", &ok, &branch("main")).pending);
        // Another content's success does not count.
        assert!(pending("b", &ok, &branch("main")).pending);
    }

    #[test]
    fn should_count_another_branch_only_before_this_branch_was_first_used() {
        let main_ok = verified("web", "a", Some("main"), true);
        // A new branch: main's earlier success settles it.
        let p = pending("a", std::slice::from_ref(&main_ok), &branch("feat"));
        assert!(!p.pending && p.settled_by_another_branch);
        // The branch existed before main verified it: still pending for the branch.
        let feat_first = [verified("web", "x", Some("feat"), true), main_ok.clone()];
        assert!(pending("a", &feat_first, &branch("feat")).pending);
        // Verifications without a branch never count for a branch.
        assert!(pending("a", &[verified("web", "a", None, true)], &branch("feat")).pending);
    }

    #[test]
    fn should_be_pending_for_each_tag_not_yet_verified() {
        // dev was used (on other content) before prod verified this content.
        let v = [
            verified_with_tags("web", "x", &["dev"], true),
            verified_with_tags("web", "a", &["prod"], true),
        ];
        let tags = ProviderScope::Tags(vec!["prod".into(), "dev".into()]);
        let p = pending("a", &v, &tags);
        assert!(p.pending);
        assert_eq!(p.pending_tags, ["dev"]);
        assert_eq!(p.settled_tags, ["prod"]);
        // A tag never used before: prod's success settles it.
        let p = pending("a", &v, &ProviderScope::Tags(vec!["new".into()]));
        assert!(!p.pending);
    }

    #[test]
    fn should_be_pending_without_branch_or_tags_until_any_version_verified_it() {
        assert!(pending("a", &[], &ProviderScope::Any).pending);
        assert!(
            !pending(
                "a",
                &[verified("web", "a", None, true)],
                &ProviderScope::Any
            )
            .pending
        );
    }
}
