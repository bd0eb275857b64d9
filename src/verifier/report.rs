//! Verification results: per consumer and interaction, with a human report grouped by
//! consumer, a JSON form and JUnit XML.

use std::fmt::Write as _;
use std::time::Duration;

use owo_colors::OwoColorize;
use serde::{Serialize, Serializer};

use crate::contract::{render_mismatches, Mismatch};
use crate::paint::paint;

/// How one interaction fared.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Outcome {
    /// The provider honoured it.
    Passed,
    /// The provider answered, differently.
    Failed {
        /// Every difference.
        mismatches: Vec<Mismatch>,
    },
    /// It could not be checked: a provider state failed, the provider did not answer.
    Error {
        /// Why.
        reason: InteractionError,
    },
}

/// Why an interaction could not be checked. The verifier is missing something it needs
/// (each its own variant, so that a caller can say how to provide it), or something failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InteractionError {
    /// The interaction needs a provider state and no state handler is configured.
    #[error("the interaction needs provider state {state:?} but no state handler is configured")]
    NoStateHandler {
        /// The state's name.
        state: String,
    },
    /// The interaction is a message and no message producer is configured.
    #[error("the interaction is a message but no message producer is configured")]
    NoMessageProducer,
    /// A provider state or the message producer failed, the provider did not answer, ...
    #[error("{0}")]
    Other(String),
}

/// Serialized as its text (`"reason": "..."` in the JSON report).
impl Serialize for InteractionError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One interaction's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionResult {
    /// The interaction's description.
    pub description: String,
    /// Its provider states, by name.
    pub states: Vec<String>,
    /// Pending: reported, but does not fail the verification unless strict.
    pub pending: bool,
    /// The outcome.
    pub outcome: Outcome,
    /// How long it took, in milliseconds.
    pub millis: f64,
}

impl InteractionResult {
    /// True when it passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }
}

/// One consumer's contract and its results.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractResult {
    /// The consumer.
    pub consumer: String,
    /// The contract file (empty for a contract given to the verifier already loaded).
    pub file: String,
    /// SHA-256 of the contract's canonical form (what the results store records).
    pub digest: String,
    /// Results, in the contract's order.
    pub interactions: Vec<InteractionResult>,
}

/// The outcome of verifying a provider against its contracts.
///
/// Its JSON (the `--json` file, `verify --format json`) holds `provider`, `strict`,
/// `success`, `tally` and `contracts`; see docs/json-output.md.
#[derive(Debug, Clone)]
pub struct VerificationReport {
    /// The provider.
    pub provider: String,
    /// Failures of pending interactions fail the verification too.
    pub strict: bool,
    /// Per contract.
    pub contracts: Vec<ContractResult>,
}

/// Counts of a report (in JSON: `passed`, `failed`, `pendingFailed`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    /// Passed.
    pub passed: usize,
    /// Failed or errored, and not pending.
    pub failed: usize,
    /// Failed or errored, but pending.
    pub pending_failed: usize,
}

/// The report's JSON: its fields, and the verdict and counts computed from them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportJson<'a> {
    provider: &'a str,
    strict: bool,
    success: bool,
    tally: Tally,
    contracts: &'a [ContractResult],
}

impl Serialize for VerificationReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ReportJson {
            provider: &self.provider,
            strict: self.strict,
            success: self.success(),
            tally: self.tally(),
            contracts: &self.contracts,
        }
        .serialize(serializer)
    }
}

