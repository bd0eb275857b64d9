//! MatchingRules: all the rules of one part of an interaction (request, response or
//! message), by category; reading either wire layout.

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::LocatedRuleError;
use super::rule_category::RuleCategory;

/// All matching rules of one part of an interaction (request, response or message).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatchingRules {
    categories: BTreeMap<String, RuleCategory>,
}

impl MatchingRules {
    /// True when no category has rules.
    pub fn is_empty(&self) -> bool {
        self.categories.values().all(RuleCategory::is_empty)
    }

    /// The rules of a category (empty when absent).
    pub fn category(&self, name: &str) -> &RuleCategory {
        static EMPTY: std::sync::OnceLock<RuleCategory> = std::sync::OnceLock::new();
        self.categories
            .get(name)
            .unwrap_or_else(|| EMPTY.get_or_init(RuleCategory::default))
    }

    /// The rules of a category, to add to.
    pub fn category_mut(&mut self, name: &str) -> &mut RuleCategory {
        self.categories.entry(name.to_string()).or_default()
    }

    /// Categories with rules, by name.
    pub fn categories(&self) -> impl Iterator<Item = (&str, &RuleCategory)> {
        self.categories
            .iter()
            .filter(|(_, c)| !c.is_empty())
            .map(|(n, c)| (n.as_str(), c))
    }

    /// Reads either layout, telling them apart by their keys.
    pub fn from_json(value: &Value) -> Result<Self, LocatedRuleError> {
        let flat = value
            .as_object()
            .is_some_and(|o| !o.is_empty() && o.keys().all(|k| k.starts_with('$')));
        if flat {
            Self::from_v2(value)
        } else {
            Self::from_v3(value)
        }
    }
}
