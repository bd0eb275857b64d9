//! The broker's notices on a pact to verify: why it is verified, whether it is pending, and
//! what publishing a result will change (`when`: `before_verification`,
//! `after_verification:success_true_published_false`, …).

use super::pending::Pending;
use super::reason::join_and;
use super::request::ProviderScope;

/// One notice for the verifier to print (`{"when": "before_verification", "text": "…"}`).
///
/// ```
/// use shakedown::broker::selection::Notice;
/// let n = Notice { when: "before_verification".into(), text: "This pact is being verified because …".into() };
/// assert_eq!(serde_json::to_value(&n).unwrap()["when"], "before_verification");
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Notice {
    /// When to print it: `before_verification` or
    /// `after_verification:success_{true,false}_published_{true,false}`.
    pub when: String,
    /// What to print.
    pub text: String,
}

const READ_MORE_PENDING: &str = "Read more at https://docs.pact.io/go/pending";
const READ_MORE_WIP: &str = "Read more at https://docs.pact.io/go/wip";

fn notice(when: &str, text: String) -> Notice {
    Notice {
        when: when.to_string(),
        text,
    }
}

/// Why a selected pact is verified: the criteria its content matched (bullet lines).
pub(super) fn inclusion(lines: &[String]) -> Notice {
    let (versions, criteria) = if lines.len() > 1 {
        ("the consumer versions", "criteria")
    } else {
        ("the consumer version", "criterion")
    };
    let bullets: Vec<String> = lines.iter().map(|l| format!("    * {l}")).collect();
    notice(
        "before_verification",
        format!(
            "The pact is being verified because the pact content belongs to {versions} matching the following {criteria}:\n{}",
            bullets.join("\n")
        ),
    )
}

/// Why a work-in-progress pact is verified (`heads`: "from branch 'feat'", "tagged with 'x'").
pub(super) fn wip_inclusion(consumer: &str, heads: &[String], status: &Pending) -> Notice {
    notice(
        "before_verification",
        format!(
            "The pact is being verified because it is a 'work in progress' pact (ie. it is the pact for the latest version of {consumer} {} and it has not yet been successfully verified by {}). {READ_MORE_WIP}",
            join_and(heads),
            pending_for(status, "a")
        ),
    )
}

/// The pending notices (with `includePendingStatus`): the reason, then what each outcome of
/// the verification will mean (only while pending).
pub(super) fn pending_notices(status: &Pending, wip: bool) -> Vec<Notice> {
    let mut notices = vec![notice("before_verification", pending_reason(status, wip))];
    if status.pending {
        let any = pending_for(status, "any");
        let these = with_these_tags(status);
        let not_yet = format!("This pact is still in pending state for {any} as a successful verification result {these}has not yet been published.");
        notices.push(notice(
            "after_verification:success_true_published_false",
            format!("This pact is still in pending state for {any} as the successful verification results {these}have not yet been published."),
        ));
        notices.push(notice(
            "after_verification:success_false_published_false",
            not_yet.clone(),
        ));
        notices.push(notice(
            "after_verification:success_true_published_true",
            format!("This pact is no longer in pending state for {any}, as a successful verification result {these}has been published. If a verification for a version of the provider {these}fails in the future, it will fail the build. {READ_MORE_PENDING}"),
        ));
        notices.push(notice(
            "after_verification:success_false_published_true",
            not_yet,
        ));
    }
    notices
}

fn pending_reason(status: &Pending, wip: bool) -> String {
    if status.pending && wip {
        format!("This pact is in pending state for this version of the provider because it was included as a 'work in progress' pact. If this verification fails, it will not cause the overall build to fail. {READ_MORE_PENDING}")
    } else if status.pending {
        format!(
            "This pact is in pending state for this version of the provider because a successful verification result for {} has not yet been published. If this verification fails, it will not cause the overall build to fail. {READ_MORE_PENDING}",
            pending_for(status, "a")
        )
    } else {
        format!(
            "This pact has previously been successfully verified by {}. If this verification fails, it will fail the build. {READ_MORE_PENDING}",
            settled_by(status)
        )
    }
}

