//! The interaction index of a stub: which interactions a request could match, found by
//! method and literal path, with the interactions whose path is matched by a rule kept
//! aside and always tried, all in contract order (first match wins).

use std::collections::HashMap;

use crate::contract::{
    category, percent_decode, HttpRequest, Interaction, InteractionKind, RulePath,
};

/// Positions of interactions (into the slice the index was built from), in ascending order.
type Positions = Vec<usize>;

/// Candidates for a request by method (compared ignoring ASCII case, as Pact does) and path
/// (compared exactly once percent-decoded, as servers see it, unless a path rule applies).
#[derive(Debug, Default)]
pub(crate) struct InteractionIndex {
    /// Per method as the contract spells it (first spelling seen), positions by literal path.
    by_method: Vec<(String, HashMap<String, Positions>)>,
    /// Interactions whose path has a matching rule: candidates for every request.
    by_rule: Positions,
}

impl InteractionIndex {
    /// Indexes the HTTP interactions among `interactions` (others are never candidates).
    pub(crate) fn new(interactions: &[Interaction]) -> Self {
        let mut index = InteractionIndex::default();
        for (position, interaction) in interactions.iter().enumerate() {
            if let InteractionKind::Http { request, .. } = &interaction.kind {
                index.insert(position, request);
            }
        }
        index
    }

    fn insert(&mut self, position: usize, request: &HttpRequest) {
        if has_path_rule(request) {
            self.by_rule.push(position);
        } else {
            let paths = self.paths_mut(&request.method);
            paths
                .entry(percent_decode(&request.path))
                .or_default()
                .push(position);
        }
    }

    /// The literal paths of `method` (ignoring case), a new empty table for a new method.
    fn paths_mut(&mut self, method: &str) -> &mut HashMap<String, Positions> {
        let known = self
            .by_method
            .iter()
            .position(|(m, _)| m.eq_ignore_ascii_case(method));
        let k = known.unwrap_or_else(|| {
            self.by_method.push((method.to_string(), HashMap::new()));
            self.by_method.len() - 1
        });
        &mut self.by_method[k].1
    }

    /// The interactions a request with this method and path could match, in contract order:
    /// those with the same method and literal path, merged with those whose path has a rule.
    pub(crate) fn candidates<'a>(&'a self, method: &str, path: &str) -> Candidates<'a> {
        let literal = self
            .by_method
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(method))
            .and_then(|(_, paths)| paths.get(path))
            .map_or(&[][..], Vec::as_slice);
        Candidates {
            literal,
            by_rule: &self.by_rule,
        }
    }
}

/// Whether `match_request` compares this request's path by a rule rather than exactly.
fn has_path_rule(request: &HttpRequest) -> bool {
    request
        .matching_rules
        .category(category::PATH)
        .get(&RulePath::root())
        .is_some()
}

