//! What selection looks at: the provider's published pacts and its past verification
//! results, as the broker's store hands them over.

/// A published pact of the provider, with what selectors look at.
///
/// Give `select` every publication of the provider (any order); when one consumer version
/// was published more than once, the latest publication (by `created_at`) is the one that
/// counts, as the broker keeps only the latest revision of a version's pact.
///
/// ```
/// use shakedown::broker::selection::Publication;
/// let web_1 = Publication {
///     consumer: "web".into(),
///     consumer_version: "1.0.0".into(),
///     branch: Some("main".into()),
///     main_branch: Some("main".into()),
///     tags: vec![],
///     created_at: "2026-01-01T10:00:00Z".into(),
///     deployed_to: vec!["production".into()],
///     released_to: vec![],
///     sha: "0e3369199f40".into(),
/// };
/// assert_eq!(web_1.branch.as_deref(), web_1.main_branch.as_deref());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    /// The consumer's name.
    pub consumer: String,
    /// The consumer version the pact was published for.
    pub consumer_version: String,
    /// The consumer version's branch.
    pub branch: Option<String>,
    /// The consumer's main branch (`mainBranch` of the pacticipant).
    pub main_branch: Option<String>,
    /// The consumer version's tags.
    pub tags: Vec<String>,
    /// RFC 3339, when this consumer version's pact was published: what orders "latest" (a
    /// time that does not parse counts as older than every time that does).
    pub created_at: String,
    /// Environments this consumer version is currently deployed to.
    pub deployed_to: Vec<String>,
    /// Environments this consumer version is a currently supported release in.
    pub released_to: Vec<String>,
    /// The pact content's digest: the identity of the content.
    pub sha: String,
}

/// A verification result the provider published.
///
/// Give `select` the provider's verification results in the order they were published:
/// "before the provider branch (or tag) was first used" is read from that order (a branch is
/// first used by its first verification result).
///
/// ```
/// use shakedown::broker::selection::PastVerification;
/// let ok = PastVerification {
///     consumer: "web".into(),
///     sha: "0e3369199f40".into(),
///     provider_version_branch: Some("main".into()),
///     provider_version_tags: vec![],
///     success: true,
/// };
/// assert!(ok.success);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PastVerification {
    /// The consumer whose pact was verified.
    pub consumer: String,
    /// The digest of the verified pact content.
    pub sha: String,
    /// The branch of the provider version that verified it.
    pub provider_version_branch: Option<String>,
    /// The tags of the provider version that verified it.
    pub provider_version_tags: Vec<String>,
    /// Whether the verification passed.
    pub success: bool,
}
