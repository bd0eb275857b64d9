//! Why a publication was selected (a criterion resolved to a consumer version), and how the
//! broker says it: "latest version of web from branch 'main' (1.0.0)".

use super::history::History;

/// One publication selected by one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Hit {
    /// Its position in the history.
    pub at: usize,
    /// The selector's `consumer`, when it named one.
    pub consumer: Option<String>,
    /// Which criterion selected it.
    pub why: Why,
}

/// The criterion that selected a publication.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Why {
    /// The latest pact of each consumer.
    OverallLatest,
    /// The latest pact of the consumer's main branch.
    MainBranch(String),
    /// The latest pact from a branch (`fallback_from`: the branch that had none).
    Branch {
        name: String,
        fallback_from: Option<String>,
    },
    /// The latest pact with a tag (`fallback_from`: the tag that had none).
    LatestTag {
        name: String,
        fallback_from: Option<String>,
    },
    /// Every pact with a tag.
    AllTag(String),
    /// Currently deployed to this environment.
    Deployed(String),
    /// Released and supported in this environment.
    Released(String),
    /// Deployed to or released in this environment.
    Environment(String),
}

/// The broker's bullet lines for these hits (deployments and releases of one consumer
/// gathered on one line), in the order of the hits.
pub(super) fn describe(hits: &[Hit], history: &History<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut done = vec![false; hits.len()];
    for i in 0..hits.len() {
        if done[i] {
            continue;
        }
        let line = match &hits[i].why {
            Why::Deployed(_) | Why::Released(_) => {
                let group: Vec<usize> = (i..hits.len())
                    .filter(|&j| same_kind(&hits[i], &hits[j]))
                    .collect();
                group.iter().for_each(|&j| done[j] = true);
                environments_line(
                    &group.iter().map(|&j| &hits[j]).collect::<Vec<_>>(),
                    history,
                )
            }
            _ => format!(
                "{} ({})",
                one_line(&hits[i]),
                history.get(hits[i].at).consumer_version
            ),
        };
        lines.push(line);
    }
    lines
}

fn same_kind(a: &Hit, b: &Hit) -> bool {
    let kind = |h: &Hit| match h.why {
        Why::Deployed(_) => 1,
        Why::Released(_) => 2,
        _ => 0,
    };
    kind(a) == kind(b) && a.consumer == b.consumer
}

fn one_line(hit: &Hit) -> String {
    let version = match &hit.consumer {
        Some(c) => format!("version of {c}"),
        None => "version".to_string(),
    };
    let someone = hit.consumer.as_deref().unwrap_or("a consumer");
    match &hit.why {
        Why::OverallLatest => format!("latest version of {someone} that has a pact with the provider"),
        Why::MainBranch(b) => format!("latest {version} from the main branch '{b}'"),
        Why::Branch { name, fallback_from: None } => format!("latest {version} from branch '{name}'"),
        Why::Branch { name, fallback_from: Some(wanted) } => format!(
            "latest {version} from branch '{name}' (fallback branch used as no pact was found from branch '{wanted}')"
        ),
        Why::LatestTag { name, fallback_from: None } => format!("latest {version} tagged '{name}'"),
        Why::LatestTag { name, fallback_from: Some(wanted) } => format!(
            "latest {version} tagged '{name}' (fallback tag used as no pact was found with tag '{wanted}')"
        ),
        Why::AllTag(t) => match &hit.consumer {
            Some(c) => format!("all {c} versions tagged '{t}'"),
            None => format!("all consumer versions tagged '{t}'"),
        },
        Why::Environment(e) => format!("{someone} version in environment {e}"),
        Why::Deployed(e) => format!("{someone} version currently deployed to {e}"),
        Why::Released(e) => format!("{someone} version released and supported in {e}"),
    }
}

fn environments_line(group: &[&Hit], history: &History<'_>) -> String {
    let who = match &group[0].consumer {
        Some(c) => format!("version(s) of {c}"),
        None => "consumer version(s)".to_string(),
    };
    let places: Vec<String> = group
        .iter()
        .map(|h| match &h.why {
            Why::Deployed(e) | Why::Released(e) => {
                format!("{e} ({})", history.get(h.at).consumer_version)
            }
            _ => String::new(),
        })
        .collect();
    let verb = match group[0].why {
        Why::Deployed(_) => "currently deployed to",
        _ => "released and supported in",
    };
    format!("{who} {verb} {}", join_and(&places))
}

/// "a", "a and b", "a, b and c".
pub(super) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::publication;
    use super::*;

    #[test]
    fn should_describe_each_criterion_in_the_brokers_words() {
        let pubs = vec![publication("web", "1.0.0", "2026-01-01T00:00:00Z", "a")];
        let history = History::new(&pubs);
        let hit = |consumer: Option<&str>, why: Why| Hit {
            at: 0,
            consumer: consumer.map(str::to_string),
            why,
        };
        let lines = describe(
            &[
                hit(None, Why::OverallLatest),
                hit(Some("web"), Why::MainBranch("main".into())),
                hit(
                    None,
                    Why::Branch {
                        name: "main".into(),
                        fallback_from: Some("feat".into()),
                    },
                ),
                hit(
                    None,
                    Why::LatestTag {
                        name: "prod".into(),
                        fallback_from: None,
                    },
                ),
                hit(Some("web"), Why::AllTag("prod".into())),
                hit(None, Why::Deployed("test".into())),
                hit(None, Why::Environment("test".into())),
                hit(None, Why::Deployed("production".into())),
            ],
            &history,
        );
        assert_eq!(
            lines,
            [
                "latest version of a consumer that has a pact with the provider (1.0.0)",
                "latest version of web from the main branch 'main' (1.0.0)",
                "latest version from branch 'main' (fallback branch used as no pact was found from branch 'feat') (1.0.0)",
                "latest version tagged 'prod' (1.0.0)",
                "all web versions tagged 'prod' (1.0.0)",
                "consumer version(s) currently deployed to test (1.0.0) and production (1.0.0)",
                "a consumer version in environment test (1.0.0)",
            ]
        );
    }

    #[test]
    fn should_join_with_commas_and_and() {
        let s = |v: &[&str]| join_and(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&[]), "");
        assert_eq!(s(&["a"]), "a");
        assert_eq!(s(&["a", "b"]), "a and b");
        assert_eq!(s(&["a", "b", "c"]), "a, b and c");
    }
}
