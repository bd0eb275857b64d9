//! Contract diff: what changed between two versions of a contract, and whether each change
//! can break the provider (a new expectation, a stricter rule, another status …).

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::contract::{
    category, Body, Interaction, InteractionKind, MatchingRule, MatchingRules, Message, RuleList,
    Segment,
};

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// True when the provider may no longer honour the contract.
    pub breaking: bool,
    /// The interaction it is in.
    pub interaction: String,
    /// What changed.
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = if self.breaking {
            "BREAKING"
        } else {
            "safe    "
        };
        write!(f, "{tag}  {:?}: {}", self.interaction, self.what)
    }
}

/// Every change from `old` to `new`, breaking ones first.
///
/// ```
/// use shakedown::contract::Pact;
/// use shakedown::gate::diff;
/// let old = Pact::from_str(r#"{"interactions": [{"description": "get", "request": {"path": "/a"},
///   "response": {"status": 200, "body": {"id": 1}}}]}"#).unwrap();
/// let new = Pact::from_str(r#"{"interactions": [{"description": "get", "request": {"path": "/a"},
///   "response": {"status": 200, "body": {"id": 1, "name": "x"}}}]}"#).unwrap();
/// let changes = diff(&old, &new);
/// assert!(changes[0].breaking);
/// assert_eq!(changes[0].what, "the response body now expects $.name");
/// ```
pub fn diff(old: &crate::contract::Pact, new: &crate::contract::Pact) -> Vec<Change> {
    // Interactions are paired by identity through an index: the first old interaction of
    // each identity, as a linear search from the front would find it.
    let mut first_old = HashMap::new();
    for o in &old.interactions {
        first_old.entry(o.identity_key()).or_insert(o);
    }
    let mut out = Vec::new();
    for n in &new.interactions {
        match first_old.get(&n.identity_key()) {
            None => out.push(change(
                true,
                n,
                "new interaction: the provider must now honour it".into(),
            )),
            Some(o) => out.extend(diff_interaction(o, n)),
        }
    }
    let in_new: HashSet<_> = new.interactions.iter().map(|n| n.identity_key()).collect();
    for o in old
        .interactions
        .iter()
        .filter(|o| !in_new.contains(&o.identity_key()))
    {
        out.push(change(false, o, "interaction removed".into()));
    }
    out.sort_by_key(|c| !c.breaking);
    out
}

fn change(breaking: bool, i: &Interaction, what: String) -> Change {
    Change {
        breaking,
        interaction: i.description.clone(),
        what,
    }
}

fn diff_interaction(o: &Interaction, n: &Interaction) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |breaking: bool, what: String| out.push(change(breaking, n, what));
    match (&o.kind, &n.kind) {
        (
            InteractionKind::Http {
                request: oq,
                response: or,
            },
            InteractionKind::Http {
                request: nq,
                response: nr,
            },
        ) => {
            if oq.to_json() != nq.to_json() {
                for field in [
                    "method",
                    "path",
                    "query",
                    "headers",
                    "body",
                    "matchingRules",
                ] {
                    if oq.to_json().get(field) != nq.to_json().get(field) {
                        push(true, format!("the request's {field} changed: the provider must accept what the consumer now sends"));
                    }
                }
            }
            if or.status != nr.status {
                push(
                    true,
                    format!(
                        "the response status changed from {} to {}",
                        or.status, nr.status
                    ),
                );
            }
            for (name, values) in &nr.headers {
                match crate::contract::header(&or.headers, name) {
                    None => push(true, format!("the response now expects header {name}")),
                    Some(old) if old != values.as_slice() => {
                        push(true, format!("the response header {name} changed"))
                    }
                    _ => {}
                }
            }
            for name in or
                .headers
                .keys()
                .filter(|k| crate::contract::header(&nr.headers, k).is_none())
            {
                push(
                    false,
                    format!("the response no longer expects header {name}"),
                );
            }
            for (breaking, what) in
                diff_body(&or.body, &nr.body, &or.matching_rules, &nr.matching_rules)
            {
                push(breaking, format!("the response body {what}"));
            }
        }
        (InteractionKind::Message(om), InteractionKind::Message(nm)) => {
            for (breaking, what) in diff_message(om, nm) {
                push(breaking, what);
            }
        }
        (
            InteractionKind::SyncMessage { responses: or, .. },
            InteractionKind::SyncMessage { responses: nr, .. },
        ) => {
            for (om, nm) in or.iter().zip(nr) {
                for (breaking, what) in diff_message(om, nm) {
                    push(breaking, what);
                }
            }
        }
        _ => push(true, "the interaction's kind changed".into()),
    }
    out
}

