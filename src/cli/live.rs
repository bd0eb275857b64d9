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
    let view = Arc::new(Mutex::new(View {
        multi,
        timeline,
        faults,
        canaries: map,
        origin: None,
        active: Vec::new(),
    }));
    Arc::new(move |e: &Event| {
        let mut v = view.lock().unwrap_or_else(|p| p.into_inner());
        v.update(e);
    })
}

impl View {
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
        if !matches!(e.what, EventKind::Probe { .. }) && !self.active.is_empty() {
            self.timeline.set_message("faults active");
        }
    }

    fn show_faults(&mut self) {
        let msg = if self.active.is_empty() {
            "faults: none active".to_string()
        } else {
            format!("faults: {}", self.active.join(", "))
        };
        self.faults.set_message(msg);
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
