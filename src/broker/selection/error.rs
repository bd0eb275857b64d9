//! Why a request for pacts for verification is refused (the server answers 400 with the
//! message), in the broker's own words.

/// A request that cannot be answered.
///
/// ```
/// use shakedown::broker::selection::{SelectionError, SelectorProblem};
/// let e = SelectionError::Selector { index: 0, problem: SelectorProblem::TagAndBranch };
/// assert_eq!(e.to_string(), "consumerVersionSelectors[0]: cannot specify both a tag and a branch");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SelectionError {
    /// One consumer version selector is invalid.
    #[error("consumerVersionSelectors[{index}]: {problem}")]
    Selector {
        /// Its position in `consumerVersionSelectors`.
        index: usize,
        /// What is wrong with it.
        problem: SelectorProblem,
    },
    /// `includeWipPactsSince` is neither a date nor a time.
    #[error("includeWipPactsSince: expected a date (2026-01-31) or an RFC 3339 time (2026-01-31T12:00:00Z), got {0:?}")]
    WipSince(String),
    /// `providerVersionBranch` is blank (spaces).
    #[error("providerVersionBranch: must not be blank")]
    BlankProviderBranch,
    /// `providerVersionBranch` is empty while pending or WIP status needs it.
    #[error("providerVersionBranch: when pending or WIP pacts are enabled and there are no tags provided, the provider version branch must not be an empty string, as it is used in the calculations for WIP/pending. A value must be provided (recommended), or it must not be set at all.")]
    EmptyProviderBranch,
}

/// What is wrong with one consumer version selector.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SelectorProblem {
    /// Nothing that selects versions.
    #[error("must specify a value for environment or tag or branch, or specify mainBranch=true, matchingBranch=true, latest=true, deployed=true, released=true or deployedOrReleased=true")]
    NothingSelected,
    /// A flag that may only be `true` was `false`.
    #[error("{0} can only be set to true (leave it out instead)")]
    FalseFlag(&'static str),
    /// A name that is empty or only spaces.
    #[error("{0} must not be blank")]
    Blank(&'static str),
    /// `mainBranch` with other criteria.
    #[error("cannot specify mainBranch=true with any other criteria apart from consumer")]
    MainBranchWithOthers,
    /// `mainBranch` with `latest: false`.
    #[error("cannot specify mainBranch=true with latest=false")]
    MainBranchNotLatest,
    /// `matchingBranch` with other criteria.
    #[error("cannot specify matchingBranch=true with any other criteria apart from consumer")]
    MatchingBranchWithOthers,
    /// `matchingBranch` without `providerVersionBranch`.
    #[error(
        "the providerVersionBranch must be specified when the selector matchingBranch=true is used"
    )]
    MatchingBranchWithoutProviderBranch,
    /// Both `tag` and `branch`.
    #[error("cannot specify both a tag and a branch")]
    TagAndBranch,
    /// Branch or tag fields with environment fields.
    #[error("cannot specify the {} {} with the {} {}", field_word(.branch_fields), .branch_fields.join("/"), field_word(.environment_fields), .environment_fields.join("/"))]
    BranchWithEnvironment {
        /// The branch and tag fields given.
        branch_fields: Vec<&'static str>,
        /// The environment fields given.
        environment_fields: Vec<&'static str>,
    },
    /// `fallbackTag` without `latest: true`.
    #[error("fallbackTag can only be set if latest is true")]
    FallbackTagWithoutLatest,
    /// `fallbackTag` without `tag`.
    #[error("a tag must be specified when a fallbackTag is specified")]
    FallbackTagWithoutTag,
    /// `fallbackBranch` without `branch`.
    #[error("a branch must be specified when a fallbackBranch is specified")]
    FallbackBranchWithoutBranch,
    /// `fallbackBranch` with `latest: false`.
    #[error("fallbackBranch can only be set if latest is true")]
    FallbackBranchNotLatest,
    /// `branch` with `latest: false`.
    #[error("cannot specify a branch with latest=false")]
    BranchNotLatest,
    /// Both `deployed` and `released`.
    #[error("cannot specify both deployed=true and released=true")]
    DeployedAndReleased,
    /// Both `deployed` and `deployedOrReleased`.
    #[error("cannot specify both deployed=true and deployedOrReleased=true")]
    DeployedAndDeployedOrReleased,
    /// Both `released` and `deployedOrReleased`.
    #[error("cannot specify both released=true and deployedOrReleased=true")]
    ReleasedAndDeployedOrReleased,
}

fn field_word(fields: &[&str]) -> &'static str {
    if fields.len() == 1 {
        "field"
    } else {
        "fields"
    }
}
