//! `select`: the pacts a provider verifies for one request, deduplicated by content, in the
//! broker's order (by consumer, then by the latest selected version; WIP pacts last).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::criterion::criteria;
use super::error::SelectionError;
use super::history::History;
use super::notice::{inclusion, pending_notices, Notice};
use super::pending::Verified;
use super::publication::{PastVerification, Publication};
use super::reason::{describe, Hit};
use super::request::{ForVerification, ProviderScope};
use super::wip::wip_pacts;

/// One pact to verify, with why it was selected.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// The content's digest (one `Selected` per content).
    pub sha: String,
    /// The consumer.
    pub consumer: String,
    /// The versions of this content that were selected, latest first (`consumer_versions[0]`
    /// is the version the broker names the pact after).
    pub consumer_versions: Vec<String>,
    /// Pending for the provider branch or tags (only with `includePendingStatus`).
    pub pending: bool,
    /// A work-in-progress pact (only with `includeWipPactsSince` and `includePendingStatus`).
    pub wip: bool,
    /// What the verifier prints, before and after verifying.
    pub notices: Vec<Notice>,
}

/// The pacts `request` selects among the provider's `publications`, with pending status from
/// its `verifications` (in the order they were published).
///
/// No selector means the broker's defaults: for each consumer, the latest pact of its main
/// branch (else the latest tagged with the main branch's name, else its latest pact), and
/// every version currently deployed or released. Pacts with the same content are merged
/// into one (their selected versions listed together).
///
/// ```
/// use shakedown::broker::selection::{select, ForVerification, PastVerification, Publication};
/// let publication = |version: &str, branch: &str, sha: &str| Publication {
///     consumer: "web".into(), consumer_version: version.into(),
///     branch: Some(branch.into()), main_branch: Some("main".into()), tags: vec![],
///     created_at: format!("2026-01-0{version}T00:00:00Z"),
///     deployed_to: vec![], released_to: vec![], sha: sha.into(),
/// };
/// let publications = vec![publication("1", "main", "aaa"), publication("2", "main", "aaa"), publication("3", "feat", "bbb")];
/// let verifications = vec![PastVerification {
///     consumer: "web".into(), sha: "aaa".into(), provider_version_branch: Some("main".into()),
///     provider_version_tags: vec![], success: true,
/// }];
/// let request: ForVerification = serde_json::from_str(r#"{
///     "consumerVersionSelectors": [{"mainBranch": true}, {"branch": "main", "consumer": "web"}],
///     "providerVersionBranch": "main", "includePendingStatus": true,
///     "includeWipPactsSince": "2026-01-01"
/// }"#).unwrap();
/// let selected = select(&publications, &verifications, &request).unwrap();
/// // Both selectors found version 2 of content aaa: one pact, verified before, not pending.
/// assert_eq!(selected[0].sha, "aaa");
/// assert_eq!(selected[0].consumer_versions, ["2"]);
/// assert!(!selected[0].pending);
/// // The feature branch's new content is work in progress, hence pending.
/// assert_eq!(selected[1].sha, "bbb");
/// assert!(selected[1].wip && selected[1].pending);
/// // Refused as the broker refuses it (the server answers 400 with the message).
/// let bad: ForVerification = serde_json::from_str(r#"{"consumerVersionSelectors": [{"mainBranch": true, "branch": "x"}]}"#).unwrap();
/// assert!(select(&publications, &verifications, &bad).is_err());
/// ```
pub fn select(
    publications: &[Publication],
    verifications: &[PastVerification],
    request: &ForVerification,
) -> Result<Vec<Selected>, SelectionError> {
    let scope = request.scope()?;
    let since = request.wip_since()?;
    let history = History::new(publications);
    let verified = Verified::new(verifications);
    let provider_branch = match &scope {
        ProviderScope::Branch(b) => Some(b.as_str()),
        _ => None,
    };
    let mut hits: Vec<Hit> = Vec::new();
    let mut seen: HashSet<Hit> = HashSet::new();
    for criterion in criteria(
        &request.consumer_version_selectors,
        provider_branch,
        &history,
    )? {
        for hit in criterion.find(&history) {
            if seen.insert(hit.clone()) {
                hits.push(hit);
            }
        }
    }
    let mut selected = explicit(
        &history,
        hits,
        &verified,
        &scope,
        request.include_pending_status,
    );
    if let Some(since) = since {
        let chosen: BTreeSet<&str> = selected.iter().map(|s| s.sha.as_str()).collect();
        selected.extend(sorted(wip_pacts(
            &history, &verified, &scope, since, &chosen,
        )));
    }
    Ok(selected)
}