/// "a version of the provider from branch 'main'", "any version of the provider with tag 'prod'", …
fn pending_for(status: &Pending, any_or_a: &str) -> String {
    match &status.scope {
        ProviderScope::Branch(b) => format!("{any_or_a} version of the provider from branch '{b}'"),
        ProviderScope::Tags(_) => tagged(any_or_a, &status.pending_tags),
        ProviderScope::Any => "the provider".to_string(),
    }
}

fn settled_by(status: &Pending) -> String {
    match &status.scope {
        ProviderScope::Branch(b) if status.settled_by_another_branch => {
            format!(
                "a version of the provider from another branch, before branch '{b}' was first used"
            )
        }
        ProviderScope::Branch(b) => format!("a version of the provider from branch '{b}'"),
        ProviderScope::Tags(_) => tagged("a", &status.settled_tags),
        ProviderScope::Any => "the provider".to_string(),
    }
}

fn tagged(any_or_a: &str, tags: &[String]) -> String {
    let quoted: Vec<String> = tags.iter().map(|t| format!("'{t}'")).collect();
    match quoted.len() {
        0 => "the provider".to_string(),
        1 => format!("{any_or_a} version of the provider with tag {}", quoted[0]),
        _ => format!(
            "{any_or_a} version of the provider with tags {}",
            join_and(&quoted)
        ),
    }
}

fn with_these_tags(status: &Pending) -> &'static str {
    match (&status.scope, status.pending_tags.len()) {
        (ProviderScope::Tags(_), 1) => "with this tag ",
        (ProviderScope::Tags(_), n) if n > 1 => "with these tags ",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(pending: bool, scope: ProviderScope) -> Pending {
        Pending {
            pending,
            scope,
            pending_tags: vec![],
            settled_tags: vec![],
            settled_by_another_branch: false,
        }
    }

    #[test]
    fn should_say_why_a_pact_is_verified() {
        let one = inclusion(&["latest version from branch 'main' (1)".to_string()]);
        assert_eq!(one.when, "before_verification");
        assert_eq!(
            one.text,
            "The pact is being verified because the pact content belongs to the consumer version matching the following criterion:\n    * latest version from branch 'main' (1)"
        );
        let two = inclusion(&["a (1)".to_string(), "b (2)".to_string()]);
        assert!(two.text.contains(
            "the consumer versions matching the following criteria:\n    * a (1)\n    * b (2)"
        ));
    }

    #[test]
    fn should_give_the_four_outcomes_only_while_pending() {
        let notices = pending_notices(&status(true, ProviderScope::Branch("main".into())), false);
        let whens: Vec<&str> = notices.iter().map(|n| n.when.as_str()).collect();
        assert_eq!(
            whens,
            [
                "before_verification",
                "after_verification:success_true_published_false",
                "after_verification:success_false_published_false",
                "after_verification:success_true_published_true",
                "after_verification:success_false_published_true",
            ]
        );
        assert!(notices[0].text.contains("a successful verification result for a version of the provider from branch 'main' has not yet been published"));
        assert!(notices[3].text.starts_with("This pact is no longer in pending state for any version of the provider from branch 'main'"));
        let settled = pending_notices(&status(false, ProviderScope::Branch("main".into())), false);
        assert_eq!(settled.len(), 1);
        assert!(settled[0].text.starts_with("This pact has previously been successfully verified by a version of the provider from branch 'main'."));
    }

    #[test]
    fn should_name_the_tags_a_pact_is_pending_for() {
        let mut s = status(true, ProviderScope::Tags(vec!["dev".into(), "prod".into()]));
        s.pending_tags = vec!["dev".into(), "prod".into()];
        let notices = pending_notices(&s, false);
        assert!(
            notices[0]
                .text
                .contains("for a version of the provider with tags 'dev' and 'prod' has not"),
            "{}",
            notices[0].text
        );
        assert!(
            notices[1]
                .text
                .contains("results with these tags have not yet been published"),
            "{}",
            notices[1].text
        );
    }

    #[test]
    fn should_say_a_wip_pact_is_pending_because_it_is_wip() {
        let s = status(true, ProviderScope::Branch("main".into()));
        let n = wip_inclusion("web", &["from branch 'feat'".to_string()], &s);
        assert!(n.text.contains("latest version of web from branch 'feat' and it has not yet been successfully verified by a version of the provider from branch 'main'"), "{}", n.text);
        assert!(pending_notices(&s, true)[0]
            .text
            .contains("included as a 'work in progress' pact"));
    }
}
