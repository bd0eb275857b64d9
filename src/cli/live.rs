//! The live view of `shakedown run`: a timeline bar, the active faults, and one line per
//! canary (indicatif) on a terminal; plain event lines otherwise.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::report::{Event, EventKind};
use crate::scenario::Listener;

#[derive(Default)]
struct Health {
    probes: u64,
    ok: u64,
    last_error: Option<String>,
    latencies: Vec<f64>,
}

struct View {
    multi: MultiProgress,
    timeline: ProgressBar,
    faults: ProgressBar,
    canaries: BTreeMap<String, (ProgressBar, Health)>,
    active: Vec<String>,
    /// When the canaries started (the timeline's zero), ms since the run began.
    origin: Option<f64>,
    /// The guardrail that tripped, once one did.
    aborted: Option<String>,
}

/// A listener that draws the live view (`live`) or prints event lines.
pub fn listener(live: bool, total: Duration, canaries: &[String]) -> Listener {
    if !live {
        return Arc::new(|e: &Event| {
            if let Some(line) = line(e) {
                // Never panic on a closed stderr: the run must still heal and clean up.
                let _ = writeln!(std::io::stderr(), "{line}");
            }
        });
    }
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
    let timeline = multi.add(ProgressBar::new(total.as_millis() as u64));
    let bar = if crate::cli::style::stderr_color() {
        "{bar:40.cyan/blue}"
    } else {
        "{bar:40}"
    };
    timeline.set_style(
        ProgressStyle::with_template(&format!("{{spinner}} {{prefix:>8}} [{bar}] {{msg}}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    timeline.enable_steady_tick(Duration::from_millis(100));
    timeline.set_message("starting services");
    let faults = multi.add(ProgressBar::new_spinner());
    faults.set_message("faults: none active");
    let mut map = BTreeMap::new();
    for name in canaries {
        let bar = multi.add(ProgressBar::new_spinner());
        bar.set_message(format!("{name}: waiting"));
        map.insert(name.clone(), (bar, Health::default()));
    }
    let view = Arc::new(Mutex::new(View::new(multi, timeline, faults, map)));
    Arc::new(move |e: &Event| {
        let mut v = view.lock().unwrap_or_else(|p| p.into_inner());
        v.update(e);
    })
}

impl View {
    fn new(
        multi: MultiProgress,
        timeline: ProgressBar,
        faults: ProgressBar,
        canaries: BTreeMap<String, (ProgressBar, Health)>,
    ) -> Self {
        View {
            multi,
            timeline,
            faults,
            canaries,
            origin: None,
            active: Vec::new(),
            aborted: None,
        }
    }

    fn update(&mut self, e: &Event) {
        self.timeline
            .set_prefix(format!("{:.1}s", e.at_ms / 1000.0));
        if matches!(e.what, EventKind::Probe { .. }) && self.origin.is_none() {
            self.origin = Some(e.at_ms);
        }
        if let Some(origin) = self.origin {
            self.timeline
                .set_position((e.at_ms - origin).max(0.0) as u64);
        }
        match &e.what {
            EventKind::Probe {
                canary,
                ok,
                latency_ms,
                error,
                ..
            } => self.probe(canary, *ok, *latency_ms, error.as_deref()),
            EventKind::FaultApplied { fault, target, .. } => {
                self.active.push(format!("{fault} ({target})"));
                self.show_faults();
            }
            EventKind::FaultHealed { fault, .. } => {
                self.active
                    .retain(|a| !a.starts_with(&format!("{fault} (")));
                self.show_faults();
            }
            EventKind::ServiceReady { .. } => self.timeline.set_message("running"),
            EventKind::Aborted { condition, .. } => {
                self.aborted = Some(condition.clone());
                self.timeline
                    .set_message(format!("aborted: {condition} — healing every fault"));
            }
            EventKind::RunFinished { .. } => {
                self.timeline.finish_and_clear();
                self.faults.finish_and_clear();
                for (bar, _) in self.canaries.values() {
                    bar.finish();
                }
            }
            _ => {}
        }
        if let Some(l) = line(e) {
            let _ = self.multi.println(l);
        }
    }

    /// The fault line and the timeline's count, both from the one list of active faults.
    fn show_faults(&mut self) {
        let running = match &self.aborted {
            Some(condition) => format!("aborted: {condition}"),
            None => "running".to_string(),
        };
        let (list, count) = match self.active.len() {
            0 => ("faults: none active".to_string(), running),
            n => (
                format!("faults: {}", self.active.join(", ")),
                format!(
                    "{running} · {n} fault{} active",
                    if n == 1 { "" } else { "s" }
                ),
            ),
        };
        self.faults.set_message(list);
        self.timeline.set_message(count);
    }

    fn probe(&mut self, canary: &str, ok: bool, latency: f64, error: Option<&str>) {
        let Some((bar, h)) = self.canaries.get_mut(canary) else {
            return;
        };
        h.probes += 1;
        h.ok += u64::from(ok);
        h.latencies.push(latency);
        if !ok {
            h.last_error = error.map(str::to_string);
        }
        let recent = &h.latencies[h.latencies.len().saturating_sub(50)..];
        let mut sorted = recent.to_vec();
        sorted.sort_by(f64::total_cmp);
        let p99 = crate::scenario::quantile(&sorted, 0.99).unwrap_or_default();
        let mark = if ok { "✔" } else { "✘" };
        let err = h
            .last_error
            .as_deref()
            .map_or(String::new(), |e| format!(" — last failure: {e}"));
        bar.set_message(format!(
            "{mark} {canary}: {}/{} ok, recent p99 {p99:.0}ms{err}",
            h.ok, h.probes
        ));
    }
}

/// The plain line for an event (`None` for probes, verdicts, recoveries and the end, which
/// the canary lines and the summary show).
fn line(e: &Event) -> Option<String> {
    let shown = !matches!(
        e.what,
        EventKind::Probe { .. }
            | EventKind::Verdict { .. }
            | EventKind::Recovery { .. }
            | EventKind::RunFinished { .. }
    );
    shown.then(|| format!("[{:>7.2}s] {}", e.at_ms / 1000.0, e.what))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden_view() -> View {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::hidden());
        View::new(
            multi,
            ProgressBar::hidden(),
            ProgressBar::hidden(),
            BTreeMap::new(),
        )
    }

    fn at(ms: f64, what: EventKind) -> Event {
        Event { at_ms: ms, what }
    }

    fn applied(fault: &str) -> EventKind {
        EventKind::FaultApplied {
            fault: fault.into(),
            kind: "latency".into(),
            target: "a->b".into(),
            scheduled_ms: 0,
            late_ms: 0.0,
        }
    }

    fn healed(fault: &str) -> EventKind {
        EventKind::FaultHealed {
            fault: fault.into(),
            scheduled_ms: 0,
            late_ms: 0.0,
            cause: None,
        }
    }

    #[test]
    fn the_fault_count_agrees_with_the_fault_list() {
        let mut v = hidden_view();
        v.update(&at(1.0, applied("latency-1")));
        v.update(&at(2.0, applied("crash-1")));
        assert_eq!(v.timeline.message(), "running · 2 faults active");
        v.update(&at(3.0, healed("latency-1")));
        assert_eq!(v.timeline.message(), "running · 1 fault active");
        assert_eq!(v.faults.message(), "faults: crash-1 (a->b)");
        v.update(&at(4.0, healed("crash-1")));
        v.update(&at(
            5.0,
            EventKind::ServiceStopped {
                service: "a".into(),
            },
        ));
        assert_eq!(v.faults.message(), "faults: none active");
        assert_eq!(v.timeline.message(), "running");
    }

    #[test]
    fn an_abort_stays_on_the_timeline_while_faults_heal() {
        let mut v = hidden_view();
        v.update(&at(1.0, applied("latency-1")));
        let tripped = EventKind::Aborted {
            condition: "checkout collapsed".into(),
            detail: "success rate 10% (1 of 10) < 50% over the last 5s".into(),
        };
        assert_eq!(
            line(&at(2000.0, tripped.clone())).unwrap(),
            "[   2.00s] aborted: checkout collapsed tripped — success rate 10% (1 of 10) < 50% \
             over the last 5s"
        );
        v.update(&at(2000.0, tripped));
        assert_eq!(
            v.timeline.message(),
            "aborted: checkout collapsed — healing every fault"
        );
        v.update(&at(2001.0, healed("latency-1")));
        assert_eq!(v.timeline.message(), "aborted: checkout collapsed");
        assert_eq!(v.faults.message(), "faults: none active");
    }
}
