//! The run as JUnit XML: one suite named after the scenario, one test case per verdict.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::event::{EventKind, Journal, RunOutcome};
use super::text::{
    canaries_without_verdict, kind_name, outcome_word, run_duration_ms, run_problem,
};

/// The run as JUnit XML, for CI systems.
///
/// One suite named after the scenario, with the properties `run_id`, `backend`, `seed` and
/// `outcome` and the run's duration as its time; one test case per verdict, in the order
/// they were given, named after the check, with class name `canary`, `hypothesis` or
/// `steady_state`. A failed verdict is a failure whose message is the verdict's detail; a
/// passed verdict's detail goes to its `system-out`.
///
/// A run that ended in an error or was interrupted also gets an errored case `run` (class
/// `run`) carrying the error or interruption, and naming the canaries left without a
/// verdict: CI never reads a run that was cut short as green. An aborted run gets a failed
/// case `aborted: <condition>` (class `abort`) whose message is the value seen.
pub fn junit_xml(journal: &Journal) -> String {
    let mut suite = TestSuite::new(journal.scenario.as_str());
    let time = Duration::from_secs_f64(run_duration_ms(journal).max(0.0) / 1000.0);
    suite.set_time(time);
    suite.add_properties([
        Property::new("run_id", journal.run_id.as_str()),
        Property::new("backend", journal.backend.as_str()),
        Property::new("seed", journal.seed.to_string()),
        Property::new("outcome", outcome_word(journal.outcome)),
    ]);
    for (check, kind, ok, detail) in journal.verdicts() {
        let mut case = if ok {
            let mut case = TestCase::new(check, TestCaseStatus::success());
            if !detail.is_empty() {
                case.set_system_out(detail);
            }
            case
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(detail);
            status.set_type(kind_name(kind));
            TestCase::new(check, status)
        };
        case.set_classname(kind_name(kind));
        suite.add_test_case(case);
    }
    if let Some(case) = aborted_case(journal) {
        suite.add_test_case(case);
    }
    if matches!(journal.outcome, RunOutcome::Error | RunOutcome::Interrupted) {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        let word = outcome_word(journal.outcome);
        status.set_type(word);
        status.set_message(
            run_problem(journal).unwrap_or_else(|| match journal.outcome {
                RunOutcome::Interrupted => "the run was interrupted".to_string(),
                _ => "the run ended in an error".to_string(),
            }),
        );
        let missing = canaries_without_verdict(journal);
        if !missing.is_empty() {
            status.set_description(format!("no verdict for: {}", missing.join(", ")));
        }
        let mut case = TestCase::new("run", status);
        case.set_classname("run");
        suite.add_test_case(case);
    }

    let mut report = Report::new(format!("shakedown run {}", journal.scenario));
    report.set_time(time);
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}

/// The failed case of an aborted run: the condition that tripped and the value seen.
fn aborted_case(journal: &Journal) -> Option<TestCase> {
    if journal.outcome != RunOutcome::Aborted {
        return None;
    }
    let (condition, detail) = journal.events.iter().find_map(|e| match &e.what {
        EventKind::Aborted { condition, detail } => Some((condition.as_str(), detail.as_str())),
        _ => None,
    })?;
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_type("aborted");
    status.set_message(format!("{condition} tripped: {detail}"));
    let missing = canaries_without_verdict(journal);
    if !missing.is_empty() {
        status.set_description(format!("no verdict for: {}", missing.join(", ")));
    }
    let mut case = TestCase::new(format!("aborted: {condition}"), status);
    case.set_classname("abort");
    Some(case)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CheckKind, Event, EventKind};

    fn at(at_ms: f64, what: EventKind) -> Event {
        Event { at_ms, what }
    }

    #[test]
    fn should_add_an_errored_run_case_when_the_run_was_cut_short() {
        let journal = Journal {
            scenario: "s".into(),
            run_id: "r".into(),
            backend: "docker".into(),
            seed: 3,
            outcome: RunOutcome::Interrupted,
            events: vec![
                at(
                    5.0,
                    EventKind::Verdict {
                        check: "before".into(),
                        kind: CheckKind::SteadyState,
                        ok: true,
                        detail: String::new(),
                    },
                ),
                at(
                    9.0,
                    EventKind::Interrupted {
                        reason: "SIGINT".into(),
                    },
                ),
            ],
            faults: vec![],
            canaries: vec![],
        };
        let xml = junit_xml(&journal);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|n| {
                (
                    n.attribute("name").unwrap(),
                    n.attribute("classname").unwrap(),
                )
            })
            .collect();
        assert_eq!(cases, [("before", "steady_state"), ("run", "run")]);
        let error = doc.descendants().find(|n| n.has_tag_name("error")).unwrap();
        assert_eq!(error.attribute("message"), Some("interrupted: SIGINT"));
        assert_eq!(error.attribute("type"), Some("interrupted"));
    }
}
