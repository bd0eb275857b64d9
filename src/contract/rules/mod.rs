//! Matching rules: the matcher vocabulary of Pact V1–V4, grouped into categories (body,
//! header, query, path, status, metadata) and keyed by rule path, with readers for the V2
//! flat and V3/V4 categorised layouts and a canonical V4 writer.

mod budget;
pub mod category;
mod error;
mod matching_rules;
mod pattern;
mod rule;
mod rule_category;
mod rule_json;
mod rule_list;
mod status;
mod v2;
mod v3;

pub use budget::{with_budget, OverBudget, BACKTRACKING_BUDGET};
pub use error::RuleError;
pub use matching_rules::MatchingRules;
pub use pattern::{Pattern, DFA_SIZE_LIMIT, SIZE_LIMIT};
pub use rule::{ArrayVariant, MatchingRule};
pub use rule_category::RuleCategory;
pub use rule_json::rule_from_json;
pub use rule_list::{Logic, RuleList};
pub use status::StatusClass;
