//! Judging a run from its events: canary figures (success rate, percentiles, failure runs,
//! causes of failed probes) over the run and per fault window, whether each canary met its
//! expectation, and time-to-recover per fault.

use crate::report::{probes, top_causes, CanaryStats, Event, EventKind, FaultWindow, WindowStats};

use super::model::{Canary, Expect, WindowExpect};

/// The `q` quantile (0–1) of sorted values, nearest rank.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

/// One probe as the verdict sees it.
struct Sample<'a> {
    /// When it was due (scheduled start), ms since the run began.
    due_ms: f64,
    ok: bool,
    latency_ms: f64,
    missed: bool,
    status: Option<u16>,
    error: Option<&'a str>,
}

fn samples<'a>(events: &'a [Event], canary: &str) -> Vec<Sample<'a>> {
    events
        .iter()
        .filter_map(|e| match &e.what {
            EventKind::Probe {
                canary: c,
                ok,
                latency_ms,
                status,
                error,
                missed,
                ..
            } if c == canary => Some(Sample {
                due_ms: e.at_ms - latency_ms,
                ok: *ok,
                latency_ms: *latency_ms,
                missed: *missed,
                status: *status,
                error: error.as_deref(),
            }),
            _ => None,
        })
        .collect()
}

/// Figures over some probes.
struct Figures {
    probes: u64,
    successes: u64,
    success_rate: f64,
    p50_ms: Option<f64>,
    p95_ms: Option<f64>,
    p99_ms: Option<f64>,
    max_consecutive_failures: u64,
    causes: Vec<(String, u64)>,
}

fn figures<'a>(samples: impl Iterator<Item = &'a Sample<'a>>) -> Figures {
    let (mut probes, mut successes, mut run, mut worst) = (0u64, 0u64, 0u64, 0u64);
    let mut latencies = Vec::new();
    let mut failed = Vec::new();
    for p in samples {
        probes += 1;
        if !p.missed {
            latencies.push(p.latency_ms);
        }
        if p.ok {
            successes += 1;
            run = 0;
        } else {
            run += 1;
            worst = worst.max(run);
            failed.push(p);
        }
    }
    latencies.sort_by(f64::total_cmp);
    Figures {
        probes,
        successes,
        success_rate: if probes == 0 {
            1.0
        } else {
            successes as f64 / probes as f64
        },
        p50_ms: quantile(&latencies, 0.50),
        p95_ms: quantile(&latencies, 0.95),
        p99_ms: quantile(&latencies, 0.99),
        max_consecutive_failures: worst,
        causes: causes(failed.into_iter()),
    }
}

/// What made a failed probe fail, in a word: its status code (`503`), `missed`, or its
/// error (`timeout after 2s`, `connection refused or failed`, a contract mismatch).
fn cause(p: &Sample) -> String {
    const LONGEST: usize = 80;
    match (p.status, p.error) {
        _ if p.missed => "missed".into(),
        (Some(status), Some(e)) if e.starts_with("status ") => status.to_string(),
        (_, Some(e)) if e.chars().count() > LONGEST => {
            format!("{}…", e.chars().take(LONGEST).collect::<String>())
        }
        (_, Some(e)) => e.to_string(),
        (Some(status), None) => status.to_string(),
        (None, None) => "failed".into(),
    }
}

/// Failed probes grouped by cause, most frequent first (then by name).
fn causes<'a>(failed: impl Iterator<Item = &'a Sample<'a>>) -> Vec<(String, u64)> {
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    for p in failed {
        *counts.entry(cause(p)).or_default() += 1;
    }
    let mut causes: Vec<(String, u64)> = counts.into_iter().collect();
    causes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    causes
}

/// The label of the figures over every fault window together.
pub const DURING_FAULTS: &str = "during faults";
/// The label of the figures outside every fault window.
pub const STEADY: &str = "steady";

