//! Judging a run from its events: canary figures (success rate, percentiles, failure runs),
//! whether each canary met its expectation, and time-to-recover per fault.

use crate::report::{probes, CanaryStats, Event, FaultWindow};

use super::model::{Canary, Expect};

/// The `q` quantile (0–1) of sorted values, nearest rank.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

/// A canary's figures over the run.
pub fn stats(events: &[Event], canary: &str) -> CanaryStats {
    let (mut probes_n, mut successes, mut run, mut worst) = (0u64, 0u64, 0u64, 0u64);
    let mut latencies = Vec::new();
    for (_, ok, latency) in probes(events, canary) {
        probes_n += 1;
        latencies.push(latency);
        if ok {
            successes += 1;
            run = 0;
        } else {
            run += 1;
            worst = worst.max(run);
        }
    }
    latencies.sort_by(f64::total_cmp);
    CanaryStats {
        name: canary.to_string(),
        probes: probes_n,
        successes,
        success_rate: if probes_n == 0 {
            1.0
        } else {
            successes as f64 / probes_n as f64
        },
        p50_ms: quantile(&latencies, 0.50),
        p95_ms: quantile(&latencies, 0.95),
        p99_ms: quantile(&latencies, 0.99),
        max_consecutive_failures: worst,
    }
}

/// Whether a canary met its expectation, and the reasons if not (or the figures if so).
pub fn judge(canary: &Canary, s: &CanaryStats) -> (bool, String) {
    let e: &Expect = &canary.expect;
    let mut failures = Vec::new();
    if s.probes == 0 {
        failures.push("no probe completed".to_string());
    }
    let latency_only = e.success_rate.is_none()
        && (e.p50.is_some()
            || e.p95.is_some()
            || e.p99.is_some()
            || e.max_consecutive_failures.is_some());
    let rate = e
        .success_rate
        .unwrap_or(if latency_only { 0.0 } else { 1.0 });
    if s.success_rate + 1e-9 < rate {
        failures.push(format!(
            "success rate {:.1}% < {:.1}%",
            s.success_rate * 100.0,
            rate * 100.0
        ));
    }
    for (name, limit, actual) in [
        ("p50", e.p50, s.p50_ms),
        ("p95", e.p95, s.p95_ms),
        ("p99", e.p99, s.p99_ms),
    ] {
        if let (Some(limit), Some(actual)) = (limit, actual) {
            if actual > limit.0.as_secs_f64() * 1000.0 {
                failures.push(format!("{name} {actual:.0}ms > {limit}"));
            }
        }
    }
    if let Some(max) = e.max_consecutive_failures {
        if s.max_consecutive_failures > max {
            failures.push(format!(
                "{} failures in a row > {max}",
                s.max_consecutive_failures
            ));
        }
    }
    if failures.is_empty() {
        let p99 = s.p99_ms.map_or("-".into(), |v| format!("{v:.0}ms"));
        (
            true,
            format!(
                "{}/{} probes ok ({:.1}%), p99 {p99}",
                s.successes,
                s.probes,
                s.success_rate * 100.0
            ),
        )
    } else {
        (false, failures.join("; "))
    }
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
            },
        }
    }

    #[test]
    fn figures_and_failure_runs() {
        let events: Vec<Event> = (0..100)
            .map(|i| probe(i as f64 * 10.0, !(40..45).contains(&i), i as f64))
            .collect();
        let s = stats(&events, "c");
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
}