/// Two ascending lists of positions, merged into one ascending sequence.
#[derive(Debug, Clone)]
pub(crate) struct Candidates<'a> {
    literal: &'a [usize],
    by_rule: &'a [usize],
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let take_literal = match (self.literal.first(), self.by_rule.first()) {
            (Some(l), Some(r)) => l < r,
            (l, _) => l.is_some(),
        };
        let list = if take_literal {
            &mut self.literal
        } else {
            &mut self.by_rule
        };
        let (first, rest) = list.split_first()?;
        *list = rest;
        Some(*first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consumer::{Stub, StubOptions};
    use crate::contract::{match_request, HttpResponse, MatchingRule, Pattern, ProviderState};

    /// An interaction answering `method path` (a regex path when `regex` is given) with
    /// `status`, in provider state `state`.
    fn http(method: &str, path: &str, regex: Option<&str>, status: u16) -> Interaction {
        let mut request = HttpRequest {
            method: method.into(),
            path: path.into(),
            ..Default::default()
        };
        if let Some(r) = regex {
            let rule = MatchingRule::Regex(Pattern::new(r).unwrap());
            let rules = request.matching_rules.category_mut(category::PATH);
            rules.add(RulePath::root(), rule);
        }
        let response = HttpResponse {
            status,
            ..Default::default()
        };
        let kind = InteractionKind::Http { request, response };
        Interaction::new(format!("{method} {path} → {status}"), kind)
    }

    fn in_state(mut interaction: Interaction, state: &str) -> Interaction {
        interaction.provider_states = vec![ProviderState::named(state)];
        interaction
    }

    fn request(method: &str, path: &str) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            path: path.into(),
            ..Default::default()
        }
    }

    fn status(stub: &Stub, method: &str, path: &str) -> u16 {
        stub.respond(&request(method, path)).status
    }

    #[test]
    fn candidates_merge_literal_and_rule_paths_in_contract_order() {
        let index = InteractionIndex::new(&[
            http("GET", "/items/1", None, 200),
            http("GET", "/items/9", Some(r"/items/\d+"), 201),
            http("POST", "/items/1", None, 202),
            http("GET", "/items/1", None, 203),
            http("GET", "/x", Some(r"/x"), 204),
        ]);
        let found: Vec<usize> = index.candidates("GET", "/items/1").collect();
        assert_eq!(found, [0, 1, 3, 4]);
        let found: Vec<usize> = index.candidates("DELETE", "/nothing").collect();
        assert_eq!(found, [1, 4], "rule paths are candidates for every request");
    }

    #[test]
    fn a_path_written_encoded_answers_the_decoded_request() {
        let stub = Stub::new(
            vec![http("GET", "/pacticipants/Pricing%20Service", None, 200)],
            StubOptions::default(),
        );
        assert_eq!(status(&stub, "GET", "/pacticipants/Pricing Service"), 200);
        assert_eq!(status(&stub, "GET", "/pacticipants/Pricing"), 500);
    }

    #[test]
    fn an_earlier_regex_path_wins_over_a_later_literal_one() {
        let stub = Stub::new(
            vec![
                http("GET", "/orders", None, 200),
                http("GET", "/items/0", Some(r"/items/\d+"), 201),
                http("GET", "/items/1", None, 202),
            ],
            StubOptions::default(),
        );
        assert_eq!(status(&stub, "GET", "/items/1"), 201);
        assert_eq!(stub.with_log(|l| l.hits.clone()), [0, 1, 0]);
    }

    #[test]
    fn an_earlier_literal_path_wins_over_a_later_regex_one() {
        let stub = Stub::new(
            vec![
                http("GET", "/items/1", None, 202),
                http("GET", "/items/0", Some(r"/items/\d+"), 201),
            ],
            StubOptions::default(),
        );
        assert_eq!(status(&stub, "GET", "/items/1"), 202);
        assert_eq!(status(&stub, "GET", "/items/2"), 201);
    }

    #[test]
    fn methods_are_compared_ignoring_case() {
        let stub = Stub::new(
            vec![
                http("post", "/a", None, 201),
                http("POST", "/b", None, 202),
                http("Post", "/a", None, 203),
            ],
            StubOptions::default(),
        );
        assert_eq!(status(&stub, "POST", "/a"), 201);
        assert_eq!(status(&stub, "post", "/b"), 202);
        let index = InteractionIndex::new(stub.interactions());
        assert_eq!(index.candidates("pOsT", "/a").collect::<Vec<_>>(), [0, 2]);
    }

    #[test]
    fn paths_are_compared_exactly_without_a_rule() {
        let stub = Stub::new(vec![http("GET", "/a", None, 201)], StubOptions::default());
        assert_eq!(status(&stub, "GET", "/a/"), 500);
        assert_eq!(status(&stub, "GET", "/A"), 500);
        assert_eq!(status(&stub, "GET", "/a"), 201);
    }

    #[test]
    fn the_selected_state_skips_candidates_in_other_states() {
        let stub = Stub::new(
            vec![
                in_state(http("GET", "/a", None, 201), "empty"),
                in_state(http("GET", "/a", Some("/a"), 202), "full"),
                in_state(http("GET", "/a", None, 203), "full"),
            ],
            StubOptions {
                state: Some("full".into()),
                ..Default::default()
            },
        );
        assert_eq!(status(&stub, "GET", "/a"), 202);
    }

    /// The closest interaction as the stub found it before the index: every interaction
    /// scanned in order, the first with the fewest mismatches kept.
    fn closest_by_scan(interactions: &[Interaction], actual: &HttpRequest) -> (String, usize) {
        let mut best: Option<(String, usize)> = None;
        for i in interactions {
            let InteractionKind::Http { request, .. } = &i.kind else {
                continue;
            };
            let n = match_request(request, actual).len();
            if best.as_ref().is_none_or(|(_, m)| n < *m) {
                best = Some((i.description.clone(), n));
            }
        }
        best.unwrap()
    }

    #[test]
    fn a_request_matching_nothing_names_the_closest_interaction_of_all() {
        let interactions = vec![
            http("POST", "/orders", None, 201),
            http("GET", "/items/0", Some(r"/items/\d+"), 200),
            http("GET", "/orders", None, 200),
            http("PUT", "/orders", None, 200),
        ];
        let stub = Stub::new(interactions.clone(), StubOptions::default());
        let mut wrong = request("DELETE", "/orders");
        wrong
            .headers
            .insert("Accept".into(), vec!["text/plain".into()]);
        assert_eq!(stub.respond(&wrong).status, 500);
        let logged = stub.with_log(|l| l.unexpected[0].clone());
        let (closest, count) = closest_by_scan(&interactions, &wrong);
        assert_eq!(logged.closest.as_deref(), Some(closest.as_str()));
        assert_eq!(closest, "POST /orders → 201");
        assert_eq!(logged.mismatches.len(), count);
        assert_eq!(logged.mismatches[0].location, "method");
    }
}
