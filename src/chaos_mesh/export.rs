//! A scenario as Chaos Mesh resources: one `Workflow` (or a `Schedule` wrapping it), and the
//! warnings for what does not carry over, located in the scenario file.
//!
//! The workflow's entry is a Serial: the steady-state checks (Synchronous StatusChecks),
//! the warm-up (a Suspend), the fault timeline, the settle (a Suspend), the steady-state
//! checks again and the hypotheses; canaries run beside it as Continuous StatusChecks in a
//! Parallel entry. Every StatusCheck aborts the workflow when it fails.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use super::check::{canary_failures, status_check, Mode, Probe};
use super::document::{dns_name, Document};
use super::fault::chaos;
use super::warning::{key_path, locate, Seg, Warning};
use super::workflow::{Templates, Timed};
use crate::scenario::{
    self, Effect, Expect, HttpRequest, Planned, Problem, Scenario, ScenarioError,
};

/// The resources of a scenario, and what could not be expressed.
#[derive(Debug, Clone)]
pub struct Export {
    /// A Workflow, or a Schedule of it when the scenario has a `schedule`.
    pub documents: Vec<Document>,
    /// What was left out or approximated, located in the scenario file.
    pub warnings: Vec<Problem>,
}

/// Why a scenario cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The scenario cannot be read or is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The file could not be read again to locate warnings.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Loads the scenario at `file` and exports it.
pub fn export(file: &Path) -> Result<Export, ExportError> {
    let scenario = scenario::load(file)?;
    let text = std::fs::read_to_string(file).map_err(|source| ExportError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
    let name = dns_name(stem.as_deref().unwrap_or(&scenario.name));
    Ok(export_scenario(&scenario, &name, file, &text))
}

/// Exports a loaded scenario as resources named `name`; `file` and `text` locate warnings.
pub fn export_scenario(scenario: &Scenario, name: &str, file: &Path, text: &str) -> Export {
    let mut warnings = services(scenario);
    let mut t = Templates::default();
    let faults = timed(scenario, &mut warnings);
    let faults_end = faults
        .iter()
        .map(|f| f.start + f.duration)
        .max()
        .unwrap_or_default();
    let mut serial = Vec::new();
    let steady = steady_state(scenario, &mut t, &mut warnings);
    serial.extend(steady.clone());
    if !scenario.warmup.0.is_zero() {
        serial.push(t.suspend("warmup", scenario.warmup.into()));
    }
    serial.extend(t.timeline(&faults));
    if !scenario.settle.0.is_zero() {
        serial.push(t.suspend("settle", scenario.settle.into()));
    }
    serial.extend(steady_state(scenario, &mut t, &mut Vec::new()));
    serial.extend(hypotheses(scenario, &mut t, &mut warnings));
    let timeline = t.group("timeline", false, serial);
    let run = Duration::from(scenario.warmup) + faults_end + Duration::from(scenario.settle);
    let mut entry = vec![timeline];
    entry.extend(canaries(scenario, run, &mut t, &mut warnings));
    let entry = t.group("entry", true, entry);
    let spec = json!({ "entry": entry, "templates": t.into_list() });
    let document = match &scenario.schedule {
        None => Document::new("Workflow", name, spec),
        Some(cron) => Document::new(
            "Schedule",
            name,
            json!({
                "schedule": cron.as_str(),
                "type": "Workflow",
                "concurrencyPolicy": "Forbid",
                "historyLimit": 5,
                "workflow": spec,
            }),
        ),
    };
    Export {
        documents: vec![document],
        warnings: locate(file, text, &warnings),
    }
}

/// Services Chaos Mesh cannot find as they are written.
fn services(scenario: &Scenario) -> Vec<Warning> {
    scenario
        .services
        .iter()
        .filter(|(_, s)| s.image.is_none())
        .map(|(name, _)| {
            Warning::new(
                key_path!["services", name, "command"],
                format!(
                    "service {name} is a process only (no `image`): on the cluster it must run \
                     as pods with its `kubernetes` labels"
                ),
            )
        })
        .collect()
}

/// The faults with their targets chosen (the scenario's seed, else 0) and their chaos.
fn timed(scenario: &Scenario, warnings: &mut Vec<Warning>) -> Vec<Timed> {
    let (order, planned) = exportable(scenario, warnings);
    order
        .into_iter()
        .zip(planned)
        .map(|(i, p)| {
            if scenario.seed.is_none() && several_targets(&p.spec.effect) {
                warnings.push(Warning::new(
                    key_path!["faults", i],
                    "the target is chosen among several with seed 0 (the scenario has no \
                     `seed`): the export always hits the same one",
                ));
            }
            let (chaos, found) = chaos(scenario, i, &p);
            warnings.extend(found);
            let duration = match p.end {
                Some(end) => end - p.start,
                None => p.spec.duration.into(),
            };
            Timed {
                id: p.id.clone(),
                start: p.start,
                duration,
                chaos,
            }
        })
        .collect()
}

/// The indices of the faults Chaos Mesh can carry, in start order, and their plan; a
/// contract sweep (requests matched by a contract's interactions) is left out with a warning.
fn exportable(scenario: &Scenario, warnings: &mut Vec<Warning>) -> (Vec<usize>, Vec<Planned>) {
    let mut kept: Vec<usize> = Vec::new();
    for (i, f) in scenario.faults.iter().enumerate() {
        if matches!(f.effect, Effect::ContractSweep(_)) {
            warnings.push(Warning::new(
                key_path!["faults", i, "kind"],
                "contract-sweep is not exported: Chaos Mesh's HTTPChaos cannot match requests \
                 by a contract's interactions (their bodies and matching rules)",
            ));
        } else {
            kept.push(i);
        }
    }
    let mut only = scenario.clone();
    only.faults = kept.iter().map(|&i| scenario.faults[i].clone()).collect();
    let planned = scenario::plan(&only, scenario.seed.unwrap_or(0));
    // `plan` sorts by start, stably: the same order of the fault indices.
    kept.sort_by_key(|&i| Duration::from(scenario.faults[i].start));
    (kept, planned)
}

fn several_targets(effect: &Effect) -> bool {
    let target = match effect {
        Effect::Latency(f) => &f.link,
        Effect::Jitter(f) => &f.link,
        Effect::Bandwidth(f) => &f.link,
        Effect::Reset(f) | Effect::Timeout(f) => &f.link,
        Effect::Http(f) => &f.link,
        Effect::Crash(f) => &f.service,
        Effect::Pause(f) => &f.service,
        Effect::Partition(_) | Effect::ContractSweep(_) => return false,
    };
    target.names().len() > 1
}

/// A check retried once a second until it holds or `within` passes (steady state, hypotheses).
fn synchronous<'s>(
    at: Vec<Seg>,
    name: &'s str,
    http: &'s HttpRequest,
    expect: &'s Expect,
    within: Duration,
) -> Probe<'s> {
    Probe {
        at,
        name,
        http,
        expect,
        every: Duration::from_secs(1),
        failures: within.as_secs().max(1),
        mode: Mode::Synchronous,
        deadline: within,
    }
}