/// A canary's figures over the run, and per window: each fault window (`faults`; one
/// without an end lasts to the end of the run), all of them together when there are
/// several, and the rest of the run. A probe belongs to the window it was due in.
pub fn stats(events: &[Event], canary: &str, faults: &[FaultWindow]) -> CanaryStats {
    let all = samples(events, canary);
    let inside = |w: &FaultWindow, p: &Sample| {
        p.due_ms >= w.start_ms && p.due_ms <= w.end_ms.unwrap_or(f64::INFINITY)
    };
    let mut windows: Vec<WindowStats> = faults
        .iter()
        .map(|w| {
            let f = figures(all.iter().filter(|p| inside(w, p)));
            window(&w.fault, Some(w.start_ms), w.end_ms, f)
        })
        .collect();
    if faults.len() > 1 {
        let f = figures(all.iter().filter(|p| faults.iter().any(|w| inside(w, p))));
        windows.push(window(DURING_FAULTS, None, None, f));
    }
    let f = figures(all.iter().filter(|p| !faults.iter().any(|w| inside(w, p))));
    windows.push(window(STEADY, None, None, f));
    let f = figures(all.iter());
    CanaryStats {
        name: canary.to_string(),
        probes: f.probes,
        successes: f.successes,
        success_rate: f.success_rate,
        p50_ms: f.p50_ms,
        p95_ms: f.p95_ms,
        p99_ms: f.p99_ms,
        max_consecutive_failures: f.max_consecutive_failures,
        causes: f.causes,
        windows,
    }
}

fn window(label: &str, start_ms: Option<f64>, end_ms: Option<f64>, f: Figures) -> WindowStats {
    WindowStats {
        label: label.to_string(),
        start_ms,
        end_ms,
        probes: f.probes,
        successes: f.successes,
        success_rate: f.success_rate,
        p50_ms: f.p50_ms,
        p95_ms: f.p95_ms,
        p99_ms: f.p99_ms,
        max_consecutive_failures: f.max_consecutive_failures,
        causes: f.causes,
    }
}

/// The figures of the probes due inside any fault window: the `during faults` window, or
/// the only fault window when there is one (`None`: no fault window).
pub fn during_faults(s: &CanaryStats) -> Option<&WindowStats> {
    let faults: Vec<&WindowStats> = s.windows.iter().filter(|w| w.label != STEADY).collect();
    match faults.as_slice() {
        [only] => Some(*only),
        _ => faults.into_iter().find(|w| w.label == DURING_FAULTS),
    }
}

/// The figures of the probes due outside every fault window.
pub fn steady(s: &CanaryStats) -> Option<&WindowStats> {
    s.windows.iter().find(|w| w.label == STEADY)
}

/// What a verdict compares with its limits.
struct Seen {
    success_rate: f64,
    p50_ms: Option<f64>,
    p95_ms: Option<f64>,
    p99_ms: Option<f64>,
    max_consecutive_failures: u64,
}

/// The limits of `limits` that `seen` breaks, each said with the value seen.
fn breaches(limits: &WindowExpect, seen: &Seen) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(rate) = limits.success_rate {
        if seen.success_rate + 1e-9 < rate {
            failures.push(format!(
                "success rate {:.1}% < {:.1}%",
                seen.success_rate * 100.0,
                rate * 100.0
            ));
        }
    }
    for (name, limit, actual) in [
        ("p50", limits.p50, seen.p50_ms),
        ("p95", limits.p95, seen.p95_ms),
        ("p99", limits.p99, seen.p99_ms),
    ] {
        if let (Some(limit), Some(actual)) = (limit, actual) {
            if actual > limit.0.as_secs_f64() * 1000.0 {
                failures.push(format!("{name} {actual:.0}ms > {limit}"));
            }
        }
    }
    if let Some(max) = limits.max_consecutive_failures {
        if seen.max_consecutive_failures > max {
            failures.push(format!(
                "{} failures in a row > {max}",
                seen.max_consecutive_failures
            ));
        }
    }
    failures
}

