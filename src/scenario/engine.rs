//! The engine: brings the system up, checks the steady state, runs canaries while faults
//! are applied and healed on the timeline, decides hypotheses, and always heals and removes
//! everything it started, whatever happens.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::report::{CheckKind, EventKind, FaultWindow, Journal, Phase, RunOutcome};

use super::abort::{self, Tripwire};
use super::backend::{Backend, DockerBackend, ProcessBackend};
use super::cancel::{cancel_pair, Cancel};
use super::contract_sweep;
use super::fault::{self, Aim, Planned};
use super::hypothesis::{self, Decided};
use super::model::Scenario;
use super::owner::Owner;
use super::recorder::{Listener, Recorder};
use super::scrape::{self, ProxyMetrics};
use super::state::{self, RunState};
use super::state_dir;
use super::system::{snapshot, System};
use super::verdict;

/// Which backend runs the services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendKind {
    /// Local processes on loopback (no Docker needed).
    #[default]
    Process,
    /// Docker containers from local images.
    Docker,
}

/// How to run a scenario.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// The backend.
    pub backend: BackendKind,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Where run state and service logs go (default: [`state_dir::default_state_dir`]).
    pub state_dir: Option<PathBuf>,
    /// Sees every event as it happens (the live view).
    pub listener: Option<Listener>,
    /// The kill switch's file: the run aborts when it appears (default
    /// `<state dir>/runs/<run id>/ABORT`, see [`kill_switch_file`]).
    pub kill_switch: Option<PathBuf>,
    /// The kill switch's signal: the run aborts when it fires (`kill switch (SIGUSR1)`: the
    /// CLI fires it on SIGUSR1).
    pub kill_signal: Option<Cancel>,
}

/// The kill switch's default file for a run: `<state dir>/runs/<run id>/ABORT`.
pub fn kill_switch_file(state_dir: &std::path::Path, run_id: &str) -> PathBuf {
    abort::default_kill_file(state_dir, run_id)
}

/// The seed a run uses: the option, else the scenario's, else a random one.
pub fn effective_seed(scenario: &Scenario, options: &RunOptions) -> u64 {
    options.seed.or(scenario.seed).unwrap_or_else(rand::random)
}

