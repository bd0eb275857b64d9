//! The body of `POST /pacts/provider/{provider}/for-verification`, and what it means once
//! checked: the provider branch or tags, and the start of the work-in-progress window.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::error::SelectionError;
use super::selector::Selector;

/// The body of POST /pacts/provider/{provider}/for-verification (camelCase JSON).
///
/// ```
/// use shakedown::broker::selection::ForVerification;
/// let body: ForVerification = serde_json::from_str(r#"{
///     "consumerVersionSelectors": [{"mainBranch": true}, {"deployedOrReleased": true}],
///     "providerVersionBranch": "main",
///     "includePendingStatus": true,
///     "includeWipPactsSince": "2026-01-01"
/// }"#).unwrap();
/// assert_eq!(body.consumer_version_selectors.len(), 2);
/// assert!(body.include_pending_status);
/// ```
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForVerification {
    /// Which consumer versions' pacts to verify; none: the broker's defaults (the latest pact
    /// of each consumer's main branch, or of its main tag, or its latest; and every deployed
    /// or released version).
    #[serde(default)]
    pub consumer_version_selectors: Vec<Selector>,
    /// The branch of the provider version that will publish results (decides pending).
    pub provider_version_branch: Option<String>,
    /// The tags of that provider version (decide pending when there is no branch).
    #[serde(default)]
    pub provider_version_tags: Vec<String>,
    /// Whether to say which pacts are pending (and to include WIP pacts at all).
    #[serde(default)]
    pub include_pending_status: bool,
    /// A date or RFC 3339 time: include the work-in-progress pacts published after it.
    pub include_wip_pacts_since: Option<String>,
}

/// Whose successful verifications settle a pact: the provider branch, else its tags, else
/// any provider version.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum ProviderScope {
    /// `providerVersionBranch`.
    Branch(String),
    /// `providerVersionTags` (not empty).
    Tags(Vec<String>),
    /// Neither.
    Any,
}

impl ForVerification {
    /// The provider branch or tags, checked as the broker checks them.
    pub(super) fn scope(&self) -> Result<ProviderScope, SelectionError> {
        let tags: Vec<String> = self
            .provider_version_tags
            .iter()
            .filter(|t| !t.trim().is_empty())
            .cloned()
            .collect();
        match self.provider_version_branch.as_deref() {
            Some(b) if !b.is_empty() && b.trim().is_empty() => {
                Err(SelectionError::BlankProviderBranch)
            }
            Some("") if tags.is_empty() && self.needs_provider() => {
                Err(SelectionError::EmptyProviderBranch)
            }
            Some(b) if !b.is_empty() => Ok(ProviderScope::Branch(b.to_string())),
            _ if !tags.is_empty() => Ok(ProviderScope::Tags(tags)),
            _ => Ok(ProviderScope::Any),
        }
    }

    fn needs_provider(&self) -> bool {
        self.include_pending_status || self.include_wip_pacts_since.is_some()
    }

    /// The start of the WIP window when WIP pacts are asked for (they need the pending
    /// status too: a WIP pact is always pending).
    pub(super) fn wip_since(&self) -> Result<Option<DateTime<FixedOffset>>, SelectionError> {
        let Some(text) = self.include_wip_pacts_since.as_deref() else {
            return Ok(None);
        };
        let since = parse_since(text).ok_or_else(|| SelectionError::WipSince(text.to_string()))?;
        Ok(self.include_pending_status.then_some(since))
    }
}

/// A date (midnight UTC) or an RFC 3339 time.
fn parse_since(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text).ok().or_else(|| {
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        Some(date.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(branch: Option<&str>, tags: &[&str], pending: bool) -> ForVerification {
        ForVerification {
            provider_version_branch: branch.map(str::to_string),
            provider_version_tags: tags.iter().map(|t| t.to_string()).collect(),
            include_pending_status: pending,
            ..ForVerification::default()
        }
    }

    #[test]
    fn should_prefer_the_branch_then_the_tags() {
        assert_eq!(
            request(Some("main"), &["prod"], true).scope(),
            Ok(ProviderScope::Branch("main".into()))
        );
        assert_eq!(
            request(None, &["prod"], true).scope(),
            Ok(ProviderScope::Tags(vec!["prod".into()]))
        );
        assert_eq!(request(None, &[], true).scope(), Ok(ProviderScope::Any));
    }

    #[test]
    fn should_refuse_a_blank_provider_branch() {
        assert_eq!(
            request(Some("  "), &[], false).scope(),
            Err(SelectionError::BlankProviderBranch)
        );
        assert_eq!(
            request(Some(""), &[], true).scope(),
            Err(SelectionError::EmptyProviderBranch)
        );
        // Without pending or WIP, an empty branch is ignored, as the broker does.
        assert_eq!(
            request(Some(""), &[], false).scope(),
            Ok(ProviderScope::Any)
        );
        assert_eq!(
            request(Some(""), &["prod"], true).scope(),
            Ok(ProviderScope::Tags(vec!["prod".into()]))
        );
    }

    #[test]
    fn should_read_a_date_or_a_time_as_the_start_of_the_wip_window() {
        let mut r = request(Some("main"), &[], true);
        r.include_wip_pacts_since = Some("2026-01-31".into());
        assert_eq!(
            r.wip_since().unwrap().unwrap().to_rfc3339(),
            "2026-01-31T00:00:00+00:00"
        );
        r.include_wip_pacts_since = Some("2026-01-31T12:30:00+02:00".into());
        assert_eq!(
            r.wip_since().unwrap().unwrap().to_rfc3339(),
            "2026-01-31T12:30:00+02:00"
        );
        r.include_wip_pacts_since = Some("last tuesday".into());
        let e = r.wip_since().unwrap_err().to_string();
        assert!(
            e.contains("includeWipPactsSince") && e.contains("last tuesday"),
            "{e}"
        );
    }

    #[test]
    fn should_leave_wip_pacts_out_without_the_pending_status() {
        let mut r = request(Some("main"), &[], false);
        r.include_wip_pacts_since = Some("2026-01-31".into());
        assert_eq!(r.wip_since(), Ok(None));
    }
}