/// The whole-run limits of `e`: its success rate defaults to 1.0, or to none when it gives
/// only latency or failure-run limits.
fn run_limits(e: &Expect) -> WindowExpect {
    let latency_only = e.success_rate.is_none()
        && (e.p50.is_some()
            || e.p95.is_some()
            || e.p99.is_some()
            || e.max_consecutive_failures.is_some());
    WindowExpect {
        success_rate: Some(
            e.success_rate
                .unwrap_or(if latency_only { 0.0 } else { 1.0 }),
        ),
        p50: e.p50,
        p95: e.p95,
        p99: e.p99,
        max_consecutive_failures: e.max_consecutive_failures,
    }
}

/// What one window's expectation breaks (`no probe` when none was due in it).
fn window_breaches(label: &str, limits: &WindowExpect, w: Option<&WindowStats>) -> Vec<String> {
    let Some(w) = w.filter(|w| w.probes > 0) else {
        return vec![format!("{label}: no probe")];
    };
    let seen = Seen {
        success_rate: w.success_rate,
        p50_ms: w.p50_ms,
        p95_ms: w.p95_ms,
        p99_ms: w.p99_ms,
        max_consecutive_failures: w.max_consecutive_failures,
    };
    breaches(limits, &seen)
        .into_iter()
        .map(|b| format!("{label}: {b}"))
        .collect()
}

/// Whether a canary met its expectation (over the run, during the faults, in steady
/// periods), and the reasons if not, ending with the top causes of its failed probes (or
/// its figures if it held).
pub fn judge(canary: &Canary, s: &CanaryStats) -> (bool, String) {
    let e: &Expect = &canary.expect;
    let mut failures = Vec::new();
    if s.probes == 0 {
        failures.push("no probe completed".to_string());
    }
    let seen = Seen {
        success_rate: s.success_rate,
        p50_ms: s.p50_ms,
        p95_ms: s.p95_ms,
        p99_ms: s.p99_ms,
        max_consecutive_failures: s.max_consecutive_failures,
    };
    failures.extend(breaches(&run_limits(e), &seen));
    if let Some(limits) = &e.during_faults {
        failures.extend(window_breaches(DURING_FAULTS, limits, during_faults(s)));
    }
    if let Some(limits) = &e.steady {
        failures.extend(window_breaches(STEADY, limits, steady(s)));
    }
    if failures.is_empty() {
        let p99 = s.p99_ms.map_or("-".into(), |v| format!("{v:.0}ms"));
        return (
            true,
            format!(
                "{}/{} probes ok ({:.1}%), p99 {p99}",
                s.successes,
                s.probes,
                s.success_rate * 100.0
            ),
        );
    }
    let mut detail = failures.join("; ");
    if !s.causes.is_empty() {
        detail = format!("{detail}: {}", top_causes(&s.causes));
    }
    (false, detail)
}

/// Whether a canary held inside one window (a contract-sweep slot): its `during_faults`
/// limits if it has them, else its whole-run ones; the reasons end with the window's top
/// causes (`None` or no probe due in it: it did not hold).
pub fn judge_window(canary: &Canary, w: Option<&WindowStats>) -> (bool, String) {
    let e = &canary.expect;
    let limits = e.during_faults.clone().unwrap_or_else(|| run_limits(e));
    let Some(w) = w.filter(|w| w.probes > 0) else {
        return (false, "no probe was due inside the window".into());
    };
    let figures = format!("{}/{} probes ok", w.successes, w.probes);
    let failures = window_breaches(&w.label, &limits, Some(w));
    if failures.is_empty() {
        let p99 = w.p99_ms.map_or("-".into(), |v| format!("{v:.0}ms"));
        let rate = w.success_rate * 100.0;
        return (true, format!("{figures} ({rate:.1}%), p99 {p99}"));
    }
    let breaches: Vec<&str> = failures
        .iter()
        .map(|f| f.strip_prefix(&format!("{}: ", w.label)).unwrap_or(f))
        .collect();
    let mut detail = format!("{} ({figures})", breaches.join("; "));
    if !w.causes.is_empty() {
        detail = format!("{detail}: {}", top_causes(&w.causes));
    }
    (false, detail)
}

/// Probes in a row that must succeed after a heal for a canary to count as recovered.
pub const RECOVERED_AFTER: usize = 3;

