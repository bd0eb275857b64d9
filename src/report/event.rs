//! The journal of a scenario run: every event, stamped with its time since the run began,
//! and the summary computed from them. Renderers read this and nothing else.

use serde::{Deserialize, Serialize};

/// Which side of the faults a steady-state check ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// After the services are ready, before the first fault.
    Before,
    /// After every fault healed.
    After,
}

/// What kind of check a verdict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A periodic canary (HTTP probe or contract replay).
    Canary,
    /// An "eventually" hypothesis.
    Hypothesis,
    /// A steady-state check (before or after the faults).
    SteadyState,
    /// One interaction of a contract sweep: whether every canary held while the requests
    /// matching it failed (the check is the sweep's window, `contract-sweep-1: <description>`).
    Interaction,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// Every check held.
    Passed,
    /// The run completed and at least one check failed.
    Failed,
    /// The run could not be carried out (a service did not start, Docker missing …).
    Error,
    /// Ctrl-C or a signal stopped the run; everything was healed and removed.
    Interrupted,
    /// A guardrail tripped (an `[[abort]]` condition, `max_duration` or the kill switch): the
    /// experiment stopped at once, everything was healed and removed.
    Aborted,
}

/// One thing that happened during a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Milliseconds since the run started (fractional).
    pub at_ms: f64,
    /// What happened.
    #[serde(flatten)]
    pub what: EventKind,
}

/// The kinds of events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// The run began.
    RunStarted {
        scenario: String,
        run_id: String,
        backend: String,
        seed: u64,
        /// The folder of the services' logs (`SERVICE.log` each), when the run has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        logs: Option<String>,
    },
    /// A service (process or container) was started.
    ServiceStarted { service: String, address: String },
    /// A service passed its readiness check.
    ServiceReady { service: String, waited_ms: u64 },
    /// A service was stopped and removed at the end.
    ServiceStopped { service: String },
    /// Something went wrong that stops the run (a service would not start …).
    RunError { message: String },
    /// A fault was injected.
    FaultApplied {
        fault: String,
        kind: String,
        target: String,
        scheduled_ms: u64,
        late_ms: f64,
    },
    /// A fault was healed.
    FaultHealed {
        fault: String,
        scheduled_ms: u64,
        late_ms: f64,
        /// Why it healed off its schedule, at teardown: `interrupted (Ctrl-C or a signal)`,
        /// `aborted: <condition>`, `run aborted after an error`, `end of run (no scheduled heal)`. Absent: on schedule.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<String>,
    },
    /// One probe of a canary, recorded when it completed (`at_ms`). Its `latency_ms` runs
    /// from its scheduled start, so `at_ms - latency_ms` is when it was due.
    Probe {
        canary: String,
        ok: bool,
        latency_ms: f64,
        status: Option<u16>,
        error: Option<String>,
        /// It could not start: `concurrency` probes were still in flight (counts as failed).
        #[serde(default)]
        missed: bool,
        /// How late it started after its scheduled start, ms.
        #[serde(default)]
        lag_ms: f64,
    },
    /// One steady-state check ran.
    SteadyState {
        phase: Phase,
        check: String,
        ok: bool,
        detail: String,
    },
    /// An eventually-hypothesis was decided.
    Hypothesis {
        name: String,
        ok: bool,
        waited_ms: u64,
        detail: String,
    },
    /// A canary, hypothesis or steady-state check was judged.
    Verdict {
        check: String,
        kind: CheckKind,
        ok: bool,
        detail: String,
    },
    /// How long a canary took to recover after a fault healed (`None`: it never did).
    Recovery {
        fault: String,
        canary: String,
        recovered_ms: Option<u64>,
    },
    /// Ctrl-C or a termination signal arrived.
    Interrupted { reason: String },
    /// A guardrail tripped and the experiment stops at once: which one (`checkout collapsed`,
    /// `max_duration 30s`, `kill switch (SIGUSR1)`) and the value seen.
    Aborted { condition: String, detail: String },
    /// The run ended (everything healed and removed).
    RunFinished {
        outcome: RunOutcome,
        duration_ms: u64,
    },
}

