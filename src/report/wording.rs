//! Events in words, said once: the sentence for each event (its `Display`), its name and how
//! it stands out. The live lines of `shakedown run` and the HTML event journal both use it.

use std::fmt;

use super::event::{EventKind, Phase, RunOutcome};
use super::text::{kind_label, late, millis, outcome_word, span};

/// How an event stands out among the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// An ordinary step of the run.
    Plain,
    /// A fault was applied or healed.
    Fault,
    /// Something failed or stopped the run.
    Bad,
}

impl EventKind {
    /// The event's name, as in the JSON journal (`fault_applied`).
    ///
    /// ```
    /// use shakedown::report::EventKind;
    /// let e = EventKind::Interrupted { reason: "Ctrl-C".into() };
    /// assert_eq!(e.name(), "interrupted");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::RunStarted { .. } => "run_started",
            EventKind::ServiceStarted { .. } => "service_started",
            EventKind::ServiceReady { .. } => "service_ready",
            EventKind::ServiceStopped { .. } => "service_stopped",
            EventKind::RunError { .. } => "run_error",
            EventKind::FaultApplied { .. } => "fault_applied",
            EventKind::FaultHealed { .. } => "fault_healed",
            EventKind::Probe { .. } => "probe",
            EventKind::SteadyState { .. } => "steady_state",
            EventKind::Hypothesis { .. } => "hypothesis",
            EventKind::Verdict { .. } => "verdict",
            EventKind::Recovery { .. } => "recovery",
            EventKind::Interrupted { .. } => "interrupted",
            EventKind::Aborted { .. } => "aborted",
            EventKind::RunFinished { .. } => "run_finished",
        }
    }

    /// How the event stands out: faults, and whatever failed or stopped the run.
    pub fn tone(&self) -> Tone {
        let bad_unless = |ok: bool| if ok { Tone::Plain } else { Tone::Bad };
        match self {
            EventKind::FaultApplied { .. } | EventKind::FaultHealed { .. } => Tone::Fault,
            EventKind::RunError { .. }
            | EventKind::Interrupted { .. }
            | EventKind::Aborted { .. } => Tone::Bad,
            EventKind::Probe { ok, .. }
            | EventKind::SteadyState { ok, .. }
            | EventKind::Hypothesis { ok, .. }
            | EventKind::Verdict { ok, .. } => bad_unless(*ok),
            EventKind::Recovery { recovered_ms, .. } => bad_unless(recovered_ms.is_some()),
            EventKind::RunFinished { outcome, .. } => bad_unless(matches!(
                outcome,
                RunOutcome::Passed | RunOutcome::Interrupted
            )),
            _ => Tone::Plain,
        }
    }
}

fn mark(ok: bool) -> &'static str {
    if ok {
        "✔"
    } else {
        "✘"
    }
}

