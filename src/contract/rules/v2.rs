//! The V2 flat layout of matching rules: `{"$.body.a": {"match": "type"}}`, one rule per
//! path, the category in the path.

use serde_json::Value;

use super::category;
use super::error::{located, LocatedRuleError, RuleError};
use super::matching_rules::MatchingRules;
use super::rule_json::rule_from_json;
use crate::contract::path::{RulePath, Token};

impl MatchingRules {
    /// Reads the V2 flat layout: `{"$.body.a": {"match": "type"}, "$.headers.Accept": {..}}`.
    pub fn from_v2(value: &Value) -> Result<Self, LocatedRuleError> {
        let obj = value
            .as_object()
            .ok_or_else(|| located(vec![], RuleError::Shape("an object of rule paths".into())))?;
        let mut rules = MatchingRules::default();
        for (key, def) in obj {
            let at = |e: RuleError| located(vec![key.clone()], e);
            let (cat, path) = split_v2_key(key).map_err(at)?;
            let rule = rule_from_json(def).map_err(at)?;
            rules.category_mut(cat).add(path, rule);
        }
        Ok(rules)
    }
}

fn split_v2_key(key: &str) -> Result<(&'static str, RulePath), RuleError> {
    let full = RulePath::parse(key)?;
    let tokens = full.tokens();
    let head = match tokens.get(1) {
        Some(Token::Field(f)) => f.as_str(),
        _ => {
            return Err(RuleError::Shape(
                "a path starting `$.body`, `$.headers`, `$.query` or `$.path`".into(),
            ))
        }
    };
    let cat = match head {
        "body" => category::BODY,
        "headers" | "header" => category::HEADER,
        "query" => category::QUERY,
        "path" => category::PATH,
        "status" => category::STATUS,
        "metadata" | "metaData" => category::METADATA,
        _ => {
            return Err(RuleError::Shape(
                "a path starting `$.body`, `$.headers`, `$.query` or `$.path`".into(),
            ))
        }
    };
    let mut path = RulePath::root();
    for t in &tokens[2..] {
        path = path.join(t.clone());
    }
    Ok((cat, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[test]
    fn reads_v2_flat_rules() {
        let v = json!({
            "$.body.animals": {"min": 1, "match": "type"},
            "$.body.animals[*].name": {"regex": "\\w+"},
            "$.headers.Accept": {"match": "regex", "regex": "json"},
            "$.query.q": {"match": "type"},
            "$.path": {"regex": "/a/.*"}
        });
        let rules = MatchingRules::from_json(&v).unwrap();
        assert!(rules
            .category("header")
            .get(&RulePath::field("Accept"))
            .is_some());
        assert!(rules.category("query").get(&RulePath::field("q")).is_some());
        assert!(rules.category("path").get(&RulePath::root()).is_some());
        assert_eq!(rules.category("body").iter().count(), 2);
    }
}