/// Time from a fault's heal until a canary's probes succeed `RECOVERED_AFTER` times in a row
/// (0 when it never failed during the fault; `None` when it never recovered).
pub fn recovery(events: &[Event], canary: &str, window: &FaultWindow) -> Option<u64> {
    let end = window.end_ms?;
    let all: Vec<(f64, bool, f64)> = probes(events, canary).collect();
    // A probe belongs to the time it was sent, not when it completed.
    let sent = |(t, _, l): &(f64, bool, f64)| t - l;
    let failed_during = all
        .iter()
        .any(|p| !p.1 && sent(p) >= window.start_ms && sent(p) <= end);
    if !failed_during {
        return Some(0);
    }
    let after: Vec<&(f64, bool, f64)> = all.iter().filter(|p| sent(p) >= end).collect();
    let mut streak_start = None;
    let mut streak = 0;
    for p in after {
        if p.1 {
            streak_start.get_or_insert(sent(p));
            streak += 1;
            if streak >= RECOVERED_AFTER {
                return streak_start.map(|s| (s - end).max(0.0) as u64);
            }
        } else {
            streak = 0;
            streak_start = None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::EventKind;

    fn probe(at: f64, ok: bool, latency: f64) -> Event {
        Event {
            at_ms: at,
            what: EventKind::Probe {
                canary: "c".into(),
                ok,
                latency_ms: latency,
                status: None,
                error: None,
                missed: false,
                lag_ms: 0.0,
            },
        }
    }

    #[test]
    fn figures_and_failure_runs() {
        let events: Vec<Event> = (0..100)
            .map(|i| probe(i as f64 * 10.0, !(40..45).contains(&i), i as f64))
            .collect();
        let s = stats(&events, "c", &[]);
        assert_eq!(
            (s.probes, s.successes, s.max_consecutive_failures),
            (100, 95, 5)
        );
        assert_eq!(s.p50_ms, Some(49.0));
        assert_eq!(s.p99_ms, Some(98.0));
    }

    #[test]
    fn recovery_counts_from_the_heal_to_a_streak_of_successes() {
        let mut events = vec![
            probe(100.0, true, 1.0),
            probe(200.0, false, 1.0),
            probe(300.0, false, 1.0),
        ];
        events.extend([
            probe(410.0, false, 1.0),
            probe(500.0, true, 1.0),
            probe(600.0, true, 1.0),
            probe(700.0, true, 1.0),
        ]);
        let w = FaultWindow {
            fault: "f".into(),
            kind: "crash".into(),
            target: "s".into(),
            start_ms: 150.0,
            end_ms: Some(400.0),
        };
        assert_eq!(recovery(&events, "c", &w), Some(99));
        let untouched = FaultWindow {
            start_ms: 1000.0,
            end_ms: Some(1100.0),
            ..w.clone()
        };
        assert_eq!(recovery(&events, "c", &untouched), Some(0));
        let never = vec![probe(200.0, false, 1.0), probe(500.0, false, 1.0)];
        assert_eq!(recovery(&never, "c", &w), None);
    }

    fn failed(at: f64, latency: f64, status: Option<u16>, error: &str) -> Event {
        Event {
            at_ms: at,
            what: EventKind::Probe {
                canary: "c".into(),
                ok: false,
                latency_ms: latency,
                status,
                error: Some(error.into()),
                missed: error.starts_with("missed"),
                lag_ms: 0.0,
            },
        }
    }

    fn window(fault: &str, start: f64, end: f64) -> FaultWindow {
        FaultWindow {
            fault: fault.into(),
            kind: "latency".into(),
            target: "a-b".into(),
            start_ms: start,
            end_ms: Some(end),
        }
    }

    fn canary(expect: &str) -> Canary {
        let text = format!("name = \"c\"\nhttp = {{ url = \"http://x\" }}\nexpect = {expect}");
        toml::from_str(&text).unwrap()
    }

    /// 100 probes due every 10 ms; those due in 300–600 ms fail with a timeout (answered
    /// 2 s after they were due), the rest succeed in 5 ms.
    fn slow_window() -> Vec<Event> {
        (0..100)
            .map(|i| {
                let due = i as f64 * 10.0;
                if (300.0..600.0).contains(&due) {
                    failed(due + 2000.0, 2000.0, None, "timeout after 2s")
                } else {
                    probe(due + 5.0, true, 5.0)
                }
            })
            .collect()
    }

    #[test]
    fn a_probe_belongs_to_the_window_it_was_due_in() {
        let s = stats(&slow_window(), "c", &[window("latency-1", 300.0, 600.0)]);
        let labels: Vec<&str> = s.windows.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(labels, ["latency-1", "steady"]);
        let (during, steady) = (&s.windows[0], &s.windows[1]);
        assert_eq!(
            (during.probes, during.successes),
            (31, 1),
            "300 ms to 600 ms"
        );
        assert_eq!(during.p99_ms, Some(2000.0));
        assert_eq!(during.causes, [("timeout after 2s".to_string(), 30)]);
        assert_eq!((steady.probes, steady.successes), (69, 69));
        assert_eq!(steady.p99_ms, Some(5.0));
        let two = stats(
            &slow_window(),
            "c",
            &[
                window("latency-1", 300.0, 400.0),
                window("latency-2", 500.0, 600.0),
            ],
        );
        let labels: Vec<&str> = two.windows.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(
            labels,
            ["latency-1", "latency-2", "during faults", "steady"]
        );
        assert_eq!(during_faults(&two).map(|w| w.probes), Some(22));
    }

    #[test]
    fn judges_the_faults_and_the_steady_periods_apart() {
        let s = stats(&slow_window(), "c", &[window("latency-1", 300.0, 600.0)]);
        let lenient = canary("{ success_rate = 0.5, during_faults = { success_rate = 0.9 } }");
        let (ok, detail) = judge(&lenient, &s);
        assert!(!ok);
        assert_eq!(
            detail,
            "during faults: success rate 3.2% < 90.0%: timeout after 2s × 30"
        );
        let steady =
            canary("{ success_rate = 0.5, steady = { success_rate = 1.0, p99 = \"10ms\" } }");
        assert!(judge(&steady, &s).0, "{}", judge(&steady, &s).1);
        let strict = canary("{ success_rate = 0.5, steady = { p99 = \"1ms\" } }");
        assert_eq!(
            judge(&strict, &s).1,
            "steady: p99 5ms > 1ms: timeout after 2s × 30"
        );
        let no_faults = stats(&slow_window(), "c", &[]);
        let (ok, detail) = judge(&lenient, &no_faults);
        assert!(!ok);
        assert!(detail.starts_with("during faults: no probe"), "{detail}");
    }

    #[test]
    fn a_failed_verdict_ends_with_its_top_causes() {
        let mut events = Vec::new();
        let mut at = 0.0;
        let mut add = |n: usize, status: Option<u16>, error: &str| {
            for _ in 0..n {
                at += 10.0;
                events.push(failed(at, 1.0, status, error));
            }
        };
        add(41, Some(503), "status 503");
        add(7, None, "timeout after 2s");
        add(3, None, "connection refused or failed");
        add(2, None, "missed: 21 probes in flight (concurrency 21)");
        add(1, Some(500), "status 500");
        add(1, Some(200), "/shipped is 2, expected 3");
        let s = stats(&events, "c", &[]);
        let (ok, detail) = judge(&canary("{ success_rate = 0.95 }"), &s);
        assert!(!ok);
        assert_eq!(
            detail,
            "success rate 0.0% < 95.0%: 503 × 41, timeout after 2s × 7, \
             connection refused or failed × 3, missed × 2, + 2 more"
        );
    }

    #[test]
    fn missed_probes_count_as_failed_but_not_in_latency() {
        let events = vec![
            probe(10.0, true, 10.0),
            failed(
                20.0,
                0.0,
                None,
                "missed: 1 probes in flight (concurrency 1)",
            ),
        ];
        let s = stats(&events, "c", &[]);
        assert_eq!((s.probes, s.successes), (2, 1));
        assert_eq!((s.p50_ms, s.p99_ms), (Some(10.0), Some(10.0)));
    }
}
