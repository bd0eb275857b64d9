//! One consumer version selector (`consumerVersionSelectors[]`), and the combinations the
//! broker refuses.

use super::error::SelectorProblem;

/// One consumer version selector (docs/provider-pacts-for-verification.md), camelCase.
///
/// ```
/// use shakedown::broker::selection::Selector;
/// let s: Selector = serde_json::from_str(r#"{"branch": "main", "consumer": "web"}"#).unwrap();
/// assert_eq!(s.branch.as_deref(), Some("main"));
/// assert_eq!(s.consumer.as_deref(), Some("web"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    /// The latest pact of each consumer's main branch (only `true`).
    pub main_branch: Option<bool>,
    /// The latest pact of each consumer from this branch.
    pub branch: Option<String>,
    /// The latest pact of each consumer from the branch named like `providerVersionBranch`
    /// (only `true`).
    pub matching_branch: Option<bool>,
    /// With `branch`: the branch used when no pact is found from `branch`.
    pub fallback_branch: Option<String>,
    /// Consumer versions with this tag (all of them, or with `latest`, each consumer's latest).
    pub tag: Option<String>,
    /// With `tag` and `latest`: the tag used when no pact is found with `tag`.
    pub fallback_tag: Option<String>,
    /// With `tag`: only the latest; alone: the latest pact of each consumer.
    pub latest: Option<bool>,
    /// Only this consumer's pacts.
    pub consumer: Option<String>,
    /// Versions currently deployed or released (only `true`).
    pub deployed_or_released: Option<bool>,
    /// Versions currently deployed (only `true`).
    pub deployed: Option<bool>,
    /// Versions currently released and supported (only `true`).
    pub released: Option<bool>,
    /// Only in this environment (with `deployed`/`released`; alone: either).
    pub environment: Option<String>,
}

impl Selector {
    /// The first reason the broker would refuse this selector, if any (`provider_branch` is
    /// the request's `providerVersionBranch`, which `matchingBranch` needs).
    pub(super) fn problem(&self, provider_branch: Option<&str>) -> Option<SelectorProblem> {
        self.flag_problem()
            .or_else(|| self.blank_problem())
            .or_else(|| self.nothing_selected())
            .or_else(|| self.main_branch_problem())
            .or_else(|| self.matching_branch_problem(provider_branch))
            .or_else(|| self.mixed_problem())
            .or_else(|| self.fallback_problem())
            .or_else(|| self.environment_problem())
    }

    fn flag_problem(&self) -> Option<SelectorProblem> {
        [
            ("mainBranch", self.main_branch),
            ("matchingBranch", self.matching_branch),
            ("deployed", self.deployed),
            ("released", self.released),
            ("deployedOrReleased", self.deployed_or_released),
        ]
        .into_iter()
        .find(|(_, flag)| *flag == Some(false))
        .map(|(name, _)| SelectorProblem::FalseFlag(name))
    }

    fn blank_problem(&self) -> Option<SelectorProblem> {
        [
            ("branch", &self.branch),
            ("fallbackBranch", &self.fallback_branch),
            ("tag", &self.tag),
            ("fallbackTag", &self.fallback_tag),
            ("consumer", &self.consumer),
            ("environment", &self.environment),
        ]
        .into_iter()
        .find(|(_, value)| value.as_deref().is_some_and(|v| v.trim().is_empty()))
        .map(|(name, _)| SelectorProblem::Blank(name))
    }

    fn nothing_selected(&self) -> Option<SelectorProblem> {
        let selects = self.main_branch.is_some()
            || self.matching_branch.is_some()
            || self.branch.is_some()
            || self.tag.is_some()
            || self.environment.is_some()
            || self.deployed.is_some()
            || self.released.is_some()
            || self.deployed_or_released.is_some()
            || self.latest == Some(true);
        (!selects).then_some(SelectorProblem::NothingSelected)
    }

    fn main_branch_problem(&self) -> Option<SelectorProblem> {
        self.main_branch?;
        if self.fields_other_than(&["mainBranch", "latest"]) {
            Some(SelectorProblem::MainBranchWithOthers)
        } else if self.latest == Some(false) {
            Some(SelectorProblem::MainBranchNotLatest)
        } else {
            None
        }
    }

