//! A stand-in for `broker::selection` (written in parallel, with the same interface): the
//! simple selectors (latest, branch, main branch, tag, deployed/released, consumer), pending
//! when this provider never verified the content successfully, no WIP. The merge replaces
//! `use super::stand_in as selection` by the real module.

/// The body of POST /pacts/provider/{provider}/for-verification (camelCase JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForVerification {
    /// Which consumer versions' pacts to verify.
    #[serde(default)]
    pub consumer_version_selectors: Vec<Selector>,
    /// The branch of the provider version that will publish results.
    pub provider_version_branch: Option<String>,
    /// Tags of that provider version.
    #[serde(default)]
    pub provider_version_tags: Vec<String>,
    /// Whether to say which pacts are pending.
    #[serde(default)]
    pub include_pending_status: bool,
    /// Include work-in-progress pacts published since then.
    pub include_wip_pacts_since: Option<String>,
}

/// One consumer version selector.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct Selector {
    pub main_branch: Option<bool>,
    pub branch: Option<String>,
    pub matching_branch: Option<bool>,
    pub fallback_branch: Option<String>,
    pub tag: Option<String>,
    pub fallback_tag: Option<String>,
    pub latest: Option<bool>,
    pub consumer: Option<String>,
    pub deployed_or_released: Option<bool>,
    pub deployed: Option<bool>,
    pub released: Option<bool>,
    pub environment: Option<String>,
}

/// A published pact of the provider, with what selectors look at.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub struct Publication {
    pub consumer: String,
    pub consumer_version: String,
    pub branch: Option<String>,
    pub main_branch: Option<String>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub deployed_to: Vec<String>,
    pub released_to: Vec<String>,
    pub sha: String,
}

/// A verification result the provider published.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub struct PastVerification {
    pub consumer: String,
    pub sha: String,
    pub provider_version_branch: Option<String>,
    pub provider_version_tags: Vec<String>,
    pub success: bool,
}

/// One pact to verify, with why it was selected.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub struct Selected {
    pub sha: String,
    pub consumer: String,
    pub consumer_versions: Vec<String>,
    pub pending: bool,
    pub wip: bool,
    pub notices: Vec<Notice>,
}

/// A message for the verifier's output.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[allow(missing_docs)]
pub struct Notice {
    pub when: String,
    pub text: String,
}

/// Why selectors were refused.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    /// A selector that cannot be answered.
    #[error("{0}")]
    Invalid(String),
}

fn latest_per_consumer<'a>(pubs: impl Iterator<Item = &'a Publication>) -> Vec<&'a Publication> {
    let mut out: Vec<&Publication> = Vec::new();
    for p in pubs {
        out.retain(|q| q.consumer != p.consumer);
        out.push(p);
    }
    out
}

fn matches(s: &Selector, p: &Publication, provider_branch: Option<&str>) -> bool {
    let env_ok = |envs: &[String]| match &s.environment {
        Some(e) => envs.contains(e),
        None => !envs.is_empty(),
    };
    s.consumer.as_ref().is_none_or(|c| c == &p.consumer)
        && (s.main_branch != Some(true) || (p.main_branch.is_some() && p.branch == p.main_branch))
        && s.branch
            .as_ref()
            .is_none_or(|b| p.branch.as_ref() == Some(b))
        && (s.matching_branch != Some(true)
            || (provider_branch.is_some() && p.branch.as_deref() == provider_branch))
        && s.tag.as_ref().is_none_or(|t| p.tags.contains(t))
        && (s.deployed != Some(true) || env_ok(&p.deployed_to))
        && (s.released != Some(true) || env_ok(&p.released_to))
        && (s.deployed_or_released != Some(true)
            || env_ok(&p.deployed_to)
            || env_ok(&p.released_to))
        && (s.environment.is_none()
            || s.deployed.is_some()
            || s.released.is_some()
            || s.deployed_or_released.is_some()
            || env_ok(&[p.deployed_to.clone(), p.released_to.clone()].concat()))
}