/// Runs a scenario to the end (or until `cancel` fires, or a guardrail trips: an `[[abort]]`
/// condition, `max_duration`, the kill switch) and returns its journal. Every fault is healed
/// and every service removed before it returns.
pub async fn run(scenario: &Scenario, options: RunOptions, cancel: Cancel) -> Journal {
    let seed = effective_seed(scenario, &options);
    let run_id = format!("{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff);
    let state_dir = options
        .state_dir
        .clone()
        .unwrap_or_else(state_dir::default_state_dir);
    let log_dir = state_dir.join("runs").join(&run_id);
    let logs = Some(log_dir.display().to_string());
    let backend = match options.backend {
        BackendKind::Process => Backend::Process(processes(scenario, log_dir)),
        BackendKind::Docker => Backend::Docker(DockerBackend::new(&run_id, log_dir)),
    };
    let (listener, feed) = abort::probe_feed(scenario, options.listener.clone());
    let recorder = Recorder::new(listener);
    // The run's stop: Ctrl-C (the caller's `cancel`) or the first guardrail to trip.
    let (stopper, stop) = cancel_pair();
    let tripwire = Tripwire::new(stopper.clone(), cancel.clone(), recorder.clone());
    let forward = tokio::spawn(async move {
        cancel.cancelled().await;
        stopper.cancel();
    });
    let kill_file = options
        .kill_switch
        .clone()
        .unwrap_or_else(|| kill_switch_file(&state_dir, &run_id));
    recorder.record(EventKind::RunStarted {
        scenario: scenario.name.clone(),
        run_id: run_id.clone(),
        backend: backend.name().into(),
        seed,
        logs,
    });
    let mut state = RunState {
        run_id: run_id.clone(),
        owner: Owner::me(),
        backend: backend.name().into(),
        pids: Vec::new(),
    };
    let private = state_dir::private_dir(&state_dir);
    let usable = private.is_ok();
    if usable {
        let _ = state::save(&state_dir, &state);
    }
    if options.kill_switch.is_none() && usable {
        // Where the default kill switch goes must exist for it to be created.
        let _ = std::fs::create_dir_all(kill_file.parent().unwrap_or(&state_dir));
    }
    let guard = abort::watch_run(scenario, &tripwire, kill_file, options.kill_signal.clone());
    let mut run = Run {
        scenario,
        recorder: recorder.clone(),
        cancel: stop,
        tripwire,
        feed,
        errors: 0,
        active: Vec::new(),
        windows: BTreeMap::new(),
    };
    let prepared = match private {
        Err(e) => Err(format!("state folder {e}")),
        Ok(()) => System::prepare(backend, scenario, &run_id, seed)
            .await
            .map_err(|e| e.to_string()),
    };
    let outcome = match prepared {
        Err(e) => run.fail(e),
        Ok(mut system) => {
            let outcome = run
                .with_system(&mut system, seed, &mut state, &state_dir)
                .await;
            // Nothing trips once the run is over: teardown is not an experiment.
            drop(guard);
            run.teardown(&mut system).await;
            outcome
        }
    };
    forward.abort();
    if usable {
        state::forget(&state_dir, &run_id);
    }
    run.finish(outcome, &state, seed)
}

/// Whether `fault` healed off its schedule (at teardown, an abort, Ctrl-C).
fn healed_at_teardown(events: &[crate::report::Event], fault: &str) -> bool {
    events.iter().any(|e| {
        matches!(&e.what, EventKind::FaultHealed { fault: f, cause: Some(_), .. } if f == fault)
    })
}

/// The process backend for `scenario`: each service runs in its file's root (the current
/// directory for a service built in code, without one).
fn processes(scenario: &Scenario, log_dir: PathBuf) -> ProcessBackend {
    let here = std::env::current_dir().unwrap_or_default();
    let folders = scenario
        .services
        .iter()
        .filter(|(_, s)| !s.dir.as_os_str().is_empty())
        .map(|(name, s)| (name.clone(), s.dir.clone()))
        .collect();
    ProcessBackend::new(here, log_dir).with_folders(folders)
}

struct Run<'a> {
    scenario: &'a Scenario,
    recorder: Recorder,
    /// Fires on Ctrl-C or when a guardrail trips.
    cancel: Cancel,
    tripwire: Tripwire,
    /// The probes, for the canary abort conditions.
    feed: Option<tokio::sync::mpsc::UnboundedReceiver<crate::report::Event>>,
    errors: usize,
    active: Vec<Planned>,
    windows: BTreeMap<String, FaultWindow>,
}

/// Verdicts that are not canaries, gathered while the run goes.
type Decisions = Vec<(String, CheckKind, Decided)>;