impl VerificationReport {
    /// Counts of passed, failed and pending-failed interactions.
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for r in self.contracts.iter().flat_map(|c| &c.interactions) {
            match (r.passed(), r.pending && !self.strict) {
                (true, _) => t.passed += 1,
                (false, true) => t.pending_failed += 1,
                (false, false) => t.failed += 1,
            }
        }
        t
    }

    /// True when nothing that counts failed.
    pub fn success(&self) -> bool {
        self.tally().failed == 0
    }

    /// The human report, grouped by consumer, with mismatch diffs.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Verifying {} against {} contract(s)",
            self.provider,
            self.contracts.len()
        );
        for c in &self.contracts {
            let consumer = paint(&c.consumer, color, |s| s.bold().to_string());
            let _ = match c.file.as_str() {
                "" => writeln!(out, "\n{consumer}"),
                file => writeln!(out, "\n{consumer} ({file})"),
            };
            for r in &c.interactions {
                render_result(&mut out, r, color);
            }
        }
        let t = self.tally();
        let _ = writeln!(
            out,
            "\n{} passed, {} failed, {} pending failed",
            t.passed, t.failed, t.pending_failed
        );
        out
    }

    /// JUnit XML: one suite per consumer, one case per interaction.
    pub fn junit(&self) -> String {
        use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
        let mut report = Report::new(format!("shakedown verify {}", self.provider));
        for c in &self.contracts {
            let mut suite = TestSuite::new(format!("{} -> {}", c.consumer, self.provider));
            for r in &c.interactions {
                let status = match &r.outcome {
                    Outcome::Passed => TestCaseStatus::success(),
                    // A pending failure does not fail the build, so CI must not count it.
                    _ if r.pending && !self.strict => {
                        let mut s = TestCaseStatus::skipped();
                        s.set_message("pending: failed, but does not fail the verification");
                        s
                    }
                    Outcome::Failed { mismatches } => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(format!("{} mismatch(es)", mismatches.len()));
                        s.set_description(render_mismatches(mismatches, false));
                        s
                    }
                    Outcome::Error { reason } => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                        s.set_message(reason.to_string());
                        s
                    }
                };
                let mut case = TestCase::new(r.description.clone(), status);
                case.set_classname(c.consumer.clone());
                case.set_time(Duration::from_secs_f64(r.millis / 1000.0));
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        report.to_string().unwrap_or_default()
    }
}

fn render_result(out: &mut String, r: &InteractionResult, color: bool) {
    let given = if r.states.is_empty() {
        String::new()
    } else {
        format!("  [given {}]", r.states.join(", "))
    };
    let pending = if r.pending { "  (pending)" } else { "" };
    let mark = match (&r.outcome, r.pending) {
        (Outcome::Passed, _) => paint("✓", color, |s| s.green().to_string()),
        (_, true) => paint("!", color, |s| s.yellow().to_string()),
        _ => paint("✗", color, |s| s.red().to_string()),
    };
    let _ = writeln!(out, "  {mark} {}{given}{pending}", r.description);
    match &r.outcome {
        Outcome::Passed => {}
        Outcome::Failed { mismatches } => {
            for line in render_mismatches(mismatches, color).lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        Outcome::Error { reason } => {
            let _ = writeln!(out, "      error: {reason}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_text_in_json() {
        let outcome = Outcome::Error {
            reason: InteractionError::NoStateHandler {
                state: "an order exists".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&outcome).unwrap(),
            serde_json::json!({
                "status": "error",
                "reason": "the interaction needs provider state \"an order exists\" but no state handler is configured"
            })
        );
    }

    #[test]
    fn the_json_carries_the_verdict_and_the_counts() {
        let result = |outcome, pending| InteractionResult {
            description: "d".into(),
            states: vec![],
            pending,
            outcome,
            millis: 1.0,
        };
        let failed = Outcome::Failed { mismatches: vec![] };
        let report = VerificationReport {
            provider: "orders".into(),
            strict: false,
            contracts: vec![ContractResult {
                consumer: "web".into(),
                file: String::new(),
                digest: String::new(),
                interactions: vec![result(Outcome::Passed, false), result(failed, true)],
            }],
        };
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["success"], true);
        assert_eq!(
            json["tally"],
            serde_json::json!({"passed": 1, "failed": 0, "pendingFailed": 1})
        );
        assert_eq!(json["contracts"][0]["interactions"][1]["pending"], true);
    }
}