    fn matching_branch_problem(&self, provider_branch: Option<&str>) -> Option<SelectorProblem> {
        self.matching_branch?;
        if self.fields_other_than(&["matchingBranch"]) {
            Some(SelectorProblem::MatchingBranchWithOthers)
        } else if provider_branch.is_none_or(|b| b.trim().is_empty()) {
            Some(SelectorProblem::MatchingBranchWithoutProviderBranch)
        } else {
            None
        }
    }

    fn mixed_problem(&self) -> Option<SelectorProblem> {
        if self.tag.is_some() && self.branch.is_some() {
            return Some(SelectorProblem::TagAndBranch);
        }
        let branch_fields = self.given(&BRANCH_FIELDS);
        let environment_fields = self.given(&ENVIRONMENT_FIELDS);
        (!branch_fields.is_empty() && !environment_fields.is_empty()).then_some(
            SelectorProblem::BranchWithEnvironment {
                branch_fields,
                environment_fields,
            },
        )
    }

    fn fallback_problem(&self) -> Option<SelectorProblem> {
        if self.fallback_tag.is_some() && self.latest != Some(true) {
            Some(SelectorProblem::FallbackTagWithoutLatest)
        } else if self.fallback_tag.is_some() && self.tag.is_none() {
            Some(SelectorProblem::FallbackTagWithoutTag)
        } else if self.fallback_branch.is_some() && self.branch.is_none() {
            Some(SelectorProblem::FallbackBranchWithoutBranch)
        } else if self.fallback_branch.is_some() && self.latest == Some(false) {
            Some(SelectorProblem::FallbackBranchNotLatest)
        } else if self.branch.is_some() && self.latest == Some(false) {
            Some(SelectorProblem::BranchNotLatest)
        } else {
            None
        }
    }

    fn environment_problem(&self) -> Option<SelectorProblem> {
        let (deployed, released, either) = (
            self.deployed.is_some(),
            self.released.is_some(),
            self.deployed_or_released.is_some(),
        );
        if deployed && released {
            Some(SelectorProblem::DeployedAndReleased)
        } else if deployed && either {
            Some(SelectorProblem::DeployedAndDeployedOrReleased)
        } else if released && either {
            Some(SelectorProblem::ReleasedAndDeployedOrReleased)
        } else {
            None
        }
    }

