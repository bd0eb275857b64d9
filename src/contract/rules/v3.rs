//! The V3/V4 categorised layout of matching rules:
//! `{"body": {"$.a": {"matchers": [..], "combine": "AND"}}}`, read and written (canonical V4;
//! messages write their contents rules under `content`).

use serde_json::{json, Map, Value};

use super::category::{self, NAMED, WHOLE};
use super::error::{located, LocatedRuleError, RuleError};
use super::matching_rules::MatchingRules;
use super::rule::MatchingRule;
use super::rule_category::RuleCategory;
use super::rule_json::rule_from_json;
use super::rule_list::{Logic, RuleList};
use crate::contract::path::{RulePath, Token};

impl MatchingRules {
    /// Reads the V3/V4 layout: `{"body": {"$.a": {"matchers": [..], "combine": "AND"}}, ..}`.
    pub fn from_v3(value: &Value) -> Result<Self, LocatedRuleError> {
        let obj = value
            .as_object()
            .ok_or_else(|| located(vec![], RuleError::Shape("an object of categories".into())))?;
        let mut rules = MatchingRules::default();
        for (name, entries) in obj {
            let canonical = if name == "content" {
                category::BODY
            } else {
                name
            };
            let cat = rules.category_mut(canonical);
            read_v3_category(canonical, entries, cat).map_err(|mut e| {
                e.pointer.insert(0, name.clone());
                e
            })?;
        }
        Ok(rules)
    }

    /// The canonical V4 JSON form of an HTTP part's rules.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (name, cat) in self.categories() {
            out.insert(name.to_string(), category_to_json(name, cat));
        }
        Value::Object(out)
    }

    /// The canonical V4 JSON form of a message's rules: contents rules go under `content`,
    /// as the V4 specification and the reference implementations read them (`body` is
    /// accepted on reading).
    pub fn to_message_json(&self) -> Value {
        let mut v = self.to_json();
        if let Some(obj) = v.as_object_mut() {
            if let Some(body) = obj.remove(category::BODY) {
                obj.insert("content".into(), body);
            }
        }
        v
    }
}

pub(super) fn read_v3_category(
    name: &str,
    entries: &Value,
    cat: &mut RuleCategory,
) -> Result<(), LocatedRuleError> {
    let obj = entries
        .as_object()
        .ok_or_else(|| located(vec![], RuleError::Shape("an object of rule paths".into())))?;
    if WHOLE.contains(&name) && (obj.contains_key("matchers") || obj.is_empty()) {
        if !obj.is_empty() {
            cat.insert(RulePath::root(), rule_list_from_json(entries)?);
        }
        return Ok(());
    }
    for (key, list) in obj {
        let path = if NAMED.contains(&name) {
            RulePath::field(key)
        } else if WHOLE.contains(&name) && key.is_empty() {
            RulePath::root()
        } else {
            RulePath::parse(key).map_err(|e| located(vec![key.clone()], e.into()))?
        };
        let rules = rule_list_from_json(list).map_err(|mut e| {
            e.pointer.insert(0, key.clone());
            e
        })?;
        cat.insert(path, rules);
    }
    Ok(())
}

/// Reads `{"matchers": [..], "combine": "AND"|"OR"}`.
fn rule_list_from_json(value: &Value) -> Result<RuleList, LocatedRuleError> {
    let matchers = value
        .get("matchers")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            located(
                vec![],
                RuleError::Shape("`matchers`: an array of rules".into()),
            )
        })?;
    let logic = match value.get("combine").and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("or") => Logic::Or,
        _ => Logic::And,
    };
    let rules = matchers
        .iter()
        .enumerate()
        .map(|(i, m)| {
            rule_from_json(m).map_err(|e| located(vec!["matchers".into(), i.to_string()], e))
        })
        .collect::<Result<_, _>>()?;
    Ok(RuleList { rules, logic })
}

pub(super) fn category_to_json(name: &str, cat: &RuleCategory) -> Value {
    if WHOLE.contains(&name) {
        if let Some(list) = cat.get(&RulePath::root()) {
            return rule_list_to_json(list);
        }
    }
    let mut out = Map::new();
    for (path, list) in cat.iter() {
        let key = match (NAMED.contains(&name), path.tokens()) {
            (true, [_, Token::Field(n)]) => n.clone(),
            _ => path.to_string(),
        };
        out.insert(key, rule_list_to_json(list));
    }
    Value::Object(out)
}

fn rule_list_to_json(list: &RuleList) -> Value {
    let combine = match list.logic {
        Logic::And => "AND",
        Logic::Or => "OR",
    };
    json!({
        "combine": combine,
        "matchers": list.rules.iter().map(MatchingRule::to_json).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::rules::RuleError;
    #[test]
    fn reads_v3_categories_and_writes_them_back() {
        let v = json!({
            "body": {"$.a[*].b": {"matchers": [{"match": "type", "min": 1}], "combine": "OR"}},
            "header": {"Content-Type": {"matchers": [{"match": "regex", "regex": "text/.*"}]}},
            "path": {"matchers": [{"match": "regex", "regex": "/x/\\d+"}]},
            "status": {"matchers": [{"match": "statusCode", "status": "success"}]}
        });
        let rules = MatchingRules::from_json(&v).unwrap();
        let again = MatchingRules::from_json(&rules.to_json()).unwrap();
        assert_eq!(rules, again);
        let list = rules
            .category("body")
            .get(&RulePath::parse("$.a[*].b").unwrap())
            .unwrap();
        assert_eq!(list.logic, Logic::Or);
        assert_eq!(
            list.rules,
            vec![MatchingRule::Type {
                min: Some(1),
                max: None
            }]
        );
        assert!(rules.category("path").get(&RulePath::root()).is_some());
    }

    #[test]
    fn errors_name_where_they_are() {
        let v = json!({"body": {"$.a": {"matchers": [{"match": "type"}, {"match": "bogus"}]}}});
        let err = MatchingRules::from_json(&v).unwrap_err();
        assert_eq!(err.pointer, vec!["body", "$.a", "matchers", "1"]);
        assert_eq!(err.error, RuleError::UnknownMatcher("bogus".into()));
        let v = json!({"body": {"$.a": {"matchers": [{"match": "regex", "regex": "("}]}}});
        assert!(matches!(
            MatchingRules::from_json(&v).unwrap_err().error,
            RuleError::BadRegex { .. }
        ));
    }
}
