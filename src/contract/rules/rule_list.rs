//! RuleList: the rules at one path and how they combine (AND/OR), and how they cascade below
//! it.

use super::rule::MatchingRule;

/// How the rules of one list combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Logic {
    /// All must pass.
    #[default]
    And,
    /// One must pass.
    Or,
}

/// The rules that apply at one path.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleList {
    /// The rules, in the order written.
    pub rules: Vec<MatchingRule>,
    /// How they combine.
    pub logic: Logic,
}

impl RuleList {
    /// A list of one rule.
    pub fn single(rule: MatchingRule) -> Self {
        RuleList {
            rules: vec![rule],
            logic: Logic::And,
        }
    }

    /// The rules as they apply below the path they were written for: bounds on array length
    /// and container-only rules do not cascade.
    pub fn cascaded(&self) -> RuleList {
        let rules = self
            .rules
            .iter()
            .filter_map(|r| match r {
                MatchingRule::Type { .. } => Some(MatchingRule::Type {
                    min: None,
                    max: None,
                }),
                MatchingRule::Values
                | MatchingRule::ArrayContains(_)
                | MatchingRule::EachKey(_)
                | MatchingRule::EachValue(_) => None,
                other => Some(other.clone()),
            })
            .collect();
        RuleList {
            rules,
            logic: self.logic,
        }
    }
}
