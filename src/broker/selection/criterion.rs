//! What a checked selector means (a criterion over the publications), the broker's default
//! criteria when no selector is given, and the publications each criterion finds.

use super::error::SelectionError;
use super::history::History;
use super::publication::Publication;
use super::reason::{Hit, Why};
use super::selector::Selector;

/// One criterion, perhaps for one consumer only.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Criterion {
    kind: Kind,
    consumer: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    OverallLatest,
    MainBranch,
    Branch {
        name: String,
        fallback: Option<String>,
    },
    Tag {
        name: String,
        latest: bool,
        fallback: Option<String>,
    },
    Deployed(Option<String>),
    Released(Option<String>),
    Environment(String),
}

/// The criteria of `selectors` (checked; `deployedOrReleased` is two criteria), or the
/// broker's defaults when there is none.
pub(super) fn criteria(
    selectors: &[Selector],
    provider_branch: Option<&str>,
    history: &History<'_>,
) -> Result<Vec<Criterion>, SelectionError> {
    if selectors.is_empty() {
        return Ok(defaults(history));
    }
    let mut all = Vec::new();
    for (index, selector) in selectors.iter().enumerate() {
        if let Some(problem) = selector.problem(provider_branch) {
            return Err(SelectionError::Selector { index, problem });
        }
        all.extend(of_selector(selector, provider_branch.unwrap_or_default()));
    }
    Ok(all)
}

fn of_selector(s: &Selector, provider_branch: &str) -> Vec<Criterion> {
    let env = s.environment.clone();
    let kinds = if s.main_branch.is_some() {
        vec![Kind::MainBranch]
    } else if s.matching_branch.is_some() {
        vec![Kind::Branch {
            name: provider_branch.to_string(),
            fallback: None,
        }]
    } else if let Some(name) = &s.branch {
        vec![Kind::Branch {
            name: name.clone(),
            fallback: s.fallback_branch.clone(),
        }]
    } else if let Some(name) = &s.tag {
        let latest = s.latest == Some(true);
        vec![Kind::Tag {
            name: name.clone(),
            latest,
            fallback: s.fallback_tag.clone(),
        }]
    } else if s.deployed_or_released.is_some() {
        vec![Kind::Deployed(env.clone()), Kind::Released(env)]
    } else if s.deployed.is_some() {
        vec![Kind::Deployed(env)]
    } else if s.released.is_some() {
        vec![Kind::Released(env)]
    } else if let Some(env) = env {
        vec![Kind::Environment(env)]
    } else {
        vec![Kind::OverallLatest]
    };
    kinds
        .into_iter()
        .map(|kind| Criterion {
            kind,
            consumer: s.consumer.clone(),
        })
        .collect()
}

/// The broker's defaults: for each consumer, the latest pact of its main branch, else the
/// latest pact tagged with its main branch's name, else its latest pact; and every version
/// currently deployed or released.
fn defaults(history: &History<'_>) -> Vec<Criterion> {
    let mut all: Vec<Criterion> = history
        .consumers()
        .into_iter()
        .map(|consumer| Criterion {
            kind: default_kind(history, consumer),
            consumer: Some(consumer.to_string()),
        })
        .collect();
    all.push(Criterion {
        kind: Kind::Deployed(None),
        consumer: None,
    });
    all.push(Criterion {
        kind: Kind::Released(None),
        consumer: None,
    });
    all
}

fn default_kind(history: &History<'_>, consumer: &str) -> Kind {
    let ours = |p: &&Publication| p.consumer == consumer;
    let publications: Vec<&Publication> = history
        .positions()
        .map(|at| history.get(at))
        .filter(ours)
        .collect();
    let main = publications.iter().find_map(|p| p.main_branch.clone());
    match main {
        Some(main)
            if publications
                .iter()
                .any(|p| p.branch.as_deref() == Some(&main)) =>
        {
            Kind::MainBranch
        }
        Some(main) if publications.iter().any(|p| p.tags.contains(&main)) => Kind::Tag {
            name: main,
            latest: true,
            fallback: None,
        },
        _ => Kind::OverallLatest,
    }
}

impl Criterion {
    /// The publications this criterion selects, oldest first.
    pub(super) fn find(&self, history: &History<'_>) -> Vec<Hit> {
        match &self.kind {
            Kind::OverallLatest => self.latest(history, |_| true, Why::OverallLatest),
            Kind::MainBranch => self.main_branch(history),
            Kind::Branch { name, fallback } => self.branch(history, name, fallback.as_deref()),
            Kind::Tag {
                name,
                latest: true,
                fallback,
            } => self.latest_tag(history, name, fallback.as_deref()),
            Kind::Tag {
                name,
                latest: false,
                ..
            } => self.all_tag(history, name),
            Kind::Deployed(env) => {
                self.per_environment(history, env.as_deref(), |p| &p.deployed_to, Why::Deployed)
            }
            Kind::Released(env) => {
                self.per_environment(history, env.as_deref(), |p| &p.released_to, Why::Released)
            }
            Kind::Environment(env) => self.environment(history, env),
        }
    }

