//! Guardrails: the `[[abort]]` conditions, `max_duration` and the kill switch (a file, or a
//! signal the CLI turns into a [`Cancel`]), watched while a run goes; the first to trip
//! records an `aborted` event and stops the run at once.
//!
//! A canary condition is judged on every probe result as it is recorded (the recorder's
//! listener feeds a channel: no polling); a steady-state condition polls its check every
//! `every`. A window holds the results scheduled within the last `over` and is judged once
//! it holds at least min(5, over ÷ every) of them, and at least 2.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::report::{Event, EventKind};

use super::cancel::{Cancel, Canceller};
use super::hypothesis;
use super::model::{Abort, Check, PromQuery, Scenario};
use super::probe;
use super::promql;
use super::recorder::{Listener, Recorder};
use super::system::{snapshot, Names};
use super::verdict::quantile;

/// How often the kill-switch file is looked for.
const FILE_POLL: Duration = Duration::from_millis(50);

/// The most results a window needs before it is judged.
const MOST_NEEDED: usize = 5;

/// What tripped and the value seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Trip {
    /// The condition: an abort's name, `max_duration 30s`, `kill switch (SIGUSR1)`.
    pub condition: String,
    /// The value seen, e.g. `success rate 20% (2 of 10) < 50% over the last 5s`.
    pub detail: String,
}

/// The run's stop: fired by Ctrl-C (forwarded from the caller's [`Cancel`]) or by the first
/// guardrail to trip, which is remembered.
#[derive(Clone)]
pub struct Tripwire {
    stop: Canceller,
    interrupted: Cancel,
    trip: Arc<OnceLock<Trip>>,
    recorder: Recorder,
}

impl Tripwire {
    /// A tripwire firing `stop`; `interrupted` is the caller's Ctrl-C (once it fired, nothing
    /// trips any more: the run is interrupted, not aborted).
    pub fn new(stop: Canceller, interrupted: Cancel, recorder: Recorder) -> Self {
        Tripwire {
            stop,
            interrupted,
            trip: Arc::default(),
            recorder,
        }
    }

    /// Trips (the first call only): records the `aborted` event, then stops the run.
    pub fn trip(&self, condition: impl Into<String>, detail: impl Into<String>) {
        if self.interrupted.is_cancelled() {
            return;
        }
        let trip = Trip {
            condition: condition.into(),
            detail: detail.into(),
        };
        if self.trip.set(trip.clone()).is_ok() {
            self.recorder.record(EventKind::Aborted {
                condition: trip.condition,
                detail: trip.detail,
            });
            self.stop.cancel();
        }
    }

    /// What tripped, if anything did.
    pub fn tripped(&self) -> Option<&Trip> {
        self.trip.get()
    }
}

/// The kill switch's file by default: `<state dir>/runs/<run id>/ABORT`.
pub fn default_kill_file(state_dir: &Path, run_id: &str) -> PathBuf {
    state_dir.join("runs").join(run_id).join("ABORT")
}

/// Tasks that end when dropped.
#[derive(Default)]
pub struct Watchers(Vec<JoinHandle<()>>);

impl Drop for Watchers {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Watches for the whole run: `max_duration`, the kill-switch file and the kill signal.
pub fn watch_run(
    scenario: &Scenario,
    tripwire: &Tripwire,
    kill_file: PathBuf,
    kill_signal: Option<Cancel>,
) -> Watchers {
    let mut tasks = Vec::new();
    if let Some(max) = scenario.max_duration {
        let t = tripwire.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(max.into()).await;
            t.trip(
                format!("max_duration {max}"),
                format!("the run lasted {max} and was not done"),
            );
        }));
    }
    let t = tripwire.clone();
    tasks.push(tokio::spawn(async move {
        while !kill_file.exists() {
            tokio::time::sleep(FILE_POLL).await;
        }
        t.trip(
            format!("kill switch ({})", kill_file.display()),
            format!("{} appeared", kill_file.display()),
        );
    }));
    if let Some(signal) = kill_signal {
        let t = tripwire.clone();
        tasks.push(tokio::spawn(async move {
            signal.cancelled().await;
            t.trip("kill switch (SIGUSR1)", "SIGUSR1 received");
        }));
    }
    Watchers(tasks)
}