fn diff_message(o: &Message, n: &Message) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = diff_body(
        &o.contents,
        &n.contents,
        &o.matching_rules,
        &n.matching_rules,
    )
    .into_iter()
    .map(|(b, w)| (b, format!("the message contents {w}")))
    .collect();
    for (k, v) in &n.metadata {
        match o.metadata.get(k) {
            None => out.push((true, format!("the message now expects metadata {k}"))),
            Some(old) if old != v => out.push((true, format!("the message metadata {k} changed"))),
            _ => {}
        }
    }
    out
}

/// The rules that apply at a location, and whether they were written for it exactly.
fn rules_at(rules: &MatchingRules, path: &[Segment]) -> Option<(RuleList, bool)> {
    rules
        .category(category::BODY)
        .resolve(path)
        .map(|r| (r.rules.clone(), r.exact))
}

/// How strict a rule is: 1 type, 2 kind (number, boolean …), 3 format (regex, date …),
/// 4 equality (also: no rule at all).
fn rank(rule: &MatchingRule) -> u8 {
    match rule {
        MatchingRule::Type { .. }
        | MatchingRule::Values
        | MatchingRule::EachKey(_)
        | MatchingRule::EachValue(_)
        | MatchingRule::NotEmpty => 1,
        MatchingRule::Integer
        | MatchingRule::Decimal
        | MatchingRule::Number
        | MatchingRule::Boolean
        | MatchingRule::Null
        | MatchingRule::ArrayContains(_) => 2,
        MatchingRule::Equality => 4,
        _ => 3,
    }
}

fn strictness(list: Option<&RuleList>) -> u8 {
    list.map_or(4, |l| l.rules.iter().map(rank).max().unwrap_or(4))
}

/// How the rules at one location changed: `Some(true)` stricter, `Some(false)` looser.
fn rule_change(old: Option<&RuleList>, new: Option<&RuleList>) -> Option<bool> {
    if old == new {
        return None;
    }
    let (so, sn) = (strictness(old), strictness(new));
    if sn != so {
        return Some(sn > so);
    }
    match (old.map(|l| &l.rules[..]), new.map(|l| &l.rules[..])) {
        (
            Some([MatchingRule::Type { min: a, max: b }]),
            Some([MatchingRule::Type { min: c, max: d }]),
        ) => {
            let tighter_min = c.unwrap_or(0) > a.unwrap_or(0);
            let tighter_max = d.unwrap_or(usize::MAX) < b.unwrap_or(usize::MAX);
            Some(tighter_min || tighter_max)
        }
        // Same strictness, other rules (another regex, integer instead of decimal …): a
        // value that passed before may not now.
        _ => Some(true),
    }
}