/// The hits merged by content, with pending status and notices, sorted.
fn explicit(
    history: &History<'_>,
    hits: Vec<Hit>,
    verified: &Verified<'_>,
    scope: &ProviderScope,
    include_pending: bool,
) -> Vec<Selected> {
    let mut groups: Vec<(String, Vec<Hit>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for hit in hits {
        let sha = history.get(hit.at).sha.as_str();
        let i = *index.entry(sha).or_insert_with(|| {
            groups.push((sha.to_string(), vec![]));
            groups.len() - 1
        });
        groups[i].1.push(hit);
    }
    let merged = groups
        .into_iter()
        .map(|(sha, group)| merge(history, sha, &group, verified, scope, include_pending))
        .collect();
    sorted(merged)
}

/// One content's hits as one pact to verify; with its latest position.
fn merge(
    history: &History<'_>,
    sha: String,
    group: &[Hit],
    verified: &Verified<'_>,
    scope: &ProviderScope,
    include_pending: bool,
) -> (usize, Selected) {
    let latest = group.iter().map(|h| h.at).max().unwrap_or_default();
    let mut positions: Vec<usize> = group.iter().map(|h| h.at).collect();
    positions.sort_unstable_by(|a, b| b.cmp(a));
    positions.dedup();
    let mut notices = vec![inclusion(&describe(group, history))];
    let status = verified.pending(&sha, scope);
    if include_pending {
        notices.extend(pending_notices(&status, false));
    }
    let selected = Selected {
        consumer: history.get(latest).consumer.clone(),
        consumer_versions: distinct(
            positions
                .iter()
                .map(|&at| history.get(at).consumer_version.clone()),
        ),
        pending: include_pending && status.pending,
        wip: false,
        notices,
        sha,
    };
    (latest, selected)
}

/// `items` without repeats, in their order.
pub(super) fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    items.filter(|item| seen.insert(item.clone())).collect()
}