/// Where a condition's results come from. Another source (a Prometheus query) is one more
/// variant here and one more arm in [`watch_conditions`].
enum Source<'a> {
    /// The probes of a canary, as they are recorded.
    Canary { name: &'a str, every: Duration },
    /// A steady-state check polled every `every`.
    SteadyState(&'a Check),
    /// A PromQL query polled every `every`.
    Prometheus(&'a PromQuery),
}

/// The probes a run records, for the canary conditions: the listener to give the recorder
/// (it wraps `inner`) and the receiving end. `None` when no condition watches a canary.
pub fn probe_feed(
    scenario: &Scenario,
    inner: Option<Listener>,
) -> (Option<Listener>, Option<mpsc::UnboundedReceiver<Event>>) {
    if !scenario.abort.iter().any(|a| a.canary.is_some()) {
        return (inner, None);
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let listener: Listener = Arc::new(move |e: &Event| {
        if let Some(l) = &inner {
            l(e);
        }
        if matches!(e.what, EventKind::Probe { .. }) {
            let _ = tx.send(e.clone());
        }
    });
    (Some(listener), Some(rx))
}

/// Watches the `[[abort]]` conditions from now (the canaries' start) until dropped.
pub fn watch_conditions(
    scenario: &Scenario,
    tripwire: &Tripwire,
    names: &Arc<RwLock<Names>>,
    feed: Option<mpsc::UnboundedReceiver<Event>>,
) -> Watchers {
    let mut on_probes: Vec<(String, Condition)> = Vec::new();
    let mut tasks = Vec::new();
    for (i, abort) in scenario.abort.iter().enumerate() {
        let Some(source) = source(scenario, abort) else {
            continue;
        };
        match source {
            Source::Canary { name, every } => {
                on_probes.push((name.to_string(), Condition::new(i, abort, every)));
            }
            Source::SteadyState(check) => {
                let (check, names, client) = (check.clone(), names.clone(), probe::client());
                let sample = move || {
                    let (check, client, n) = (check.clone(), client.clone(), snapshot(&names));
                    async move { sample_check(&check, &n, &client).await }
                };
                let condition = Condition::new(i, abort, abort.every.into());
                tasks.push(tokio::spawn(poll(
                    condition,
                    abort.every.into(),
                    tripwire.clone(),
                    sample,
                )));
            }
            Source::Prometheus(query) => {
                let metric = Metric::new(i, abort, query, names.clone());
                tasks.push(tokio::spawn(metric.watch(tripwire.clone())));
            }
        }
    }
    if let (Some(feed), false) = (feed, on_probes.is_empty()) {
        tasks.push(tokio::spawn(watch_probes(
            feed,
            on_probes,
            tripwire.clone(),
        )));
    }
    Watchers(tasks)
}

fn source<'a>(scenario: &'a Scenario, abort: &'a Abort) -> Option<Source<'a>> {
    if let Some(query) = &abort.prometheus {
        return Some(Source::Prometheus(query));
    }
    if let Some(name) = &abort.canary {
        let canary = scenario.canaries.iter().find(|c| &c.name == name)?;
        return Some(Source::Canary {
            name,
            every: canary.every.into(),
        });
    }
    let name = abort.steady_state.as_ref()?;
    let check = scenario.steady_state.iter().find(|c| &c.name == name)?;
    Some(Source::SteadyState(check))
}

/// Judges each canary condition on every probe of its canary.
async fn watch_probes(
    mut feed: mpsc::UnboundedReceiver<Event>,
    mut conditions: Vec<(String, Condition)>,
    tripwire: Tripwire,
) {
    while let Some(e) = feed.recv().await {
        let EventKind::Probe {
            canary,
            ok,
            latency_ms,
            ..
        } = &e.what
        else {
            continue;
        };
        for (_, c) in conditions.iter_mut().filter(|(name, _)| name == canary) {
            // The window is by scheduled start: completion time less the latency.
            c.window.push(e.at_ms - latency_ms, *ok, *latency_ms);
            if let Some(detail) = c.judge(e.at_ms) {
                return tripwire.trip(c.name.clone(), detail);
            }
        }
    }
}

/// One result of a polled source: whether it held, and how long it took (ms).
type Sample = (bool, f64);

/// One attempt of a steady-state check (no retry), timed.
async fn sample_check(check: &Check, names: &Names, client: &reqwest::Client) -> Sample {
    let started = std::time::Instant::now();
    let held = hypothesis::check_once(check, names, client).await.is_ok();
    (held, started.elapsed().as_secs_f64() * 1000.0)
}

/// Takes a `sample` every `every` and judges `condition` on each (any polled source: a
/// steady-state check, or another that can say whether it held).
async fn poll<F, Fut>(mut condition: Condition, every: Duration, tripwire: Tripwire, mut sample: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Sample>,
{
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let started = tripwire.recorder.now_ms();
        let (ok, latency_ms) = sample().await;
        condition.window.push(started, ok, latency_ms);
        if let Some(detail) = condition.judge(tripwire.recorder.now_ms()) {
            return tripwire.trip(condition.name, detail);
        }
    }
}

/// A `prometheus` condition: the query polled every `every`; it trips when the last
/// `over` ÷ `every` polls (at least one) each saw a value beyond a threshold. A poll that
/// cannot judge (server unreachable, empty result, NaN: no data) breaks the streak and never
/// trips.
struct Metric {
    name: String,
    query: PromQuery,
    /// `value_below` and `value_above` as the bounds a value must stay within.
    bounds: (Option<f64>, Option<f64>),
    every: Duration,
    needed: usize,
    names: Arc<RwLock<Names>>,
}

impl Metric {
    fn new(i: usize, abort: &Abort, query: &PromQuery, names: Arc<RwLock<Names>>) -> Self {
        let every: Duration = abort.every.into();
        Metric {
            name: condition_name(i, abort),
            query: query.clone(),
            bounds: (abort.value_below, abort.value_above),
            every,
            needed: fits(abort.over.into(), every).max(1),
            names,
        }
    }

    async fn watch(self, tripwire: Tripwire) {
        let client = probe::client();
        let mut ticks = tokio::time::interval(self.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut streak = 0;
        loop {
            ticks.tick().await;
            match self.beyond(&client).await {
                Some(seen) => {
                    streak += 1;
                    if streak >= self.needed {
                        let polls = if streak == 1 { "poll" } else { "polls" };
                        let detail = format!("{seen} ({streak} {polls} in a row)");
                        return tripwire.trip(self.name, detail);
                    }
                }
                None => streak = 0,
            }
        }
    }

    /// The value beyond a bound this poll saw, if any.
    async fn beyond(&self, client: &reqwest::Client) -> Option<String> {
        let n = snapshot(&self.names);
        let url = n.expand(&self.query.url, None).ok()?;
        let text = n.expand(&self.query.query, None).ok()?;
        let mut samples = promql::query(client, &url, &text).await.ok()?;
        // NaN is "no data" (a rate over no requests), never a value beyond a bound.
        samples.retain(|s| !s.value.is_nan());
        if samples.is_empty() {
            return None;
        }
        promql::judge_bounds(self.bounds.0, self.bounds.1, &samples).err()
    }
}

fn condition_name(i: usize, abort: &Abort) -> String {
    abort
        .name
        .clone()
        .unwrap_or_else(|| format!("abort-{}", i + 1))
}

/// One `[[abort]]` with its window of recent results.
struct Condition {
    name: String,
    success_rate_below: Option<f64>,
    p99_above: Option<Duration>,
    window: Window,
}

impl Condition {
    fn new(i: usize, abort: &Abort, every: Duration) -> Self {
        Condition {
            name: condition_name(i, abort),
            success_rate_below: abort.success_rate_below,
            p99_above: abort.p99_above.map(Into::into),
            window: Window::new(abort.over.into(), every),
        }
    }

    /// Why it trips at `now_ms`, if it does: the value seen against the threshold.
    fn judge(&mut self, now_ms: f64) -> Option<String> {
        let w = &mut self.window;
        w.forget_before(now_ms);
        if w.results.len() < w.needed {
            return None;
        }
        let over = humantime::format_duration(w.over);
        let (n, ok) = (w.results.len(), w.results.iter().filter(|r| r.1).count());
        let rate = ok as f64 / n as f64;
        if let Some(below) = self.success_rate_below.filter(|b| rate < *b) {
            return Some(format!(
                "success rate {} ({ok} of {n}) < {} over the last {over}",
                percent(rate),
                percent(below)
            ));
        }
        let mut latencies: Vec<f64> = w.results.iter().map(|r| r.2).collect();
        latencies.sort_by(f64::total_cmp);
        let p99 = quantile(&latencies, 0.99)?;
        let limit = self.p99_above?;
        (p99 > limit.as_secs_f64() * 1000.0).then(|| {
            format!(
                "p99 {p99:.0}ms > {}ms over the last {over} ({n} probes)",
                limit.as_millis()
            )
        })
    }
}

fn percent(rate: f64) -> String {
    format!("{:.0}%", rate * 100.0)
}

/// How many results every `every` fit in `over` (whole ones).
fn fits(over: Duration, every: Duration) -> usize {
    (over.as_secs_f64() / every.as_secs_f64().max(1e-3)).floor() as usize
}

/// The results (scheduled start ms, ok, latency ms) of the last `over`.
struct Window {
    over: Duration,
    needed: usize,
    results: VecDeque<(f64, bool, f64)>,
}

impl Window {
    /// A window of `over` whose results come every `every`: judged from min(5, over ÷ every)
    /// results, and at least 2.
    fn new(over: Duration, every: Duration) -> Self {
        Window {
            over,
            needed: fits(over, every).clamp(2, MOST_NEEDED),
            results: VecDeque::new(),
        }
    }

    fn push(&mut self, scheduled_ms: f64, ok: bool, latency_ms: f64) {
        self.results.push_back((scheduled_ms, ok, latency_ms));
    }

    /// Drops the results scheduled before the last `over` (they may complete out of order).
    fn forget_before(&mut self, now_ms: f64) {
        let from = now_ms - self.over.as_secs_f64() * 1000.0;
        self.results.retain(|r| r.0 >= from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn abort(text: &str) -> Abort {
        toml::from_str(text).unwrap()
    }

    fn condition(text: &str, every_ms: u64) -> Condition {
        Condition::new(0, &abort(text), Duration::from_millis(every_ms))
    }

    #[test]
    fn a_window_is_judged_from_a_few_results() {
        assert_eq!(
            Window::new(Duration::from_secs(5), Duration::from_millis(100)).needed,
            5
        );
        assert_eq!(
            Window::new(Duration::from_secs(3), Duration::from_secs(1)).needed,
            3
        );
        assert_eq!(
            Window::new(Duration::from_secs(1), Duration::from_secs(1)).needed,
            2
        );
    }

    #[test]
    fn a_collapsed_success_rate_trips_once_the_window_has_enough_probes() {
        let mut c = condition("canary = \"c\"\nsuccess_rate_below = 0.5", 100);
        assert_eq!(c.name, "abort-1");
        for i in 0..4 {
            c.window.push(i as f64 * 100.0, false, 5.0);
            assert_eq!(
                c.judge(i as f64 * 100.0 + 5.0),
                None,
                "only {} probes",
                i + 1
            );
        }
        c.window.push(400.0, false, 5.0);
        let why = c.judge(405.0).unwrap();
        assert_eq!(why, "success rate 0% (0 of 5) < 50% over the last 5s");
    }

    #[test]
    fn old_probes_leave_the_window() {
        let mut c = condition(
            "canary = \"c\"\nsuccess_rate_below = 0.5\nover = \"1s\"",
            100,
        );
        for i in 0..10 {
            c.window.push(i as f64 * 100.0, false, 1.0);
        }
        for i in 10..20 {
            c.window.push(i as f64 * 100.0, true, 1.0);
        }
        // At 2.0 s the window holds the probes scheduled from 1.0 s: all succeeded.
        assert_eq!(c.judge(2000.0), None);
        assert_eq!(c.window.results.len(), 10);
    }

    #[test]
    fn a_slow_p99_trips_with_the_value_seen() {
        let mut c = condition(
            "name = \"checkout slow\"\ncanary = \"c\"\np99_above = \"800ms\"",
            100,
        );
        for i in 0..5 {
            c.window.push(i as f64 * 100.0, true, 50.0);
        }
        assert_eq!(c.judge(500.0), None);
        c.window.push(500.0, true, 2000.0);
        assert_eq!(
            c.judge(2500.0).unwrap(),
            "p99 2000ms > 800ms over the last 5s (6 probes)"
        );
    }

    #[tokio::test]
    async fn the_first_trip_wins_and_stops_the_run() {
        let (stop_tx, stop) = super::super::cancel::cancel_pair();
        let recorder = Recorder::new(None);
        let t = Tripwire::new(stop_tx, Cancel::never(), recorder.clone());
        t.trip("first", "seen 1");
        t.trip("second", "seen 2");
        assert!(stop.is_cancelled());
        assert_eq!(t.tripped().unwrap().condition, "first");
        let aborted: Vec<_> = recorder
            .events()
            .into_iter()
            .filter(|e| matches!(e.what, EventKind::Aborted { .. }))
            .collect();
        assert_eq!(aborted.len(), 1);
    }

    #[tokio::test]
    async fn nothing_trips_after_ctrl_c() {
        let (stop_tx, stop) = super::super::cancel::cancel_pair();
        let (ctrl_c, interrupted) = super::super::cancel::cancel_pair();
        ctrl_c.cancel();
        let t = Tripwire::new(stop_tx, interrupted, Recorder::new(None));
        t.trip("late", "seen");
        assert!(t.tripped().is_none());
        assert!(!stop.is_cancelled());
    }

    #[tokio::test]
    async fn the_kill_switch_file_trips() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ABORT");
        let scenario: Scenario = toml::from_str("name = \"s\"").unwrap();
        let (stop_tx, stop) = super::super::cancel::cancel_pair();
        let t = Tripwire::new(stop_tx, Cancel::never(), Recorder::new(None));
        let _w = watch_run(&scenario, &t, file.clone(), None);
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(!stop.is_cancelled());
        std::fs::write(&file, "").unwrap();
        tokio::time::timeout(Duration::from_secs(2), stop.cancelled())
            .await
            .unwrap();
        let trip = t.tripped().unwrap();
        assert_eq!(trip.condition, format!("kill switch ({})", file.display()));
    }

    fn problems(extra: &str) -> String {
        problems_with("", extra)
    }

    /// Problems of a small scenario: `top` after its name, `extra` at the end.
    fn problems_with(top: &str, extra: &str) -> String {
        let text = format!(
            "name = \"s\"\n{top}[services.a]\ncommand = [\"true\"]\n\
             [[canaries]]\nname = \"c\"\nhttp = {{ url = \"http://127.0.0.1:1/\" }}\n\
             [[steady_state]]\nname = \"h\"\nhttp = {{ url = \"http://127.0.0.1:1/\" }}\n{extra}"
        );
        match super::super::load::parse(&text, Path::new("s.toml")) {
            Ok(_) => String::new(),
            Err(p) => p
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn valid_conditions_pass() {
        let aborts = "[[abort]]\ncanary = \"c\"\nsuccess_rate_below = 0.5\np99_above = \"2s\"\n\
                      [[abort]]\nsteady_state = \"h\"\nsuccess_rate_below = 0.5\nevery = \"500ms\"\n";
        assert_eq!(problems_with("max_duration = \"1m\"\n", aborts), "");
        let p = problems_with("max_duration = \"soon\"\n", "");
        assert!(p.starts_with("s.toml:2:"), "{p}");
        let p = problems_with("max_duration = \"0s\"\n", "");
        assert_eq!(p, "s.toml:2:16: `max_duration` must be more than 0");
    }

    #[test]
    fn unknown_names_are_located() {
        let p = problems("[[abort]]\ncanary = \"nope\"\nsuccess_rate_below = 0.5");
        assert_eq!(p, "s.toml:11:10: unknown canary \"nope\" (canaries: c)",);
        let p = problems("[[abort]]\nsteady_state = \"nope\"\nsuccess_rate_below = 0.5");
        assert_eq!(
            p,
            "s.toml:11:16: unknown steady-state check \"nope\" (checks: h)"
        );
    }

    #[test]
    fn both_or_neither_source_and_a_missing_threshold_are_located() {
        let p =
            problems("[[abort]]\ncanary = \"c\"\nsteady_state = \"h\"\nsuccess_rate_below = 0.5");
        assert!(
            p.starts_with("s.toml:10:")
                && p.ends_with("needs exactly one of `canary`, `steady_state` or `prometheus`"),
            "{p}"
        );
        let p = problems("[[abort]]\nname = \"x\"\nsuccess_rate_below = 0.5");
        assert!(
            p.contains("needs exactly one of `canary`, `steady_state` or `prometheus`"),
            "{p}"
        );
        let p = problems("[[abort]]\ncanary = \"c\"");
        assert!(
            p.starts_with("s.toml:10:")
                && p.ends_with("needs a threshold: `success_rate_below` or `p99_above`"),
            "{p}"
        );
        let p = problems("[[abort]]\nsteady_state = \"h\"\np99_above = \"1s\"");
        assert!(
            p.contains("s.toml:12:13: `p99_above` is for canaries"),
            "{p}"
        );
        let p = problems("[[abort]]\ncanary = \"c\"\nsuccess_rate_below = 1.5");
        assert!(
            p.contains("s.toml:12:22: success_rate_below 1.5 is not between 0 and 1"),
            "{p}"
        );
    }

    #[test]
    fn a_prometheus_condition_takes_value_thresholds_only() {
        let query = "prometheus = { url = \"http://127.0.0.1:9090\", query = \"up\" }";
        let p = problems(&format!("[[abort]]\n{query}"));
        assert!(
            p.starts_with("s.toml:10:")
                && p.ends_with("needs a threshold: `value_above` or `value_below`"),
            "{p}"
        );
        let p = problems(&format!("[[abort]]\n{query}\nsuccess_rate_below = 0.5"));
        assert!(
            p.contains("s.toml:12:22: `success_rate_below` is for canaries"),
            "{p}"
        );
        let p = problems("[[abort]]\ncanary = \"c\"\nvalue_above = 3");
        assert!(
            p.contains("s.toml:12:15: `value_above` is for a `prometheus` query"),
            "{p}"
        );
        assert_eq!(
            problems(&format!("[[abort]]\n{query}\nvalue_above = 0.5")),
            ""
        );
    }
}