/// A check's HTTP request; a Prometheus query is left out with a warning (a StatusCheck
/// only makes HTTP requests).
fn http_only<'s>(
    name: &str,
    http: Option<&'s HttpRequest>,
    mut at: Vec<Seg>,
    warnings: &mut Vec<Warning>,
) -> Option<&'s HttpRequest> {
    if http.is_none() {
        at.push(Seg::Key("prometheus".into()));
        warnings.push(Warning::new(
            at,
            format!("{name:?} is a Prometheus query: a StatusCheck makes only HTTP requests, so it is left out"),
        ));
    }
    http
}

/// The steady-state checks, as Synchronous StatusChecks in parallel.
fn steady_state(
    scenario: &Scenario,
    t: &mut Templates,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    let checks: Vec<String> = scenario
        .steady_state
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let at = key_path!["steady_state", i];
            let http = http_only(&c.name, c.http.as_ref(), at.clone(), warnings)?;
            let probe = synchronous(at, &c.name, http, &c.expect, c.within.into());
            status_check(scenario, probe, warnings).map(|s| t.status_check(&s))
        })
        .collect();
    (!checks.is_empty()).then(|| t.group("steady-state", true, checks))
}

/// Hypotheses without `same_as`, as Synchronous StatusChecks after the settle.
fn hypotheses(
    scenario: &Scenario,
    t: &mut Templates,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    let checks: Vec<String> = scenario
        .hypotheses
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            if h.same_as.is_some() {
                warnings.push(Warning::new(
                    key_path!["hypotheses", i, "same_as"],
                    format!(
                        "hypothesis {:?} compares two readings (`same_as`): a StatusCheck \
                         cannot, so it is left out",
                        h.name
                    ),
                ));
                return None;
            }
            let at = key_path!["hypotheses", i];
            let http = http_only(&h.name, h.http.as_ref(), at.clone(), warnings)?;
            let probe = synchronous(at, &h.name, http, &h.expect, h.within.into());
            status_check(scenario, probe, warnings).map(|s| t.status_check(&s))
        })
        .collect();
    (!checks.is_empty()).then(|| t.group("hypotheses", true, checks))
}

/// HTTP canaries, as Continuous StatusChecks for the run (`run` long).
fn canaries(
    scenario: &Scenario,
    run: Duration,
    t: &mut Templates,
    warnings: &mut Vec<Warning>,
) -> Vec<String> {
    scenario
        .canaries
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            if c.prometheus.is_some() {
                http_only(&c.name, None, key_path!["canaries", i], warnings)?;
            }
            let Some(http) = &c.http else {
                warnings.push(Warning::new(
                    key_path!["canaries", i, "contract"],
                    format!(
                        "canary {:?} replays a contract: Chaos Mesh has no contract replay, so \
                         it is left out",
                        c.name
                    ),
                ));
                return None;
            };
            let probe = Probe {
                at: key_path!["canaries", i],
                name: &c.name,
                http,
                expect: &c.expect,
                every: c.every.into(),
                failures: canary_failures(&c.expect),
                mode: Mode::Continuous,
                deadline: run,
            };
            if Duration::from(c.every) < Duration::from_secs(1) {
                warnings.push(Warning::new(
                    key_path!["canaries", i, "every"],
                    format!(
                        "a StatusCheck probes at most once a second: every {} is exported as 1s",
                        c.every
                    ),
                ));
            }
            status_check(scenario, probe, warnings).map(|s| t.status_check(&s))
        })
        .collect()
}