fn describe(list: Option<&RuleList>) -> String {
    match list {
        None => "equality".into(),
        Some(l) => l
            .rules
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

fn diff_body(
    o: &Body,
    n: &Body,
    orules: &MatchingRules,
    nrules: &MatchingRules,
) -> Vec<(bool, String)> {
    match (o, n) {
        (_, Body::Missing) if !o.is_missing() => {
            return vec![(false, "is no longer checked".into())]
        }
        (Body::Missing, _) if !n.is_missing() => return vec![(true, "is now checked".into())],
        _ => {}
    }
    match (o.as_json(), n.as_json()) {
        (Some(a), Some(b)) => {
            let mut out = Vec::new();
            walk(&a, &b, &mut Vec::new(), orules, nrules, &mut out);
            out
        }
        _ if o.bytes() == n.bytes() => vec![],
        _ => vec![(true, "changed".into())],
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn walk(
    o: &Value,
    n: &Value,
    path: &mut Vec<Segment>,
    orules: &MatchingRules,
    nrules: &MatchingRules,
    out: &mut Vec<(bool, String)>,
) {
    let at = crate::contract::location_string(path);
    let (old_rules, new_rules) = (rules_at(orules, path), rules_at(nrules, path));
    let (ol, nl) = (
        old_rules.as_ref().map(|r| &r.0),
        new_rules.as_ref().map(|r| &r.0),
    );
    let exact = old_rules.as_ref().is_some_and(|r| r.1) || new_rules.as_ref().is_some_and(|r| r.1);
    if exact || ol.is_none() != nl.is_none() {
        if let Some(stricter) = rule_change(ol, nl) {
            let verb = if stricter {
                "more strictly"
            } else {
                "more loosely"
            };
            out.push((
                stricter,
                format!(
                    "matches {at} {verb}: {} instead of {}",
                    describe(nl),
                    describe(ol)
                ),
            ));
        }
    }
    let rule_free = nl.is_none();
    match (o, n) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                path.push(Segment::Key(k.clone()));
                match a.get(k) {
                    Some(old) => walk(old, v, path, orules, nrules, out),
                    None => out.push((
                        true,
                        format!("now expects {}", crate::contract::location_string(path)),
                    )),
                }
                path.pop();
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                path.push(Segment::Key(k.clone()));
                out.push((
                    false,
                    format!(
                        "no longer expects {}",
                        crate::contract::location_string(path)
                    ),
                ));
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if rule_free && a.len() != b.len() {
                out.push((
                    true,
                    format!(
                        "expects {} elements at {at} instead of {}",
                        b.len(),
                        a.len()
                    ),
                ));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push(Segment::Index(i));
                walk(x, y, path, orules, nrules, out);
                path.pop();
            }
        }
        _ if kind(o) != kind(n) => out.push((
            true,
            format!("expects {at} to be {} instead of {}", kind(n), kind(o)),
        )),
        _ if o != n && strictness(nl) >= 4 => {
            out.push((true, format!("expects {at} to be {n} instead of {o}")))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::Pact;

    fn pact(body: &str, rules: &str) -> Pact {
        let text = format!(
            r#"{{"metadata": {{"pactSpecification": {{"version": "3.0.0"}}}}, "interactions": [{{"description": "d", "request": {{"path": "/"}},
            "response": {{"status": 200, "body": {body}, "matchingRules": {{"body": {rules}}}}}}}]}}"#
        );
        Pact::from_str(&text).unwrap()
    }

    #[test]
    fn classifies_field_and_rule_changes() {
        let old = pact(
            r#"{"id": 1, "name": "a", "tags": ["x"]}"#,
            r#"{"$.id": {"matchers": [{"match": "type"}]}, "$.tags": {"matchers": [{"match": "type", "min": 1}]}}"#,
        );
        let new = pact(
            r#"{"id": 1, "tags": ["x"]}"#,
            r#"{"$.id": {"matchers": [{"match": "integer"}]}, "$.tags": {"matchers": [{"match": "type", "min": 2}]}}"#,
        );
        let changes = diff(&old, &new);
        let text: Vec<String> = changes
            .iter()
            .map(|c| format!("{} {}", c.breaking, c.what))
            .collect();
        assert!(
            text.contains(
                &"true the response body matches $.id more strictly: integer instead of type"
                    .to_string()
            ),
            "{text:?}"
        );
        assert!(
            text.contains(
                &"true the response body matches $.tags more strictly: type min 2 instead of type min 1".to_string()
            ),
            "{text:?}"
        );
        assert!(
            text.contains(&"false the response body no longer expects $.name".to_string()),
            "{text:?}"
        );
    }

    #[test]
    fn catches_what_a_shallow_diff_misses() {
        let cases = [
            (
                r#"{"a": [1]}"#,
                "{}",
                r#"{"a": [1, 2]}"#,
                "{}",
                "expects 2 elements at $.a instead of 1",
            ),
            (
                r#"{"a": 1}"#,
                r#"{"$.a": {"matchers": [{"match": "type"}]}}"#,
                r#"{"a": "x"}"#,
                r#"{"$.a": {"matchers": [{"match": "type"}]}}"#,
                "expects $.a to be a string instead of a number",
            ),
            (
                r#"{"a": "1"}"#,
                r#"{"$.a": {"matchers": [{"match": "regex", "regex": "\\d+"}]}}"#,
                r#"{"a": "1"}"#,
                r#"{"$.a": {"matchers": [{"match": "regex", "regex": "[0-9]"}]}}"#,
                "matches $.a more strictly",
            ),
            (
                r#"{"a": [1]}"#,
                r#"{"$.a": {"matchers": [{"match": "type", "max": 5}]}}"#,
                r#"{"a": [1]}"#,
                r#"{"$.a": {"matchers": [{"match": "type", "max": 3}]}}"#,
                "matches $.a more strictly",
            ),
            (
                r#"{"a": 1.5}"#,
                r#"{"$.a": {"matchers": [{"match": "decimal"}]}}"#,
                r#"{"a": 1}"#,
                r#"{"$.a": {"matchers": [{"match": "integer"}]}}"#,
                "matches $.a more strictly",
            ),
        ];
        for (ob, or, nb, nr, expected) in cases {
            let changes = diff(&pact(ob, or), &pact(nb, nr));
            assert!(
                changes
                    .iter()
                    .any(|c| c.breaking && c.what.contains(expected)),
                "{expected}: {changes:?}"
            );
        }
        let looser = diff(
            &pact(
                r#"{"a": [1]}"#,
                r#"{"$.a": {"matchers": [{"match": "type", "min": 2}]}}"#,
            ),
            &pact(
                r#"{"a": [1]}"#,
                r#"{"$.a": {"matchers": [{"match": "type", "min": 1}]}}"#,
            ),
        );
        assert!(looser.iter().all(|c| !c.breaking), "{looser:?}");
    }

    fn http(description: &str, state: Option<&str>, body: &str) -> String {
        let states = state.map_or(String::new(), |s| {
            format!(r#""providerStates": [{{"name": "{s}"}}],"#)
        });
        format!(
            r#"{{"description": "{description}", {states} "request": {{"path": "/"}},
            "response": {{"status": 200, "body": {body}}}}}"#
        )
    }

    fn contract(interactions: &[String]) -> Pact {
        let text = format!(
            r#"{{"metadata": {{"pactSpecification": {{"version": "3.0.0"}}}}, "interactions": [{}]}}"#,
            interactions.join(",")
        );
        Pact::from_str(&text).unwrap()
    }

    #[test]
    fn pairs_with_the_first_old_interaction_of_an_identity() {
        // Two old interactions with one identity (a hand-edited file can hold them): every
        // new one of that identity is compared with the first, and none is removed.
        let mut old = contract(&[http("get", None, r#"{"a": 1}"#)]);
        let second = contract(&[http("get", None, r#"{"a": 1, "b": 2}"#)]);
        old.interactions.extend(second.interactions);
        let mut new = contract(&[http("get", None, r#"{"a": 1, "b": 2}"#)]);
        new.interactions.push(new.interactions[0].clone());
        let changes = diff(&old, &new);
        assert_eq!(
            changes.iter().map(|c| c.what.as_str()).collect::<Vec<_>>(),
            ["the response body now expects $.b"; 2],
            "{changes:?}"
        );
    }

    #[test]
    fn states_tell_interactions_apart_and_changes_keep_their_order() {
        let old = contract(&[
            http("b", None, "{}"),
            http("a", Some("s1"), r#"{"x": 1}"#),
            http("a", Some("s2"), r#"{"x": 1}"#),
            http("c", None, r#"{"y": 1}"#),
        ]);
        let new = contract(&[
            http("a", Some("s1"), r#"{"x": 1}"#),
            http("d", None, "{}"),
            http("c", None, "{}"),
            http("a", Some("s2"), r#"{"x": 2}"#),
        ]);
        let changes = diff(&old, &new);
        let got: Vec<(bool, &str, &str)> = changes
            .iter()
            .map(|c| (c.breaking, c.interaction.as_str(), c.what.as_str()))
            .collect();
        let expected = [
            (
                true,
                "d",
                "new interaction: the provider must now honour it",
            ),
            (
                true,
                "a",
                "the response body expects $.x to be 2 instead of 1",
            ),
            (false, "c", "the response body no longer expects $.y"),
            (false, "b", "interaction removed"),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn identical_contracts_have_no_changes() {
        let p = pact(r#"{"id": 1}"#, "{}");
        assert!(diff(&p, &p).is_empty());
    }
}
