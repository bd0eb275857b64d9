//! Matching XML documents (placeholder until the XML matcher lands).

use super::mismatch::{Mismatch, MismatchKind};
use crate::contract::rules::RuleCategory;

/// Compares two XML documents under body rules.
pub fn match_xml(
    expected: &str,
    actual: &str,
    _rules: &RuleCategory,
    label: &str,
) -> Vec<Mismatch> {
    if expected == actual {
        return vec![];
    }
    vec![Mismatch::new(
        MismatchKind::Body,
        format!("$.{label}"),
        "XML bodies differ",
    )]
}