/// A fault's window on the timeline, for charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultWindow {
    /// The fault's id (`latency-1`).
    pub fault: String,
    /// Its kind (`latency`, `crash` …).
    pub kind: String,
    /// What it hit (a link, a service, `a,b|c`).
    pub target: String,
    /// When it was applied, ms since the start.
    pub start_ms: f64,
    /// When it was healed, ms since the start (`None`: never applied or healed).
    pub end_ms: Option<f64>,
}

/// A canary's figures over the whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanaryStats {
    /// The canary's name.
    pub name: String,
    /// Probes made.
    pub probes: u64,
    /// Probes that met the expectation.
    pub successes: u64,
    /// successes / probes (1.0 when no probe ran).
    pub success_rate: f64,
    /// Latency percentiles in ms (`None` without probes).
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    pub p95_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
    /// The longest run of failed probes.
    pub max_consecutive_failures: u64,
    /// Why probes failed: each cause with its count, most frequent first.
    #[serde(default)]
    pub causes: Vec<(String, u64)>,
    /// The same figures per fault window (by the probes' scheduled start), for all fault
    /// windows together (`during faults`, when there are several) and outside them (`steady`).
    #[serde(default)]
    pub windows: Vec<WindowStats>,
}

/// A canary's figures over part of the run: one fault window, all of them, or the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowStats {
    /// The fault's id (`latency-1`), `during faults` or `steady`.
    pub label: String,
    /// When the window began, ms since the start (`None` for `during faults` and `steady`).
    pub start_ms: Option<f64>,
    /// When it ended (`None`: not healed, or not one window).
    pub end_ms: Option<f64>,
    /// Probes scheduled inside it.
    pub probes: u64,
    /// Of those, the ones that met the expectation.
    pub successes: u64,
    /// successes / probes (1.0 when no probe ran).
    pub success_rate: f64,
    /// Latency percentiles in ms, missed probes left out (`None` without probes).
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    pub p95_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
    /// The longest run of failed probes inside it.
    pub max_consecutive_failures: u64,
    /// Why its probes failed, most frequent first.
    pub causes: Vec<(String, u64)>,
}

/// The whole record of a run: what renderers (JSON, JUnit, HTML, text) take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    /// The scenario's name.
    pub scenario: String,
    /// The run's id (also the label on its containers).
    pub run_id: String,
    /// `process` or `docker`.
    pub backend: String,
    /// The seed the run used.
    pub seed: u64,
    /// How it ended.
    pub outcome: RunOutcome,
    /// Every event, in time order.
    pub events: Vec<Event>,
    /// Fault windows, in start order.
    pub faults: Vec<FaultWindow>,
    /// Canary figures, in scenario order.
    pub canaries: Vec<CanaryStats>,
}

impl Journal {
    /// The verdicts, in the order they were given.
    pub fn verdicts(&self) -> impl Iterator<Item = (&str, CheckKind, bool, &str)> {
        self.events.iter().filter_map(|e| match &e.what {
            EventKind::Verdict {
                check,
                kind,
                ok,
                detail,
            } => Some((check.as_str(), *kind, *ok, detail.as_str())),
            _ => None,
        })
    }

    /// The folder of the services' logs (`SERVICE.log` each), if the run said where.
    pub fn logs(&self) -> Option<&str> {
        self.events.iter().find_map(|e| match &e.what {
            EventKind::RunStarted { logs, .. } => logs.as_deref(),
            _ => None,
        })
    }

    /// The services started during the run, each once, in start order.
    pub fn services(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for e in &self.events {
            if let EventKind::ServiceStarted { service, .. } = &e.what {
                if !names.contains(&service.as_str()) {
                    names.push(service);
                }
            }
        }
        names
    }

    /// The probes of one canary as (time ms, ok, latency ms).
    pub fn probes<'a>(&'a self, canary: &'a str) -> impl Iterator<Item = (f64, bool, f64)> + 'a {
        probes(&self.events, canary)
    }
}

/// The probes of one canary among `events` as (time ms, ok, latency ms), in event order.
pub fn probes<'a>(
    events: &'a [Event],
    canary: &'a str,
) -> impl Iterator<Item = (f64, bool, f64)> + 'a {
    events.iter().filter_map(move |e| match &e.what {
        EventKind::Probe {
            canary: c,
            ok,
            latency_ms,
            ..
        } if c == canary => Some((e.at_ms, *ok, *latency_ms)),
        _ => None,
    })
}
