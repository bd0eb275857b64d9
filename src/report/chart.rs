//! The SVG chart of one canary: probe latencies (log scale) with failed probes in red, the
//! success rate over the last probes, fault windows shaded, recoveries marked.

use std::fmt::Write as _;

use super::event::{EventKind, Journal};
use super::text::{escape, run_duration_ms, span};

/// The sliding window of the success-rate line, in probes.
pub(crate) const RATE_WINDOW: usize = 10;
/// Above this many points a line is thinned (per time bucket: its lowest and highest point).
const MAX_LINE_POINTS: usize = 1000;
/// Time buckets used when thinning (each keeps at most two points).
const BUCKETS: f64 = 400.0;
/// Successful probes get their own dot up to this many.
const MAX_DOTS: usize = 300;
/// The fault window colours (`.k0` … in the page's CSS).
pub(crate) const FAULT_COLOURS: usize = 4;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = WIDTH - 58.0;
const TOP: f64 = 38.0;
const BOTTOM: f64 = HEIGHT - 34.0;

/// The chart of `canary` as an inline `<svg>` element (no namespace: it lives in HTML, and
/// is well-formed XML all the same).
pub(crate) fn canary_chart(journal: &Journal, canary: &str) -> String {
    let probes: Vec<(f64, bool, f64)> = journal.probes(canary).collect();
    let t_end = time_end(journal, &probes);
    let x = |t: f64| LEFT + (t.clamp(0.0, t_end) / t_end) * (RIGHT - LEFT);
    let scale = LogScale::new(probes.iter().map(|p| p.2));
    let y_rate = |r: f64| BOTTOM - r.clamp(0.0, 1.0) * (BOTTOM - TOP);

    let mut svg = String::with_capacity(16 * 1024);
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
        escape(&format!(
            "{canary}: latency and success rate of {} probes over time",
            probes.len()
        ))
    );

    // Fault windows first, so everything else is drawn over them.
    for (i, f) in journal.faults.iter().enumerate() {
        let (x0, x1) = (x(f.start_ms), x(f.end_ms.unwrap_or(t_end)));
        let k = i % FAULT_COLOURS;
        let end = f.end_ms.map(span).unwrap_or_else(|| "not healed".into());
        let _ = write!(
            svg,
            r#"<rect class="fault k{k}" x="{x0:.1}" y="{TOP}" width="{:.1}" height="{:.1}"><title>{}</title></rect>"#,
            (x1 - x0).max(1.0),
            BOTTOM - TOP,
            escape(&format!(
                "{}: {} on {}, {} → {end}",
                f.fault,
                f.kind,
                f.target,
                span(f.start_ms)
            ))
        );
        let _ = write!(
            svg,
            r#"<text class="flabel k{k}" x="{:.1}" y="{}">{}</text>"#,
            x0 + 2.0,
            TOP - 6.0 - 13.0 * (i % 2) as f64,
            escape(&f.fault)
        );
    }

    // Grid and axes.
    for (value, label) in scale.ticks() {
        let y = scale.y(value);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{RIGHT}" y1="{y:.1}" y2="{y:.1}"/><text class="yl" x="{}" y="{:.1}">{label}</text>"#,
            LEFT - 6.0,
            y + 3.5
        );
    }
    for (rate, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let _ = write!(
            svg,
            r#"<text class="yr" x="{}" y="{:.1}">{label}</text>"#,
            RIGHT + 6.0,
            y_rate(rate) + 3.5
        );
    }
    let (step, minutes) = time_step(t_end);
    let mut t = 0.0;
    while t <= t_end + 1e-9 {
        let tx = x(t);
        let _ = write!(
            svg,
            r#"<line class="tick" x1="{tx:.1}" x2="{tx:.1}" y1="{BOTTOM}" y2="{}"/><text class="xl" x="{tx:.1}" y="{}">{}</text>"#,
            BOTTOM + 4.0,
            BOTTOM + 16.0,
            time_label(t, step, minutes)
        );
        t += step;
    }
    let _ = write!(
        svg,
        r#"<path class="axis" d="M{LEFT} {TOP}V{BOTTOM}H{RIGHT}V{TOP}"/><text class="at" x="{}" y="{}">{}</text><text class="at" transform="rotate(-90)" x="{}" y="14">latency (log scale)</text><text class="at" transform="rotate(90)" x="{}" y="{}">success rate, last {RATE_WINDOW} probes</text>"#,
        (LEFT + RIGHT) / 2.0,
        HEIGHT - 4.0,
        if minutes {
            "time since start (min:s)"
        } else {
            "time since start (s)"
        },
        -(TOP + BOTTOM) / 2.0,
        (TOP + BOTTOM) / 2.0,
        -(WIDTH - 12.0),
    );

    if probes.is_empty() {
        let _ = write!(
            svg,
            r#"<text class="empty" x="{}" y="{}">no probes</text></svg>"#,
            (LEFT + RIGHT) / 2.0,
            (TOP + BOTTOM) / 2.0
        );
        return svg;
    }

    // Recoveries: when the canary was healthy again after a fault healed.
    for e in &journal.events {
        if let EventKind::Recovery {
            fault,
            canary: c,
            recovered_ms: Some(after),
        } = &e.what
        {
            let healed = journal
                .faults
                .iter()
                .find(|f| &f.fault == fault)
                .and_then(|f| f.end_ms);
            if let (true, Some(healed)) = (c == canary, healed) {
                let rx = x(healed + *after as f64);
                let _ = write!(
                    svg,
                    r#"<line class="rec" x1="{rx:.1}" x2="{rx:.1}" y1="{TOP}" y2="{BOTTOM}"><title>{}</title></line>"#,
                    escape(&format!(
                        "{canary} recovered {} after {fault} healed",
                        span(*after as f64)
                    ))
                );
            }
        }
    }

    // Success rate over the last probes.
    let mut window = std::collections::VecDeque::with_capacity(RATE_WINDOW);
    let rate: Vec<(f64, f64)> = probes
        .iter()
        .map(|&(t, ok, _)| {
            if window.len() == RATE_WINDOW {
                window.pop_front();
            }
            window.push_back(ok);
            let good = window.iter().filter(|ok| **ok).count();
            (x(t), y_rate(good as f64 / window.len() as f64))
        })
        .collect();
    let bucket = (RIGHT - LEFT) / BUCKETS;
    let rate = if rate.len() > MAX_LINE_POINTS {
        thin(&rate, bucket)
    } else {
        rate
    };
    svg.push_str(r#"<path class="rate" d=""#);
    push_line(&mut svg, &rate);
    svg.push_str(r#""/>"#);

    // Latency of successful probes: one line per run of successes, broken by failures.
    let successes = probes.iter().filter(|p| p.1).count();
    let mut segments: Vec<Vec<(f64, f64)>> = vec![];
    let mut current = vec![];
    for &(t, ok, latency) in &probes {
        if ok {
            current.push((x(t), scale.y(latency)));
        } else if !current.is_empty() {
            segments.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    svg.push_str(r#"<path class="lat" d=""#);
    for segment in &segments {
        if successes > MAX_LINE_POINTS {
            push_line(&mut svg, &thin(segment, bucket));
        } else {
            push_line(&mut svg, segment);
        }
    }
    svg.push_str(r#""/>"#);
    if successes <= MAX_DOTS {
        for point in segments.iter().flatten() {
            let _ = write!(
                svg,
                r#"<circle class="p" cx="{:.1}" cy="{:.1}" r="2"/>"#,
                point.0, point.1
            );
        }
    }

    // Every failed probe, never thinned.
    for &(t, ok, latency) in &probes {
        if !ok {
            let _ = write!(
                svg,
                r#"<circle class="f" cx="{:.1}" cy="{:.1}" r="3"/>"#,
                x(t),
                scale.y(latency)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The end of the time axis: the run's end, or the last probe or fault if later.
fn time_end(journal: &Journal, probes: &[(f64, bool, f64)]) -> f64 {
    let faults = journal
        .faults
        .iter()
        .map(|f| f.end_ms.unwrap_or(f.start_ms));
    let end = probes
        .iter()
        .map(|p| p.0)
        .chain(faults)
        .fold(run_duration_ms(journal), f64::max);
    if end.is_finite() && end > 0.0 {
        end
    } else {
        1000.0
    }
}

/// A tick step (ms) giving at most 10 ticks, and whether labels read `min:s`.
fn time_step(t_end: f64) -> (f64, bool) {
    const STEPS: [f64; 18] = [
        100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3,
        1800e3, 3600e3, 7200e3, 21600e3,
    ];
    let step = STEPS
        .iter()
        .copied()
        .find(|s| t_end / s <= 10.0)
        .unwrap_or(t_end / 10.0);
    (step, t_end >= 120e3)
}

fn time_label(t: f64, step: f64, minutes: bool) -> String {
    if minutes {
        let secs = (t / 1000.0).round() as u64;
        format!("{}:{:02}", secs / 60, secs % 60)
    } else if step < 1000.0 {
        format!("{:.1}", t / 1000.0)
    } else {
        format!("{:.0}", t / 1000.0)
    }
}

/// Appends `M x y L x y …` for one line; a lone point is a zero-length line (drawn as a
/// dot thanks to round caps).
fn push_line(d: &mut String, points: &[(f64, f64)]) {
    match points {
        [] => {}
        [(x, y)] => {
            let _ = write!(d, "M{x:.1} {y:.1}h0");
        }
        [(x, y), rest @ ..] => {
            let _ = write!(d, "M{x:.1} {y:.1}L");
            for (i, (x, y)) in rest.iter().enumerate() {
                let sep = if i == 0 { "" } else { " " };
                let _ = write!(d, "{sep}{x:.1} {y:.1}");
            }
        }
    }
}

/// Thins a line (x ascending) to its lowest and highest point per `bucket` of x, in order:
/// spikes and dips survive.
fn thin(points: &[(f64, f64)], bucket: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < points.len() {
        let b = (points[i].0 / bucket).floor();
        let mut j = i;
        let (mut lo, mut hi) = (i, i);
        while j < points.len() && (points[j].0 / bucket).floor() == b {
            // SVG y grows downwards: the highest value has the smallest y.
            if points[j].1 > points[lo].1 {
                lo = j;
            }
            if points[j].1 < points[hi].1 {
                hi = j;
            }
            j += 1;
        }
        let (a, c) = (lo.min(hi), lo.max(hi));
        out.push(points[a]);
        if c != a {
            out.push(points[c]);
        }
        i = j;
    }
    out
}

/// The latency axis, in ms: from the decade below the lowest latency to the 1-2-5 step
/// above the highest (at least one decade, at most six).
struct LogScale {
    /// log10 of the bottom.
    lo: f64,
    /// log10 of the top.
    hi: f64,
}

impl LogScale {
    fn new(latencies: impl Iterator<Item = f64>) -> Self {
        let (mut min, mut max) = (f64::INFINITY, 0.0_f64);
        for l in latencies.filter(|l| l.is_finite() && *l > 0.0) {
            min = min.min(l);
            max = max.max(l);
        }
        if max <= 0.0 {
            return LogScale { lo: 0.0, hi: 3.0 };
        }
        let hi = nice_up(max.clamp(0.1, 1e7)).log10();
        let lo = min.log10().floor().clamp(hi - 6.0, hi - 1.0).max(-2.0);
        LogScale { lo, hi }
    }

    fn y(&self, ms: f64) -> f64 {
        let v = if ms.is_finite() && ms > 0.0 {
            ms.log10()
        } else {
            self.lo
        };
        let frac = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        BOTTOM - frac * (BOTTOM - TOP)
    }

    /// 1-2-5 steps when the axis spans at most about two decades; else decades, and the
    /// top when it is not one and has room for its label.
    fn ticks(&self) -> Vec<(f64, String)> {
        let span = self.hi - self.lo;
        let within = |v: f64| (self.lo - 1e-9..=self.hi + 1e-9).contains(&v.log10());
        let mut ticks = vec![];
        for exp in (self.lo.floor() as i32)..=(self.hi.ceil() as i32) {
            let steps: &[f64] = if span <= 2.4 {
                &[1.0, 2.0, 5.0]
            } else {
                &[1.0]
            };
            for step in steps {
                let value = step * 10f64.powi(exp);
                if within(value) {
                    ticks.push(value);
                }
            }
        }
        let top = 10f64.powf(self.hi);
        if ticks
            .last()
            .is_some_and(|last| self.hi - last.log10() >= 0.07 * span)
        {
            ticks.push(top);
        }
        ticks.into_iter().map(|v| (v, tick_label(v))).collect()
    }
}

/// The 1-2-5 step at or above `v`.
fn nice_up(v: f64) -> f64 {
    let decade = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|n| *n >= v * (1.0 - 1e-9))
        .unwrap_or(10.0 * decade)
}

fn tick_label(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", (ms / 1000.0 * 1e6).round() / 1e6)
    } else if ms >= 1.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.*} ms", (-ms.log10()).ceil() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_keep_spikes_when_thinning() {
        let points: Vec<(f64, f64)> = (0..1000)
            .map(|i| {
                (
                    i as f64 / 10.0,
                    if i == 555 { 1.0 } else { 50.0 + (i % 3) as f64 },
                )
            })
            .collect();
        let thinned = thin(&points, 1.0);
        assert!(thinned.len() <= 200, "{}", thinned.len());
        assert!(thinned.contains(&(55.5, 1.0)));
        assert!(thinned.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn should_span_the_latencies_seen() {
        let scale = LogScale::new([3.0, 40.0, 2500.0].into_iter());
        assert_eq!(scale.lo, 0.0);
        assert!((scale.hi - 5000f64.log10()).abs() < 1e-12);
        let labels: Vec<_> = scale.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["1 ms", "10 ms", "100 ms", "1 s", "5 s"]);
        assert_eq!(scale.y(0.0), BOTTOM);
        assert_eq!(scale.y(1e9), TOP);

        let narrow = LogScale::new([0.5, 8.0].into_iter());
        let labels: Vec<_> = narrow.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(
            labels,
            ["0.1 ms", "0.2 ms", "0.5 ms", "1 ms", "2 ms", "5 ms", "10 ms"]
        );
    }

    #[test]
    fn should_draw_a_lone_point_as_a_dot() {
        let mut d = String::new();
        push_line(&mut d, &[(1.0, 2.0)]);
        push_line(&mut d, &[(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)]);
        assert_eq!(d, "M1.0 2.0h0M1.0 2.0L3.0 4.0 5.0 6.0");
    }
}