/// The event as one sentence, e.g. `fault latency-1: latency on a->b, scheduled at 10.0 s,
/// +0.42 ms late`.
///
/// ```
/// use shakedown::report::EventKind;
/// let e = EventKind::FaultHealed { fault: "crash-1".into(), scheduled_ms: 45_000, late_ms: 0.8, cause: None };
/// assert_eq!(e.to_string(), "fault crash-1 healed, scheduled at 45.0 s, +0.80 ms late");
/// ```
impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::RunStarted {
                scenario,
                run_id,
                backend,
                seed,
                logs,
            } => {
                write!(
                    f,
                    "run {run_id}: {scenario} (backend {backend}, seed {seed})"
                )?;
                match logs {
                    Some(dir) => write!(f, ", service logs in {dir}"),
                    None => Ok(()),
                }
            }
            EventKind::ServiceStarted { service, address } => {
                write!(f, "started {service} at {address}")
            }
            EventKind::ServiceReady { service, waited_ms } => {
                write!(f, "{service} ready after {}", span(*waited_ms as f64))
            }
            EventKind::ServiceStopped { service } => write!(f, "removed {service}"),
            EventKind::RunError { message } => write!(f, "error: {message}"),
            EventKind::FaultApplied {
                fault,
                kind,
                target,
                scheduled_ms,
                late_ms,
            } => write!(
                f,
                "fault {fault}: {kind} on {target}, scheduled at {}, {} late",
                span(*scheduled_ms as f64),
                late(*late_ms)
            ),
            EventKind::FaultHealed {
                fault,
                cause: Some(cause),
                ..
            } => write!(f, "fault {fault} healed at teardown: {cause}"),
            EventKind::FaultHealed {
                fault,
                scheduled_ms,
                late_ms,
                cause: None,
            } => write!(
                f,
                "fault {fault} healed, scheduled at {}, {} late",
                span(*scheduled_ms as f64),
                late(*late_ms)
            ),
            EventKind::Probe {
                canary,
                ok,
                latency_ms,
                status,
                error,
                ..
            } => {
                write!(f, "{canary} {} {}", mark(*ok), millis(*latency_ms))?;
                if let Some(status) = status {
                    write!(f, " · {status}")?;
                }
                if let Some(error) = error {
                    write!(f, " · {error}")?;
                }
                Ok(())
            }
            EventKind::SteadyState {
                phase,
                check,
                ok,
                detail,
            } => {
                let phase = match phase {
                    Phase::Before => "before",
                    Phase::After => "after",
                };
                let holds = if *ok { "holds" } else { "DOES NOT HOLD" };
                write!(f, "steady state {phase} — {check}: {holds} ({detail})")
            }
            EventKind::Hypothesis {
                name,
                ok,
                waited_ms,
                detail,
            } => write!(
                f,
                "hypothesis {name}: {} after {} ({detail})",
                if *ok { "held" } else { "FAILED" },
                span(*waited_ms as f64)
            ),
            EventKind::Verdict {
                check,
                kind,
                ok,
                detail,
            } => write!(f, "{} {check} {} {detail}", kind_label(*kind), mark(*ok)),
            EventKind::Recovery {
                fault,
                canary,
                recovered_ms: Some(ms),
            } => write!(
                f,
                "{canary} recovered {} after {fault} healed",
                span(*ms as f64)
            ),
            EventKind::Recovery {
                fault,
                canary,
                recovered_ms: None,
            } => write!(f, "{canary} never recovered after {fault} healed"),
            EventKind::Interrupted { reason } => write!(f, "interrupted: {reason}"),
            EventKind::Aborted { condition, detail } => {
                write!(f, "aborted: {condition} tripped — {detail}")
            }
            EventKind::RunFinished {
                outcome,
                duration_ms,
            } => write!(
                f,
                "{} after {}",
                outcome_word(*outcome),
                span(*duration_ms as f64)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CheckKind;

    /// One event of each kind and its sentence.
    fn sentences() -> Vec<(EventKind, &'static str)> {
        vec![
            (
                EventKind::RunStarted {
                    scenario: "checkout".into(),
                    run_id: "run-1".into(),
                    backend: "process".into(),
                    seed: 7,
                    logs: Some("/state/runs/run-1".into()),
                },
                "run run-1: checkout (backend process, seed 7), service logs in /state/runs/run-1",
            ),
            (
                EventKind::ServiceStarted {
                    service: "orders".into(),
                    address: "127.0.0.1:4100".into(),
                },
                "started orders at 127.0.0.1:4100",
            ),
            (
                EventKind::ServiceReady {
                    service: "orders".into(),
                    waited_ms: 1_250,
                },
                "orders ready after 1.2 s",
            ),
            (
                EventKind::ServiceStopped {
                    service: "orders".into(),
                },
                "removed orders",
            ),
            (
                EventKind::RunError {
                    message: "no docker".into(),
                },
                "error: no docker",
            ),
            (
                EventKind::FaultApplied {
                    fault: "latency-1".into(),
                    kind: "latency".into(),
                    target: "a->b".into(),
                    scheduled_ms: 10_000,
                    late_ms: 0.42,
                },
                "fault latency-1: latency on a->b, scheduled at 10.0 s, +0.42 ms late",
            ),
            (
                EventKind::FaultHealed {
                    fault: "latency-1".into(),
                    scheduled_ms: 25_000,
                    late_ms: 1.1,
                    cause: None,
                },
                "fault latency-1 healed, scheduled at 25.0 s, +1.10 ms late",
            ),
            (
                EventKind::FaultHealed {
                    fault: "pause-2".into(),
                    scheduled_ms: 3_000,
                    late_ms: 0.0,
                    cause: Some("interrupted (Ctrl-C or a signal)".into()),
                },
                "fault pause-2 healed at teardown: interrupted (Ctrl-C or a signal)",
            ),
            (
                EventKind::Probe {
                    canary: "orders".into(),
                    ok: false,
                    latency_ms: 3.0,
                    status: Some(503),
                    error: Some("slow".into()),
                    missed: false,
                    lag_ms: 0.0,
                },
                "orders ✘ 3.00 ms · 503 · slow",
            ),
            (
                EventKind::SteadyState {
                    phase: Phase::After,
                    check: "health".into(),
                    ok: false,
                    detail: "503".into(),
                },
                "steady state after — health: DOES NOT HOLD (503)",
            ),
            (
                EventKind::Hypothesis {
                    name: "recovers".into(),
                    ok: true,
                    waited_ms: 1_500,
                    detail: "200".into(),
                },
                "hypothesis recovers: held after 1.5 s (200)",
            ),
            (
                EventKind::Verdict {
                    check: "health".into(),
                    kind: CheckKind::SteadyState,
                    ok: true,
                    detail: "200".into(),
                },
                "steady state health ✔ 200",
            ),
            (
                EventKind::Recovery {
                    fault: "crash-1".into(),
                    canary: "orders".into(),
                    recovered_ms: None,
                },
                "orders never recovered after crash-1 healed",
            ),
            (
                EventKind::Interrupted {
                    reason: "Ctrl-C".into(),
                },
                "interrupted: Ctrl-C",
            ),
            (
                EventKind::RunFinished {
                    outcome: RunOutcome::Failed,
                    duration_ms: 60_000,
                },
                "failed after 1 min 00 s",
            ),
        ]
    }

    #[test]
    fn should_say_each_event_in_one_sentence() {
        for (event, want) in sentences() {
            assert_eq!(event.to_string(), want);
        }
    }

    #[test]
    fn should_name_events_as_the_journal_does() {
        for (event, _) in sentences() {
            let json = serde_json::to_value(&event).unwrap();
            assert_eq!(json["event"], event.name());
        }
    }

    #[test]
    fn should_set_faults_and_failures_apart() {
        let tones: Vec<_> = sentences().iter().map(|(e, _)| e.tone()).collect();
        use Tone::*;
        let want = [
            Plain, Plain, Plain, Plain, Bad, Fault, Fault, Fault, Bad, Bad, Plain, Plain, Bad, Bad,
            Bad,
        ];
        assert_eq!(tones, want);
    }
}
