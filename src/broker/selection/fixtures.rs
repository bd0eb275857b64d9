//! (tests) Publications, verifications and requests in a line each.

use super::publication::{PastVerification, Publication};
use super::request::ForVerification;
use super::selector::Selector;

/// A publication of `consumer` at `version`, published `at`, with content `sha`.
pub(super) fn publication(consumer: &str, version: &str, at: &str, sha: &str) -> Publication {
    Publication {
        consumer: consumer.to_string(),
        consumer_version: version.to_string(),
        branch: None,
        main_branch: None,
        tags: vec![],
        created_at: at.to_string(),
        deployed_to: vec![],
        released_to: vec![],
        sha: sha.to_string(),
    }
}

/// A publication on `branch` (the consumer's main branch is `main`), on day `day` of 2026.
pub(super) fn on_branch(
    consumer: &str,
    version: &str,
    branch: &str,
    day: u32,
    sha: &str,
) -> Publication {
    Publication {
        branch: Some(branch.to_string()),
        main_branch: Some("main".to_string()),
        ..publication(
            consumer,
            version,
            &format!("2026-01-{day:02}T00:00:00Z"),
            sha,
        )
    }
}

/// A verification of `sha` by a provider version on `branch`.
pub(super) fn verified(
    consumer: &str,
    sha: &str,
    branch: Option<&str>,
    success: bool,
) -> PastVerification {
    PastVerification {
        consumer: consumer.to_string(),
        sha: sha.to_string(),
        provider_version_branch: branch.map(str::to_string),
        provider_version_tags: vec![],
        success,
    }
}

/// A verification of `sha` by a provider version with `tags`.
pub(super) fn verified_with_tags(
    consumer: &str,
    sha: &str,
    tags: &[&str],
    success: bool,
) -> PastVerification {
    PastVerification {
        provider_version_tags: tags.iter().map(|t| t.to_string()).collect(),
        ..verified(consumer, sha, None, success)
    }
}

/// A request with these selectors (JSON array), no pending status.
pub(super) fn request(selectors: &str) -> ForVerification {
    let selectors: Vec<Selector> = serde_json::from_str(selectors).unwrap();
    ForVerification {
        consumer_version_selectors: selectors,
        ..ForVerification::default()
    }
}