/// By consumer (case-insensitive, then exact), then by the latest selected version.
fn sorted(mut pacts: Vec<(usize, Selected)>) -> Vec<Selected> {
    pacts.sort_by(|(a_at, a), (b_at, b)| {
        (a.consumer.to_lowercase(), &a.consumer, a_at).cmp(&(
            b.consumer.to_lowercase(),
            &b.consumer,
            b_at,
        ))
    });
    pacts.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{on_branch, publication, request, verified, verified_with_tags};
    use super::super::selector::Selector;
    use super::*;
    use proptest::prelude::*;

    fn shas(selected: &[Selected]) -> Vec<&str> {
        selected.iter().map(|s| s.sha.as_str()).collect()
    }

    fn shop() -> Vec<Publication> {
        let mut pubs = vec![
            on_branch("web", "1", "main", 1, "w1"),
            on_branch("web", "2", "main", 2, "w2"),
            on_branch("web", "3", "feat", 3, "w3"),
            on_branch("App", "10", "main", 4, "a10"),
            on_branch("App", "11", "other", 5, "a11"),
        ];
        pubs[0].deployed_to = vec!["production".into()];
        pubs[3].tags = vec!["prod".into()];
        pubs
    }

    #[test]
    fn should_select_by_each_selector() {
        let pubs = shop();
        let cases = [
            (r#"[{"mainBranch": true}]"#, vec!["a10", "w2"]),
            (r#"[{"branch": "feat"}]"#, vec!["w3"]),
            (
                r#"[{"branch": "nope", "fallbackBranch": "other"}]"#,
                vec!["a11"],
            ),
            (r#"[{"tag": "prod"}]"#, vec!["a10"]),
            (
                r#"[{"tag": "nope", "latest": true, "fallbackTag": "prod"}]"#,
                vec!["a10"],
            ),
            (r#"[{"latest": true}]"#, vec!["a11", "w3"]),
            (r#"[{"latest": true, "consumer": "web"}]"#, vec!["w3"]),
            (r#"[{"deployed": true}]"#, vec!["w1"]),
            (r#"[{"released": true}]"#, vec![]),
            (r#"[{"deployedOrReleased": true}]"#, vec!["w1"]),
            (r#"[{"environment": "production"}]"#, vec!["w1"]),
        ];
        for (selectors, expected) in cases {
            let got = select(&pubs, &[], &request(selectors)).unwrap();
            assert_eq!(shas(&got), expected, "{selectors}");
        }
        let mut matching = request(r#"[{"matchingBranch": true}]"#);
        matching.provider_version_branch = Some("feat".into());
        assert_eq!(shas(&select(&pubs, &[], &matching).unwrap()), ["w3"]);
    }

    #[test]
    fn should_use_the_brokers_defaults_without_selectors() {
        let got = select(&shop(), &[], &request("[]")).unwrap();
        // App's main (10); web's main (2) and its deployed version (1).
        assert_eq!(shas(&got), ["a10", "w1", "w2"]);
    }

    #[test]
    fn should_merge_the_versions_of_one_content() {
        let mut pubs = shop();
        pubs[1].sha = "w1".into(); // web 2 has the same content as web 1
        let got = select(
            &pubs,
            &[],
            &request(r#"[{"mainBranch": true}, {"deployed": true}, {"branch": "main"}]"#),
        )
        .unwrap();
        assert_eq!(shas(&got), ["a10", "w1"]);
        let web = &got[1];
        assert_eq!(web.consumer, "web");
        assert_eq!(web.consumer_versions, ["2", "1"]);
        let why = &web.notices[0].text;
        assert!(
            why.contains("the consumer versions matching the following criteria:"),
            "{why}"
        );
        assert!(
            why.contains("    * latest version from the main branch 'main' (2)"),
            "{why}"
        );
        assert!(
            why.contains("    * consumer version(s) currently deployed to production (1)"),
            "{why}"
        );
        assert!(
            why.contains("    * latest version from branch 'main' (2)"),
            "{why}"
        );
    }

    #[test]
    fn should_order_by_consumer_then_version() {
        let pubs = vec![
            on_branch("zed", "1", "main", 1, "z1"),
            on_branch("Alpha", "2", "main", 3, "a2"),
            on_branch("alpha", "1", "main", 2, "b1"),
            on_branch("zed", "0", "feat", 4, "z0"),
        ];
        let got = select(
            &pubs,
            &[],
            &request(r#"[{"latest": true}, {"branch": "main"}]"#),
        )
        .unwrap();
        assert_eq!(shas(&got), ["a2", "b1", "z1", "z0"]);
    }

    #[test]
    fn should_leave_pending_out_unless_asked() {
        let got = select(&shop(), &[], &request(r#"[{"branch": "feat"}]"#)).unwrap();
        assert!(!got[0].pending);
        assert_eq!(got[0].notices.len(), 1);
    }

    #[test]
    fn should_mark_pending_by_provider_branch() {
        let mut r = request(r#"[{"mainBranch": true}]"#);
        r.include_pending_status = true;
        r.provider_version_branch = Some("main".into());
        let verifications = [
            verified("web", "w2", Some("main"), true),
            verified("App", "a10", Some("main"), false),
        ];
        let got = select(&shop(), &verifications, &r).unwrap();
        let pending: Vec<(&str, bool)> = got.iter().map(|s| (s.sha.as_str(), s.pending)).collect();
        assert_eq!(pending, [("a10", true), ("w2", false)]);
        assert_eq!(got[0].notices.len(), 6);
        assert_eq!(got[1].notices.len(), 2);
        assert!(got[1].notices[1]
            .text
            .starts_with("This pact has previously been successfully verified"));
    }

    #[test]
    fn should_mark_pending_by_provider_tags_without_a_branch() {
        let mut r = request(r#"[{"mainBranch": true}]"#);
        r.include_pending_status = true;
        r.provider_version_tags = vec!["dev".into()];
        let verifications = [
            verified_with_tags("web", "w2", &["dev"], true),
            verified_with_tags("App", "a10", &["dev"], false),
        ];
        let got = select(&shop(), &verifications, &r).unwrap();
        assert_eq!(
            got.iter().map(|s| s.pending).collect::<Vec<_>>(),
            [true, false]
        );
        assert!(
            got[0].notices[1].text.contains("with tag 'dev'"),
            "{}",
            got[0].notices[1].text
        );
    }

    #[test]
    fn should_add_wip_pacts_not_selected_and_not_verified_by_the_branch() {
        let mut r = request(r#"[{"mainBranch": true}]"#);
        r.include_pending_status = true;
        r.provider_version_branch = Some("main".into());
        r.include_wip_pacts_since = Some("2026-01-02".into());
        // App's "other" head (11) was verified by main; web's feat head (3) was not.
        let verifications = [verified("App", "a11", Some("main"), true)];
        let got = select(&shop(), &verifications, &r).unwrap();
        assert_eq!(shas(&got), ["a10", "w2", "w3"]);
        let wip = &got[2];
        assert!(wip.wip && wip.pending);
        assert_eq!(wip.consumer_versions, ["3"]);
        assert!(
            wip.notices[0].text.contains("'work in progress' pact"),
            "{}",
            wip.notices[0].text
        );
        assert!(
            wip.notices[0].text.contains("from branch 'feat'"),
            "{}",
            wip.notices[0].text
        );
        // web main (2) is explicitly selected, so not WIP; pacts before the window are not WIP.
        r.include_wip_pacts_since = Some("2026-01-03T00:00:00Z".into());
        assert_eq!(
            shas(&select(&shop(), &verifications, &r).unwrap()),
            ["a10", "w2"]
        );
    }

    #[test]
    fn should_have_no_wip_pacts_without_pending_status_or_provider_branch() {
        let mut r = request(r#"[{"mainBranch": true}]"#);
        r.include_wip_pacts_since = Some("2026-01-01".into());
        r.provider_version_branch = Some("main".into());
        assert_eq!(shas(&select(&shop(), &[], &r).unwrap()), ["a10", "w2"]);
        r.include_pending_status = true;
        r.provider_version_branch = None;
        assert_eq!(shas(&select(&shop(), &[], &r).unwrap()), ["a10", "w2"]);
    }

    #[test]
    fn should_refuse_bad_requests_with_the_place_and_the_reason() {
        let e = select(
            &shop(),
            &[],
            &request(r#"[{"latest": true}, {"mainBranch": true, "branch": "x"}]"#),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "consumerVersionSelectors[1]: cannot specify mainBranch=true with any other criteria apart from consumer");
        let e = select(&shop(), &[], &request(r#"[{"matchingBranch": true}]"#)).unwrap_err();
        assert!(
            e.to_string()
                .contains("providerVersionBranch must be specified"),
            "{e}"
        );
        let mut r = request("[]");
        r.include_pending_status = true;
        r.include_wip_pacts_since = Some("yesterday".into());
        assert!(matches!(
            select(&shop(), &[], &r),
            Err(SelectionError::WipSince(_))
        ));
    }

    #[test]
    fn should_select_nothing_from_nothing() {
        assert_eq!(select(&[], &[], &request("[]")).unwrap(), []);
        let pubs = vec![publication("web", "1", "garbage time", "x")];
        assert_eq!(
            shas(&select(&pubs, &[], &request(r#"[{"latest": true}]"#)).unwrap()),
            ["x"]
        );
    }

    fn name() -> impl Strategy<Value = String> {
        // Mostly names that select something; now and then blank ones, which are refused.
        prop_oneof![
            4 => Just("a".to_string()),
            4 => Just("b".to_string()),
            1 => Just("".to_string()),
            1 => Just(" ".to_string())
        ]
    }

    fn publication_strategy() -> impl Strategy<Value = Publication> {
        (
            (
                name(),
                "[0-3]",
                proptest::option::of(name()),
                proptest::option::of(name()),
            ),
            (
                proptest::collection::vec(name(), 0..3),
                "2026-01-0[1-4]T00:00:00Z|junk",
            ),
            (
                proptest::collection::vec(name(), 0..2),
                proptest::collection::vec(name(), 0..2),
                "[x-z]",
            ),
        )
            .prop_map(
                |(
                    (consumer, consumer_version, branch, main_branch),
                    (tags, created_at),
                    (deployed_to, released_to, sha),
                )| Publication {
                    consumer,
                    consumer_version,
                    branch,
                    main_branch,
                    tags,
                    created_at,
                    deployed_to,
                    released_to,
                    sha,
                },
            )
    }

    fn verification_strategy() -> impl Strategy<Value = PastVerification> {
        (
            name(),
            "[x-z]",
            proptest::option::of(name()),
            proptest::collection::vec(name(), 0..2),
            any::<bool>(),
        )
            .prop_map(
                |(consumer, sha, provider_version_branch, provider_version_tags, success)| {
                    PastVerification {
                        consumer,
                        sha,
                        provider_version_branch,
                        provider_version_tags,
                        success,
                    }
                },
            )
    }

    fn flag() -> impl Strategy<Value = Option<bool>> {
        prop_oneof![6 => Just(None), 3 => Just(Some(true)), 1 => Just(Some(false))]
    }

    fn selector_strategy() -> impl Strategy<Value = Selector> {
        (
            (
                flag(),
                proptest::option::of(name()),
                flag(),
                proptest::option::of(name()),
            ),
            (
                proptest::option::of(name()),
                proptest::option::of(name()),
                flag(),
                proptest::option::of(name()),
            ),
            (flag(), flag(), flag(), proptest::option::of(name())),
        )
            .prop_map(
                |(
                    (main_branch, branch, matching_branch, fallback_branch),
                    (tag, fallback_tag, latest, consumer),
                    (deployed_or_released, deployed, released, environment),
                )| Selector {
                    main_branch,
                    branch,
                    matching_branch,
                    fallback_branch,
                    tag,
                    fallback_tag,
                    latest,
                    consumer,
                    deployed_or_released,
                    deployed,
                    released,
                    environment,
                },
            )
    }

    fn request_strategy() -> impl Strategy<Value = ForVerification> {
        (
            proptest::collection::vec(selector_strategy(), 0..4),
            proptest::option::of(name()),
            proptest::collection::vec(name(), 0..2),
            any::<bool>(),
            proptest::option::of(prop_oneof![
                Just("2026-01-02".to_string()),
                Just("2025-12-31T23:00:00Z".to_string()),
                Just("junk".to_string())
            ]),
        )
            .prop_map(
                |(
                    consumer_version_selectors,
                    provider_version_branch,
                    provider_version_tags,
                    include_pending_status,
                    include_wip_pacts_since,
                )| ForVerification {
                    consumer_version_selectors,
                    provider_version_branch,
                    provider_version_tags,
                    include_pending_status,
                    include_wip_pacts_since,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn should_never_panic_nor_select_one_content_twice(
            publications in proptest::collection::vec(publication_strategy(), 0..12),
            verifications in proptest::collection::vec(verification_strategy(), 0..6),
            request in request_strategy(),
        ) {
            if let Ok(selected) = select(&publications, &verifications, &request) {
                let mut seen = BTreeSet::new();
                for s in &selected {
                    prop_assert!(seen.insert(s.sha.clone()), "{} twice", s.sha);
                    prop_assert!(publications.iter().any(|p| p.sha == s.sha && p.consumer == s.consumer));
                    prop_assert!(!s.consumer_versions.is_empty());
                    prop_assert!(!s.wip || s.pending);
                    prop_assert!(!s.pending || request.include_pending_status);
                    prop_assert!(!s.notices.is_empty());
                    for v in &s.consumer_versions {
                        prop_assert!(publications.iter().any(|p| p.sha == s.sha && &p.consumer_version == v));
                    }
                }
                // Explicitly selected pacts first, WIP pacts after them.
                let first_wip = selected.iter().position(|s| s.wip).unwrap_or(selected.len());
                prop_assert!(selected[first_wip..].iter().all(|s| s.wip));
            }
        }
    }
}