    /// The camelCase names of the fields given, among `names`, sorted.
    fn given(&self, names: &[&'static str]) -> Vec<&'static str> {
        let mut given: Vec<&'static str> = names
            .iter()
            .copied()
            .filter(|name| self.has(name))
            .collect();
        given.sort_unstable();
        given
    }

    /// Whether a field other than `consumer` and `allowed` is given.
    fn fields_other_than(&self, allowed: &[&str]) -> bool {
        BRANCH_FIELDS
            .iter()
            .chain(ENVIRONMENT_FIELDS.iter())
            .any(|name| !allowed.contains(name) && self.has(name))
    }

    fn has(&self, name: &str) -> bool {
        match name {
            "latest" => self.latest.is_some(),
            "tag" => self.tag.is_some(),
            "fallbackTag" => self.fallback_tag.is_some(),
            "branch" => self.branch.is_some(),
            "fallbackBranch" => self.fallback_branch.is_some(),
            "matchingBranch" => self.matching_branch.is_some(),
            "mainBranch" => self.main_branch.is_some(),
            "environment" => self.environment.is_some(),
            "deployed" => self.deployed.is_some(),
            "released" => self.released.is_some(),
            "deployedOrReleased" => self.deployed_or_released.is_some(),
            _ => false,
        }
    }
}

/// The fields about branches, tags and recency (the broker's `BRANCH_KEYS`).
const BRANCH_FIELDS: [&str; 7] = [
    "latest",
    "tag",
    "fallbackTag",
    "branch",
    "fallbackBranch",
    "matchingBranch",
    "mainBranch",
];

/// The fields about environments (the broker's `ENVIRONMENT_KEYS`).
const ENVIRONMENT_FIELDS: [&str; 4] = ["environment", "deployed", "released", "deployedOrReleased"];

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Selector {
        serde_json::from_str(json).unwrap()
    }

    fn problem(json: &str) -> Option<String> {
        parse(json).problem(Some("main")).map(|p| p.to_string())
    }

    #[test]
    fn should_accept_every_documented_selector() {
        for ok in [
            r#"{"mainBranch": true}"#,
            r#"{"mainBranch": true, "latest": true, "consumer": "web"}"#,
            r#"{"branch": "main"}"#,
            r#"{"branch": "feat", "fallbackBranch": "main"}"#,
            r#"{"matchingBranch": true}"#,
            r#"{"tag": "prod"}"#,
            r#"{"tag": "prod", "latest": true}"#,
            r#"{"tag": "feat", "latest": true, "fallbackTag": "main"}"#,
            r#"{"latest": true}"#,
            r#"{"latest": true, "consumer": "web"}"#,
            r#"{"deployedOrReleased": true}"#,
            r#"{"deployed": true, "environment": "production"}"#,
            r#"{"released": true}"#,
            r#"{"environment": "production"}"#,
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn should_refuse_the_combinations_the_broker_refuses() {
        for (bad, message) in [
            (r#"{}"#, "must specify a value for environment"),
            (r#"{"consumer": "web"}"#, "must specify a value"),
            (r#"{"latest": false}"#, "must specify a value"),
            (
                r#"{"mainBranch": true, "branch": "main"}"#,
                "cannot specify mainBranch=true with any other criteria apart from consumer",
            ),
            (
                r#"{"mainBranch": true, "latest": false}"#,
                "cannot specify mainBranch=true with latest=false",
            ),
            (
                r#"{"mainBranch": false}"#,
                "mainBranch can only be set to true",
            ),
            (
                r#"{"matchingBranch": true, "tag": "x"}"#,
                "cannot specify matchingBranch=true with any other criteria",
            ),
            (
                r#"{"tag": "a", "branch": "b"}"#,
                "cannot specify both a tag and a branch",
            ),
            (
                r#"{"branch": "b", "deployed": true}"#,
                "cannot specify the field branch with the field deployed",
            ),
            (
                r#"{"tag": "t", "latest": true, "environment": "e", "released": true}"#,
                "cannot specify the fields latest/tag with the fields environment/released",
            ),
            (
                r#"{"tag": "t", "fallbackTag": "u"}"#,
                "fallbackTag can only be set if latest is true",
            ),
            (
                r#"{"latest": true, "fallbackTag": "u"}"#,
                "a tag must be specified when a fallbackTag is specified",
            ),
            (
                r#"{"latest": true, "fallbackBranch": "u"}"#,
                "a branch must be specified when a fallbackBranch is specified",
            ),
            (
                r#"{"branch": "b", "fallbackBranch": "u", "latest": false}"#,
                "fallbackBranch can only be set if latest is true",
            ),
            (
                r#"{"branch": "b", "latest": false}"#,
                "cannot specify a branch with latest=false",
            ),
            (
                r#"{"deployed": true, "released": true}"#,
                "cannot specify both deployed=true and released=true",
            ),
            (
                r#"{"deployed": true, "deployedOrReleased": true}"#,
                "cannot specify both deployed=true and deployedOrReleased=true",
            ),
            (
                r#"{"released": true, "deployedOrReleased": true}"#,
                "cannot specify both released=true and deployedOrReleased=true",
            ),
            (r#"{"branch": " "}"#, "branch must not be blank"),
            (
                r#"{"latest": true, "consumer": ""}"#,
                "consumer must not be blank",
            ),
        ] {
            let found = problem(bad).unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(found.contains(message), "{bad}: {found}");
        }
    }

    #[test]
    fn should_need_the_provider_branch_for_matching_branch() {
        let s = parse(r#"{"matchingBranch": true}"#);
        assert_eq!(
            s.problem(None),
            Some(SelectorProblem::MatchingBranchWithoutProviderBranch)
        );
        assert_eq!(
            s.problem(Some("")),
            Some(SelectorProblem::MatchingBranchWithoutProviderBranch)
        );
        assert_eq!(s.problem(Some("feat")), None);
    }
}
