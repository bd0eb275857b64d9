//! RuleCategory: the rules of one category keyed by rule path, resolved for a location by
//! the spec's weighting, cascading from parents.

use std::collections::BTreeMap;

use super::rule::MatchingRule;
use super::rule_list::RuleList;
use crate::contract::path::{RulePath, Segment, Token};

/// The rules of one category, keyed by path (header, query and metadata rules are keyed by
/// name, i.e. the path `$.name`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleCategory {
    entries: BTreeMap<RulePath, RuleList>,
    /// The same lists as they apply below their path (see [`RuleList::cascaded`]), kept
    /// beside the originals so that resolving never allocates.
    cascaded: BTreeMap<RulePath, RuleList>,
}

/// The rules that the best-fitting path contributes at a location.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved<'a> {
    /// The rule path that won.
    pub path: &'a RulePath,
    /// Its rules, cascaded when the path is shallower than the location.
    pub rules: &'a RuleList,
    /// True when the path was written for exactly this location.
    pub exact: bool,
}

impl RuleCategory {
    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds (or replaces) the rules at `path`.
    pub fn insert(&mut self, path: RulePath, rules: RuleList) {
        self.cascaded.insert(path.clone(), rules.cascaded());
        self.entries.insert(path, rules);
    }

    /// Adds one rule at `path`, after any already there.
    pub fn add(&mut self, path: RulePath, rule: MatchingRule) {
        let list = self.entries.entry(path.clone()).or_default();
        list.rules.push(rule);
        self.cascaded.insert(path, list.cascaded());
    }

    /// All entries, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&RulePath, &RuleList)> {
        self.entries.iter()
    }

    /// The rules written for exactly this path expression.
    pub fn get(&self, path: &RulePath) -> Option<&RuleList> {
        self.entries.get(path)
    }

    /// The best rules for a location by the spec's weighting (ties go to the deeper path),
    /// cascaded from a parent when no rule names the location itself.
    pub fn resolve(&self, location: &[Segment]) -> Option<Resolved<'_>> {
        let (path, rules) = self
            .entries
            .iter()
            .map(|(p, r)| (p, r, p.weight(location)))
            .filter(|(_, _, w)| *w > 0)
            .max_by(|a, b| a.2.cmp(&b.2).then(a.0.depth().cmp(&b.0.depth())))
            .map(|(p, r, _)| (p, r))?;
        let exact = path.depth() == location.len();
        let rules = match exact {
            true => rules,
            false => self.cascaded.get(path)?,
        };
        if rules.rules.is_empty() {
            return None;
        }
        Some(Resolved { path, rules, exact })
    }

    /// True when a wildcard rule (`….*`) covers an arbitrary child key of `location`.
    pub fn wildcard_child(&self, location: &[Segment]) -> bool {
        self.entries.keys().any(|p| {
            p.depth() == location.len() + 1
                && matches!(p.tokens().last(), Some(Token::Star))
                && p.prefix_fits(location)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn resolve_prefers_exact_and_cascades_without_bounds() {
        let mut cat = RuleCategory::default();
        cat.add(
            RulePath::parse("$.a").unwrap(),
            MatchingRule::Type {
                min: Some(2),
                max: None,
            },
        );
        cat.add(RulePath::parse("$.a[*].id").unwrap(), MatchingRule::Integer);
        let a = [Segment::Key("a".into())];
        let r = cat.resolve(&a).unwrap();
        assert!(r.exact);
        assert_eq!(
            r.rules.rules[0],
            MatchingRule::Type {
                min: Some(2),
                max: None
            }
        );
        let name = [
            Segment::Key("a".into()),
            Segment::Index(0),
            Segment::Key("name".into()),
        ];
        let r = cat.resolve(&name).unwrap();
        assert!(!r.exact);
        assert_eq!(
            r.rules.rules[0],
            MatchingRule::Type {
                min: None,
                max: None
            }
        );
        let id = [
            Segment::Key("a".into()),
            Segment::Index(0),
            Segment::Key("id".into()),
        ];
        assert_eq!(
            cat.resolve(&id).unwrap().rules.rules[0],
            MatchingRule::Integer
        );
        assert!(cat.resolve(&[Segment::Key("b".into())]).is_none());
    }
}
