//! The end-of-run summary for the terminal: outcome, verdicts, canaries, faults.

use std::fmt::Write as _;

use owo_colors::OwoColorize;

use super::event::{CanaryStats, Journal, RunOutcome, WindowStats};
use super::text::{
    heal_cause, kind_label, late, lateness, millis, percent, recoveries, run_duration_ms,
    run_problem, span, top_causes, LATE_MS,
};
use crate::paint::paint;

/// The plain-text summary printed at the end of a run: the outcome, one line per verdict
/// (✔/✘), one line of figures per canary and one per fault (its lateness and each canary's
/// recovery). Coloured only when `color` is true.
pub fn summary(journal: &Journal, color: bool) -> String {
    let mut out = String::new();
    let (mark, word) = match journal.outcome {
        RunOutcome::Passed => (
            paint("✔", color, |s| s.green().bold().to_string()),
            "passed",
        ),
        RunOutcome::Failed => (paint("✘", color, |s| s.red().bold().to_string()), "failed"),
        RunOutcome::Error => (paint("✘", color, |s| s.red().bold().to_string()), "error"),
        RunOutcome::Interrupted => (
            paint("!", color, |s| s.yellow().bold().to_string()),
            "interrupted",
        ),
        RunOutcome::Aborted => (paint("✘", color, |s| s.red().bold().to_string()), "aborted"),
    };
    let word = paint(word, color, |s| match journal.outcome {
        RunOutcome::Passed => s.green().bold().to_string(),
        RunOutcome::Interrupted => s.yellow().bold().to_string(),
        _ => s.red().bold().to_string(),
    });
    let _ = writeln!(
        out,
        "{mark} {word}: {} in {}",
        paint(&journal.scenario, color, |s| s.bold().to_string()),
        span(run_duration_ms(journal))
    );
    let _ = writeln!(
        out,
        "{}",
        paint(
            &format!(
                "  run {} · backend {} · seed {}",
                journal.run_id, journal.backend, journal.seed
            ),
            color,
            |s| s.dimmed().to_string()
        )
    );
    if let Some(problem) = run_problem(journal) {
        let problem = paint(&problem, color, |s| match journal.outcome {
            RunOutcome::Interrupted => s.yellow().to_string(),
            _ => s.red().to_string(),
        });
        let _ = writeln!(out, "  {problem}");
    }

    let verdicts: Vec<_> = journal.verdicts().collect();
    if !verdicts.is_empty() {
        let _ = writeln!(out, "\n{}", heading("Verdicts", color));
        let kind_w = verdicts
            .iter()
            .map(|v| kind_label(v.1).len())
            .max()
            .unwrap_or(0);
        let check_w = width(verdicts.iter().map(|v| v.0));
        for (check, kind, ok, detail) in verdicts {
            let mark = if ok {
                paint("✔", color, |s| s.green().to_string())
            } else {
                paint("✘", color, |s| s.red().to_string())
            };
            let kind = paint(&format!("{:<kind_w$}", kind_label(kind)), color, |s| {
                s.dimmed().to_string()
            });
            let line = format!("  {mark} {kind}  {}  {detail}", pad(check, check_w));
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }

    if !journal.canaries.is_empty() {
        let _ = writeln!(out, "\n{}", heading("Canaries", color));
        let name_w = width(journal.canaries.iter().map(|c| c.name.as_str()));
        for c in &journal.canaries {
            if c.probes == 0 {
                // No success figure for what was never probed (a run that stopped early).
                let never = paint(
                    "not probed: the run ended before its first probe",
                    color,
                    |s| s.yellow().to_string(),
                );
                let _ = writeln!(out, "  {}  {never}", pad(&c.name, name_w));
                continue;
            }
            let rate = percent(c.success_rate);
            let rate = if c.successes < c.probes {
                paint(&rate, color, |s| s.yellow().to_string())
            } else {
                rate
            };
            let figure = |p: Option<f64>| p.map(millis).unwrap_or_else(|| "–".into());
            let _ = writeln!(
                out,
                "  {}  {} probes, {rate} ok · p50 {} · p95 {} · p99 {} · at most {} failed in a row",
                pad(&c.name, name_w),
                c.probes,
                figure(c.p50_ms),
                figure(c.p95_ms),
                figure(c.p99_ms),
                c.max_consecutive_failures
            );
            windows(&mut out, c, color);
        }
    }

    if !journal.faults.is_empty() {
        let _ = writeln!(out, "\n{}", heading("Faults", color));
        let id_w = width(journal.faults.iter().map(|f| f.fault.as_str()));
        for f in &journal.faults {
            let window = match f.end_ms {
                Some(end) => format!("{} → {}", span(f.start_ms), span(end)),
                None => format!("{} → not healed", span(f.start_ms)),
            };
            let (applied, healed) = lateness(journal, &f.fault);
            let lateness = |l: Option<f64>| match l {
                Some(ms) if ms > LATE_MS => paint(&late(ms), color, |s| s.yellow().to_string()),
                Some(ms) => late(ms),
                None => "–".into(),
            };
            let healed = match heal_cause(journal, &f.fault) {
                Some(cause) => paint(&format!("at teardown: {cause}"), color, |s| {
                    s.yellow().to_string()
                }),
                None => lateness(healed),
            };
            let mut line = format!(
                "  {}  {} on {} · {window} · applied {}, healed {healed}",
                pad(&f.fault, id_w),
                f.kind,
                f.target,
                lateness(applied),
            );
            let recovered: Vec<String> = recoveries(journal, &f.fault)
                .map(|(canary, ms)| match ms {
                    Some(ms) => format!("{canary} {}", span(ms as f64)),
                    None => format!(
                        "{canary} {}",
                        paint("never", color, |s| s.red().to_string())
                    ),
                })
                .collect();
            if !recovered.is_empty() {
                let _ = write!(line, " · recovered: {}", recovered.join(", "));
            }
            let _ = writeln!(out, "{line}");
        }
    }
    if let Some(dir) = journal.logs() {
        let files: Vec<String> = journal
            .services()
            .iter()
            .map(|s| format!("{s}.log"))
            .collect();
        let files = match files.is_empty() {
            true => String::new(),
            false => format!(" ({})", files.join(", ")),
        };
        let _ = writeln!(out, "\n{}\n  {dir}{files}", heading("Service logs", color));
    }
    out
}

/// One line per window of a canary (each fault window, `during faults`, `steady`), when
/// the run had faults: its probes, success rate, p99 and top causes.
fn windows(out: &mut String, c: &CanaryStats, color: bool) {
    if c.windows.len() < 2 {
        return;
    }
    let label = |w: &WindowStats| match (w.start_ms, w.end_ms) {
        (Some(start), Some(end)) => format!("{} ({} → {})", w.label, span(start), span(end)),
        (Some(start), None) => format!("{} ({} →)", w.label, span(start)),
        _ => w.label.clone(),
    };
    let labels: Vec<String> = c.windows.iter().map(label).collect();
    let label_w = width(labels.iter().map(String::as_str));
    for (w, label) in c.windows.iter().zip(&labels) {
        let rate = match w.probes {
            0 => "–".to_string(),
            _ if w.successes < w.probes => {
                paint(&percent(w.success_rate), color, |s| s.yellow().to_string())
            }
            _ => percent(w.success_rate),
        };
        let p99 = w.p99_ms.map(millis).unwrap_or_else(|| "–".into());
        let mut line = format!(
            "    {}  {} probes, {rate} ok · p99 {p99}",
            pad(label, label_w),
            w.probes
        );
        if !w.causes.is_empty() {
            let _ = write!(line, " · {}", top_causes(&w.causes));
        }
        let _ = writeln!(out, "{}", paint(&line, color, |s| s.dimmed().to_string()));
    }
}

fn heading(text: &str, color: bool) -> String {
    paint(text, color, |s| s.bold().to_string())
}

fn width<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.map(|n| n.chars().count()).max().unwrap_or(0)
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Event, EventKind};

    #[test]
    fn should_colour_only_when_asked() {
        let journal = Journal {
            scenario: "s".into(),
            run_id: "r".into(),
            backend: "process".into(),
            seed: 1,
            outcome: RunOutcome::Error,
            events: vec![Event {
                at_ms: 3.0,
                what: EventKind::RunError {
                    message: "orders did not start".into(),
                },
            }],
            faults: vec![],
            canaries: vec![],
        };
        let plain = summary(&journal, false);
        assert!(!plain.contains('\u{1b}'));
        assert_eq!(
            plain,
            "✘ error: s in 3 ms\n  run r · backend process · seed 1\n  orders did not start\n"
        );
        assert!(summary(&journal, true).contains('\u{1b}'));
    }

    #[test]
    fn a_heal_off_schedule_says_why_not_how_late() {
        let healed = |cause: &str| Event {
            at_ms: 900.0,
            what: EventKind::FaultHealed {
                fault: "latency-1".into(),
                scheduled_ms: 900,
                late_ms: 0.0,
                cause: Some(cause.into()),
            },
        };
        for (outcome, cause) in [
            (RunOutcome::Interrupted, "interrupted (Ctrl-C or a signal)"),
            (RunOutcome::Aborted, "aborted: checkout collapsed"),
        ] {
            let journal = Journal {
                scenario: "s".into(),
                run_id: "r".into(),
                backend: "process".into(),
                seed: 1,
                outcome,
                events: vec![healed(cause)],
                faults: vec![crate::report::FaultWindow {
                    fault: "latency-1".into(),
                    kind: "latency".into(),
                    target: "a-b".into(),
                    start_ms: 100.0,
                    end_ms: Some(900.0),
                }],
                canaries: vec![],
            };
            let plain = summary(&journal, false);
            assert!(
                plain.contains(&format!("healed at teardown: {cause}")),
                "{plain}"
            );
            assert!(!plain.contains("healed +"), "{plain}");
        }
    }

    #[test]
    fn a_canary_never_probed_shows_no_success_figure() {
        let journal = Journal {
            scenario: "s".into(),
            run_id: "r".into(),
            backend: "process".into(),
            seed: 1,
            outcome: RunOutcome::Error,
            events: vec![Event {
                at_ms: 3.0,
                what: EventKind::RunError {
                    message: "service \"a\" did not start".into(),
                },
            }],
            faults: vec![],
            canaries: vec![crate::report::CanaryStats {
                name: "checkout".into(),
                probes: 0,
                successes: 0,
                success_rate: 1.0,
                p50_ms: None,
                p95_ms: None,
                p99_ms: None,
                max_consecutive_failures: 0,
                causes: vec![],
                windows: vec![],
            }],
        };
        let plain = summary(&journal, false);
        assert!(plain.contains("service \"a\" did not start"), "{plain}");
        assert!(
            plain.contains("checkout  not probed: the run ended before its first probe"),
            "{plain}"
        );
        assert!(!plain.contains('%'), "{plain}");
    }
}