fn is_all_versions(s: &Selector) -> bool {
    s.deployed == Some(true)
        || s.released == Some(true)
        || s.deployed_or_released == Some(true)
        || s.environment.is_some()
        || (s.tag.is_some() && s.latest != Some(true))
}

fn describe(s: &Selector) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The pacts `request` selects from `publications` (oldest first), deduplicated by
/// content, with pending status from `verifications`.
pub fn select(
    publications: &[Publication],
    verifications: &[PastVerification],
    request: &ForVerification,
) -> Result<Vec<Selected>, SelectionError> {
    let default = [Selector {
        latest: Some(true),
        ..Selector::default()
    }];
    let selectors: &[Selector] = if request.consumer_version_selectors.is_empty() {
        &default
    } else {
        &request.consumer_version_selectors
    };
    let branch = request.provider_version_branch.as_deref();
    let mut out: Vec<Selected> = Vec::new();
    for s in selectors {
        if s.main_branch == Some(false) || s.matching_branch == Some(false) {
            return Err(SelectionError::Invalid(format!(
                "mainBranch and matchingBranch can only be true, in {}",
                describe(s)
            )));
        }
        let matching = publications.iter().filter(|p| matches(s, p, branch));
        let chosen: Vec<&Publication> = if is_all_versions(s) {
            matching.collect()
        } else {
            latest_per_consumer(matching)
        };
        for p in chosen {
            let text = format!(
                "The pact at {} is being verified because it matches the selector {}",
                p.consumer_version,
                describe(s)
            );
            match out
                .iter_mut()
                .find(|o| o.sha == p.sha && o.consumer == p.consumer)
            {
                Some(o) => {
                    if !o.consumer_versions.contains(&p.consumer_version) {
                        o.consumer_versions.push(p.consumer_version.clone());
                    }
                    o.notices.push(Notice {
                        when: "before_verification".into(),
                        text,
                    });
                }
                None => out.push(Selected {
                    sha: p.sha.clone(),
                    consumer: p.consumer.clone(),
                    consumer_versions: vec![p.consumer_version.clone()],
                    pending: false,
                    wip: false,
                    notices: vec![Notice {
                        when: "before_verification".into(),
                        text,
                    }],
                }),
            }
        }
    }
    for o in &mut out {
        let verified = verifications.iter().any(|v| {
            v.sha == o.sha
                && v.consumer == o.consumer
                && v.success
                && branch.is_none_or(|b| v.provider_version_branch.as_deref() == Some(b))
        });
        o.pending = request.include_pending_status && !verified;
        if request.include_pending_status {
            let text = if o.pending {
                "This pact is in pending state for this version of the provider: a failure will not fail the verification."
            } else {
                "This pact has been successfully verified by the provider before: it is not pending."
            };
            o.notices.push(Notice {
                when: "before_verification".into(),
                text: text.into(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publication(consumer: &str, version: &str, branch: &str, sha: &str) -> Publication {
        Publication {
            consumer: consumer.into(),
            consumer_version: version.into(),
            branch: Some(branch.into()),
            main_branch: Some("main".into()),
            tags: vec![],
            created_at: String::new(),
            deployed_to: vec![],
            released_to: vec![],
            sha: sha.into(),
        }
    }

    #[test]
    fn should_select_the_latest_of_the_main_branch_and_mark_it_pending_until_verified() {
        let pubs = [
            publication("web", "1", "main", "a"),
            publication("web", "2", "main", "b"),
            publication("web", "3", "feat", "c"),
        ];
        let request = ForVerification {
            consumer_version_selectors: vec![Selector {
                main_branch: Some(true),
                ..Selector::default()
            }],
            include_pending_status: true,
            ..ForVerification::default()
        };
        let chosen = select(&pubs, &[], &request).unwrap();
        assert_eq!(chosen.len(), 1);
        assert_eq!((chosen[0].sha.as_str(), chosen[0].pending), ("b", true));
        let verified = [PastVerification {
            consumer: "web".into(),
            sha: "b".into(),
            provider_version_branch: None,
            provider_version_tags: vec![],
            success: true,
        }];
        assert!(!select(&pubs, &verified, &request).unwrap()[0].pending);
    }
}