impl Run<'_> {
    fn fail(&mut self, message: String) -> RunOutcome {
        self.errors += 1;
        self.recorder.record(EventKind::RunError { message });
        RunOutcome::Error
    }

    async fn with_system(
        &mut self,
        system: &mut System,
        seed: u64,
        state: &mut RunState,
        dir: &std::path::Path,
    ) -> RunOutcome {
        let started = system
            .start_all(self.scenario, &self.recorder, &self.cancel)
            .await;
        state.pids = system.pids();
        let _ = state::save(dir, state);
        if let Err(e) = started {
            return if self.cancel.is_cancelled() {
                RunOutcome::Interrupted
            } else {
                self.fail(e.to_string())
            };
        }
        let _scraped = self.scrape_targets(system, dir).await;
        let outcome = self.experiment(system, seed, state, dir).await;
        scrape::remove_targets(dir, &state.run_id);
        outcome
    }

    /// Serves the proxies' metrics and writes the run's Prometheus targets file (a failure
    /// is logged: only Prometheus probes need it, and they say what they miss).
    async fn scrape_targets(&self, system: &System, dir: &std::path::Path) -> Option<ProxyMetrics> {
        let endpoint = match ProxyMetrics::serve(system.proxies()).await {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::warn!("the proxies' metrics cannot be served: {e}");
                None
            }
        };
        let names = system.shared_names();
        let names = snapshot(&names);
        let services: Vec<(String, String)> = self
            .scenario
            .services
            .keys()
            .filter_map(|n| Some((n.clone(), names.address(n)?.to_string())))
            .collect();
        let groups = scrape::targets(
            names.run_id(),
            &services,
            endpoint.as_ref().map(ProxyMetrics::addr),
        );
        if let Err(e) = scrape::write_targets(dir, names.run_id(), &groups) {
            tracing::warn!("the run's Prometheus targets cannot be written: {e}");
        }
        endpoint
    }

    /// From the steady state before the faults to the verdicts.
    async fn experiment(
        &mut self,
        system: &mut System,
        seed: u64,
        state: &mut RunState,
        dir: &std::path::Path,
    ) -> RunOutcome {
        let mut decisions = Decisions::new();
        if !self
            .steady_state(system, Phase::Before, &mut decisions)
            .await
        {
            self.give_verdicts(&decisions);
            return if self.cancel.is_cancelled() {
                RunOutcome::Interrupted
            } else {
                RunOutcome::Failed
            };
        }
        let (stop_canaries, stop) = cancel_pair();
        let canaries = self.start_canaries(system, &stop);
        let conditions = abort::watch_conditions(
            self.scenario,
            &self.tripwire,
            &system.shared_names(),
            self.feed.take(),
        );
        let plan = fault::plan(self.scenario, seed);
        let completed = self.timeline(system, &plan, state, dir).await;
        if completed {
            self.after_faults(system, &mut decisions).await;
        } else {
            // Stopped (Ctrl-C or a guardrail): heal before anything else.
            self.heal_all(system).await;
        }
        drop(conditions);
        stop_canaries.cancel();
        for c in canaries {
            let _ = c.await;
        }
        self.give_verdicts(&decisions);
        if !completed || self.cancel.is_cancelled() {
            RunOutcome::Interrupted
        } else if self.errors > 0 {
            RunOutcome::Error
        } else {
            RunOutcome::Passed
        }
    }

    async fn steady_state(
        &mut self,
        system: &System,
        phase: Phase,
        decisions: &mut Decisions,
    ) -> bool {
        let names = system.shared_names();
        let mut all_ok = true;
        for check in &self.scenario.steady_state {
            let d = hypothesis::steady(check, &names, &self.cancel).await;
            self.recorder.record(EventKind::SteadyState {
                phase,
                check: check.name.clone(),
                ok: d.ok,
                detail: d.detail.clone(),
            });
            all_ok &= d.ok;
            let label = match phase {
                Phase::Before => format!("{} (before)", check.name),
                Phase::After => format!("{} (after)", check.name),
            };
            decisions.push((label, CheckKind::SteadyState, d));
        }
        all_ok && !self.cancel.is_cancelled()
    }

    fn start_canaries(&self, system: &System, stop: &Cancel) -> Vec<JoinHandle<()>> {
        self.scenario
            .canaries
            .iter()
            .map(|c| {
                tokio::spawn(super::canary::run(
                    c.clone(),
                    system.shared_names(),
                    self.recorder.clone(),
                    stop.clone(),
                ))
            })
            .collect()
    }

    /// Applies and heals the faults on time; false when cancelled.
    async fn timeline(
        &mut self,
        system: &mut System,
        plan: &[Planned],
        state: &mut RunState,
        dir: &std::path::Path,
    ) -> bool {
        let origin = Instant::now() + Duration::from(self.scenario.warmup);
        let mut steps: Vec<(Duration, bool, &Planned)> = Vec::new();
        for p in plan {
            steps.push((p.start, true, p));
            if let Some(end) = p.end {
                steps.push((end, false, p));
            }
        }
        steps.sort_by_key(|(t, apply, _)| (*t, *apply));
        for (at, apply, p) in steps {
            if !self.cancel.sleep_until(origin + at).await {
                return false;
            }
            if apply {
                self.apply(system, p, origin + at).await;
            } else {
                self.heal(system, p, origin + at, None).await;
                state.pids = system.pids();
                let _ = state::save(dir, state);
            }
        }
        true
    }

    async fn apply(&mut self, system: &mut System, p: &Planned, scheduled: Instant) {
        let scheduled_ms = self.recorder.ms_at(scheduled.into_std());
        let kind = p.spec.kind().name().to_string();
        match fault::apply(system, p).await {
            Ok(()) => {
                let now = self.recorder.now_ms();
                self.recorder.record(EventKind::FaultApplied {
                    fault: p.id.clone(),
                    kind: kind.clone(),
                    target: p.aim.label(),
                    scheduled_ms: scheduled_ms as u64,
                    late_ms: now - scheduled_ms,
                });
                self.windows.insert(
                    p.id.clone(),
                    FaultWindow {
                        fault: p.id.clone(),
                        kind,
                        target: p.aim.label(),
                        start_ms: now,
                        end_ms: None,
                    },
                );
                self.active.push(p.clone());
            }
            Err(e) => {
                self.fail(format!("fault {} could not be applied: {e}", p.id));
            }
        }
    }

    /// Heals `p` (if applied); `cause` says why when it is not its scheduled heal.
    async fn heal(
        &mut self,
        system: &mut System,
        p: &Planned,
        scheduled: Instant,
        cause: Option<String>,
    ) {
        let Some(i) = self.active.iter().position(|a| a.id == p.id) else {
            return;
        };
        let p = self.active.remove(i);
        let scheduled_ms = self.recorder.ms_at(scheduled.into_std());
        if let Err(e) = fault::heal(system, &p).await {
            self.fail(format!("fault {} could not be healed cleanly: {e}", p.id));
        }
        let now = self.recorder.now_ms();
        self.recorder.record(EventKind::FaultHealed {
            fault: p.id.clone(),
            scheduled_ms: scheduled_ms as u64,
            late_ms: now - scheduled_ms,
            cause,
        });
        if let Some(w) = self.windows.get_mut(&p.id) {
            w.end_ms = Some(now);
        }
        if let Aim::Crash(name) = &p.aim {
            self.await_restart(system, name).await;
        }
    }

    /// Waits for a restarted service; a service that does not come back is a run error.
    async fn await_restart(&mut self, system: &mut System, name: &str) {
        let Some(service) = self.scenario.services.get(name) else {
            return;
        };
        if self.cancel.is_cancelled() {
            return;
        }
        let began = Instant::now();
        let ready = tokio::select! {
            r = system.await_ready(name, service) => r,
            _ = self.cancel.cancelled() => return,
        };
        match ready {
            Ok(()) => self.recorder.record(EventKind::ServiceReady {
                service: name.into(),
                waited_ms: began.elapsed().as_millis() as u64,
            }),
            Err(e) => {
                self.fail(format!("after its crash: {e}"));
            }
        }
    }

    /// The settle period: hypotheses run from the last heal; then the steady state again.
    async fn after_faults(&mut self, system: &mut System, decisions: &mut Decisions) {
        let settle_end = Instant::now() + Duration::from(self.scenario.settle);
        let names = system.shared_names();
        let hypotheses: Vec<_> = self
            .scenario
            .hypotheses
            .iter()
            .map(|h| {
                let (h, names, cancel) = (h.clone(), names.clone(), self.cancel.clone());
                tokio::spawn(async move {
                    (
                        h.name.clone(),
                        hypothesis::eventually(&h, &names, &cancel).await,
                    )
                })
            })
            .collect();
        let settled = self.cancel.sleep_until(settle_end).await;
        for h in hypotheses {
            if let Ok((name, d)) = h.await {
                self.recorder.record(EventKind::Hypothesis {
                    name: name.clone(),
                    ok: d.ok,
                    waited_ms: d.waited.as_millis() as u64,
                    detail: d.detail.clone(),
                });
                decisions.push((name, CheckKind::Hypothesis, d));
            }
        }
        if settled {
            self.steady_state(system, Phase::After, decisions).await;
        }
    }

    fn give_verdicts(&mut self, decisions: &Decisions) {
        let events = self.recorder.events();
        let windows: Vec<FaultWindow> = self.windows.values().cloned().collect();
        for c in &self.scenario.canaries {
            let stats = verdict::stats(&events, &c.name, &windows);
            let (ok, detail) = verdict::judge(c, &stats);
            if stats.probes > 0 || !self.cancel.is_cancelled() {
                self.recorder.record(EventKind::Verdict {
                    check: c.name.clone(),
                    kind: CheckKind::Canary,
                    ok,
                    detail,
                });
            }
        }
        let windows: Vec<FaultWindow> = self.windows.values().cloned().collect();
        let swept = contract_sweep::verdicts(&self.scenario.canaries, &events, &windows);
        for (slot, ok, detail) in swept {
            self.recorder.record(EventKind::Verdict {
                check: slot,
                kind: CheckKind::Interaction,
                ok,
                detail,
            });
        }
        for (name, kind, d) in decisions {
            self.recorder.record(EventKind::Verdict {
                check: name.clone(),
                kind: *kind,
                ok: d.ok,
                detail: d.detail.clone(),
            });
        }
    }

    /// Heals what is still applied (newest first), stops the services, closes the proxies.
    async fn teardown(&mut self, system: &mut System) {
        self.heal_all(system).await;
        for service in system.shutdown().await {
            self.recorder.record(EventKind::ServiceStopped { service });
        }
    }

    /// Heals what is still applied, newest first, each with why it healed off schedule.
    async fn heal_all(&mut self, system: &mut System) {
        while let Some(p) = self.active.last().cloned() {
            let now = Instant::now();
            let cause = self.teardown_cause();
            self.heal(system, &p, now, Some(cause)).await;
        }
    }

    /// Why a fault is still applied at teardown.
    fn teardown_cause(&self) -> String {
        if let Some(trip) = self.tripwire.tripped() {
            format!("aborted: {}", trip.condition)
        } else if self.cancel.is_cancelled() {
            "interrupted (Ctrl-C or a signal)".into()
        } else if self.errors > 0 {
            "run aborted after an error".into()
        } else {
            "end of run (no scheduled heal)".into()
        }
    }

    fn finish(self, outcome: RunOutcome, state: &RunState, seed: u64) -> Journal {
        let aborted = self.tripwire.tripped().is_some();
        let interrupted = !aborted && self.cancel.is_cancelled();
        if interrupted {
            self.recorder.record(EventKind::Interrupted {
                reason: "cancelled (Ctrl-C or a signal)".into(),
            });
        }
        // Recovery and RunFinished events, recorded below, change no verdict nor figure.
        let events = self.recorder.events();
        let windows: Vec<FaultWindow> = self.windows.values().cloned().collect();
        for w in &windows {
            // Canaries stop right after a stopped run's heal: no recovery to measure.
            if (aborted || interrupted) && healed_at_teardown(&events, &w.fault) {
                continue;
            }
            for c in self.scenario.canaries.iter() {
                let recovered_ms = verdict::recovery(&events, &c.name, w);
                self.recorder.record(EventKind::Recovery {
                    fault: w.fault.clone(),
                    canary: c.name.clone(),
                    recovered_ms,
                });
            }
        }
        let failed_check = events
            .iter()
            .any(|e| matches!(e.what, EventKind::Verdict { ok: false, .. }));
        let outcome = match outcome {
            _ if aborted => RunOutcome::Aborted,
            _ if interrupted => RunOutcome::Interrupted,
            RunOutcome::Passed if failed_check => RunOutcome::Failed,
            o => o,
        };
        let duration_ms = self.recorder.now_ms() as u64;
        self.recorder.record(EventKind::RunFinished {
            outcome,
            duration_ms,
        });
        let mut faults = windows;
        faults.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
        let canaries = self
            .scenario
            .canaries
            .iter()
            .map(|c| verdict::stats(&events, &c.name, &faults))
            .collect();
        Journal {
            scenario: self.scenario.name.clone(),
            run_id: state.run_id.clone(),
            backend: state.backend.clone(),
            seed,
            outcome,
            events: self.recorder.events(),
            faults,
            canaries,
        }
    }
}