    fn admits(&self, p: &Publication) -> bool {
        self.consumer.as_deref().is_none_or(|c| c == p.consumer)
    }

    fn hit(&self, at: usize, why: Why) -> Hit {
        Hit {
            at,
            consumer: self.consumer.clone(),
            why,
        }
    }

    /// The latest publication of each admitted consumer among those `keep` admits.
    fn latest(
        &self,
        history: &History<'_>,
        keep: impl Fn(&Publication) -> bool,
        why: Why,
    ) -> Vec<Hit> {
        history
            .latest_by(|p| self.admits(p) && keep(p), |p| p.consumer.as_str())
            .into_iter()
            .map(|at| self.hit(at, why.clone()))
            .collect()
    }

    fn main_branch(&self, history: &History<'_>) -> Vec<Hit> {
        let on_main = |p: &Publication| p.main_branch.is_some() && p.branch == p.main_branch;
        history
            .latest_by(|p| self.admits(p) && on_main(p), |p| p.consumer.as_str())
            .into_iter()
            .map(|at| {
                let main = history.get(at).main_branch.clone().unwrap_or_default();
                self.hit(at, Why::MainBranch(main))
            })
            .collect()
    }

    fn branch(&self, history: &History<'_>, name: &str, fallback: Option<&str>) -> Vec<Hit> {
        let on = |b: &str| {
            let b = b.to_string();
            move |p: &Publication| p.branch.as_deref() == Some(b.as_str())
        };
        let found = self.latest(
            history,
            on(name),
            Why::Branch {
                name: name.to_string(),
                fallback_from: None,
            },
        );
        match fallback {
            Some(other) if found.is_empty() => self.latest(
                history,
                on(other),
                Why::Branch {
                    name: other.to_string(),
                    fallback_from: Some(name.to_string()),
                },
            ),
            _ => found,
        }
    }

    fn latest_tag(&self, history: &History<'_>, name: &str, fallback: Option<&str>) -> Vec<Hit> {
        let with = |t: &str| {
            let t = t.to_string();
            move |p: &Publication| p.tags.contains(&t)
        };
        let found = self.latest(
            history,
            with(name),
            Why::LatestTag {
                name: name.to_string(),
                fallback_from: None,
            },
        );
        match fallback {
            Some(other) if found.is_empty() => self.latest(
                history,
                with(other),
                Why::LatestTag {
                    name: other.to_string(),
                    fallback_from: Some(name.to_string()),
                },
            ),
            _ => found,
        }
    }

    fn all_tag(&self, history: &History<'_>, name: &str) -> Vec<Hit> {
        history
            .positions()
            .filter(|&at| {
                self.admits(history.get(at)) && history.get(at).tags.iter().any(|t| t == name)
            })
            .map(|at| self.hit(at, Why::AllTag(name.to_string())))
            .collect()
    }

    /// One hit per (publication, environment) where `places` of the publication lists the
    /// environment (`env`, or any).
    fn per_environment(
        &self,
        history: &History<'_>,
        env: Option<&str>,
        places: impl Fn(&Publication) -> &Vec<String>,
        why: impl Fn(String) -> Why,
    ) -> Vec<Hit> {
        let mut hits = Vec::new();
        for at in history
            .positions()
            .filter(|&at| self.admits(history.get(at)))
        {
            let mut names: Vec<&String> = places(history.get(at))
                .iter()
                .filter(|e| env.is_none_or(|w| w == *e))
                .collect();
            names.sort_unstable();
            names.dedup();
            hits.extend(names.into_iter().map(|e| self.hit(at, why(e.clone()))));
        }
        hits
    }

    fn environment(&self, history: &History<'_>, env: &str) -> Vec<Hit> {
        let there = |p: &Publication| p.deployed_to.iter().chain(&p.released_to).any(|e| e == env);
        history
            .positions()
            .filter(|&at| self.admits(history.get(at)) && there(history.get(at)))
            .map(|at| self.hit(at, Why::Environment(env.to_string())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{on_branch, publication};
    use super::*;

    fn found(json: &str, pubs: &[Publication]) -> Vec<(String, String)> {
        let selectors: Vec<Selector> = serde_json::from_str(json).unwrap();
        let history = History::new(pubs);
        criteria(&selectors, Some("feat"), &history)
            .unwrap()
            .iter()
            .flat_map(|c| c.find(&history))
            .map(|h| {
                (
                    history.get(h.at).consumer.clone(),
                    history.get(h.at).consumer_version.clone(),
                )
            })
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn shop() -> Vec<Publication> {
        let mut pubs = vec![
            on_branch("web", "1", "main", 1, "w1"),
            on_branch("web", "2", "main", 2, "w2"),
            on_branch("web", "3", "feat", 3, "w3"),
            on_branch("app", "10", "main", 4, "a10"),
            on_branch("app", "11", "other", 5, "a11"),
        ];
        pubs[0].tags = vec!["prod".into()];
        pubs[1].tags = vec!["prod".into()];
        pubs[0].deployed_to = vec!["production".into()];
        pubs[3].released_to = vec!["production".into(), "test".into()];
        pubs
    }

    #[test]
    fn should_find_the_latest_of_each_main_branch() {
        assert_eq!(
            found(r#"[{"mainBranch": true}]"#, &shop()),
            pairs(&[("web", "2"), ("app", "10")])
        );
        assert_eq!(
            found(r#"[{"mainBranch": true, "consumer": "app"}]"#, &shop()),
            pairs(&[("app", "10")])
        );
    }

    #[test]
    fn should_find_the_latest_of_a_branch_for_each_consumer() {
        assert_eq!(
            found(r#"[{"branch": "main"}]"#, &shop()),
            pairs(&[("web", "2"), ("app", "10")])
        );
        assert_eq!(
            found(r#"[{"branch": "feat"}]"#, &shop()),
            pairs(&[("web", "3")])
        );
        assert_eq!(found(r#"[{"branch": "nope"}]"#, &shop()), pairs(&[]));
    }

    #[test]
    fn should_fall_back_to_the_fallback_branch_only_when_the_branch_has_no_pact() {
        assert_eq!(
            found(r#"[{"branch": "feat", "fallbackBranch": "main"}]"#, &shop()),
            pairs(&[("web", "3")])
        );
        assert_eq!(
            found(r#"[{"branch": "nope", "fallbackBranch": "main"}]"#, &shop()),
            pairs(&[("web", "2"), ("app", "10")])
        );
    }

    #[test]
    fn should_match_the_provider_branch() {
        assert_eq!(
            found(r#"[{"matchingBranch": true}]"#, &shop()),
            pairs(&[("web", "3")])
        );
    }

    #[test]
    fn should_find_all_or_the_latest_with_a_tag() {
        assert_eq!(
            found(r#"[{"tag": "prod"}]"#, &shop()),
            pairs(&[("web", "1"), ("web", "2")])
        );
        assert_eq!(
            found(r#"[{"tag": "prod", "latest": true}]"#, &shop()),
            pairs(&[("web", "2")])
        );
        assert_eq!(
            found(
                r#"[{"tag": "nope", "latest": true, "fallbackTag": "prod"}]"#,
                &shop()
            ),
            pairs(&[("web", "2")])
        );
    }

    #[test]
    fn should_find_the_overall_latest_of_each_consumer() {
        assert_eq!(
            found(r#"[{"latest": true}]"#, &shop()),
            pairs(&[("web", "3"), ("app", "11")])
        );
        assert_eq!(
            found(r#"[{"latest": true, "consumer": "web"}]"#, &shop()),
            pairs(&[("web", "3")])
        );
    }

    #[test]
    fn should_find_deployed_and_released_versions() {
        assert_eq!(
            found(r#"[{"deployed": true}]"#, &shop()),
            pairs(&[("web", "1")])
        );
        assert_eq!(
            found(r#"[{"released": true}]"#, &shop()),
            pairs(&[("app", "10"), ("app", "10")])
        );
        assert_eq!(
            found(r#"[{"released": true, "environment": "test"}]"#, &shop()),
            pairs(&[("app", "10")])
        );
        assert_eq!(
            found(
                r#"[{"deployedOrReleased": true, "environment": "production"}]"#,
                &shop()
            ),
            pairs(&[("web", "1"), ("app", "10")])
        );
        assert_eq!(
            found(r#"[{"environment": "test"}]"#, &shop()),
            pairs(&[("app", "10")])
        );
        assert_eq!(
            found(r#"[{"deployed": true, "consumer": "app"}]"#, &shop()),
            pairs(&[])
        );
    }

    #[test]
    fn should_default_to_main_branches_then_main_tags_then_latest_and_deployments() {
        let mut pubs = shop();
        pubs.push(Publication {
            tags: vec!["main".into()],
            main_branch: Some("main".into()),
            ..publication("tagged", "5", "2026-01-06T00:00:00Z", "t5")
        });
        pubs.push(publication("tagged", "6", "2026-01-07T00:00:00Z", "t6"));
        pubs.push(publication("plain", "7", "2026-01-08T00:00:00Z", "p7"));
        // app's main (10) is also released twice; web's deployed 1 is listed after the mains.
        assert_eq!(
            found("[]", &pubs),
            pairs(&[
                ("app", "10"),
                ("plain", "7"),
                ("tagged", "5"),
                ("web", "2"),
                ("web", "1"),
                ("app", "10"),
                ("app", "10"),
            ])
        );
    }
}
