//! Small helpers the renderers share: how times, latencies and rates are written, HTML/XML
//! escaping, and the facts derived from a journal (duration, lateness, recoveries).

use super::event::{CheckKind, EventKind, Journal, RunOutcome};

/// Faults applied or healed later than this are flagged (the engine's target is 10 ms).
pub(crate) const LATE_MS: f64 = 10.0;

/// The run's duration in ms: `RunFinished`'s, else the last event's time.
pub(crate) fn run_duration_ms(journal: &Journal) -> f64 {
    journal
        .events
        .iter()
        .rev()
        .find_map(|e| match e.what {
            EventKind::RunFinished { duration_ms, .. } => Some(duration_ms as f64),
            _ => None,
        })
        .or_else(|| journal.events.last().map(|e| e.at_ms))
        .unwrap_or(0.0)
}

/// Why an errored, interrupted or aborted run stopped: its `RunError`, `Interrupted` and
/// `Aborted` messages.
pub(crate) fn run_problem(journal: &Journal) -> Option<String> {
    let messages: Vec<String> = journal
        .events
        .iter()
        .filter_map(|e| match &e.what {
            EventKind::RunError { message } => Some(message.clone()),
            EventKind::Interrupted { .. } | EventKind::Aborted { .. } => Some(e.what.to_string()),
            _ => None,
        })
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// How late a fault was applied and healed, in ms (`None`: no such event).
pub(crate) fn lateness(journal: &Journal, fault: &str) -> (Option<f64>, Option<f64>) {
    let mut applied = None;
    let mut healed = None;
    for e in &journal.events {
        match &e.what {
            EventKind::FaultApplied {
                fault: f, late_ms, ..
            } if f == fault => applied = Some(*late_ms),
            // A heal at teardown kept no schedule: it has no lateness.
            EventKind::FaultHealed {
                fault: f,
                late_ms,
                cause,
                ..
            } if f == fault => healed = cause.is_none().then_some(*late_ms),
            _ => {}
        }
    }
    (applied, healed)
}

/// Why `fault` healed off its schedule (`aborted: checkout collapsed`, `interrupted (Ctrl-C
/// or a signal)`), if it did.
pub(crate) fn heal_cause<'a>(journal: &'a Journal, fault: &str) -> Option<&'a str> {
    journal.events.iter().rev().find_map(|e| match &e.what {
        EventKind::FaultHealed {
            fault: f,
            cause: Some(cause),
            ..
        } if f == fault => Some(cause.as_str()),
        _ => None,
    })
}

/// Each canary's recovery after `fault` healed: (canary, ms after the heal or `None`: never).
pub(crate) fn recoveries<'a>(
    journal: &'a Journal,
    fault: &'a str,
) -> impl Iterator<Item = (&'a str, Option<u64>)> + 'a {
    journal.events.iter().filter_map(move |e| match &e.what {
        EventKind::Recovery {
            fault: f,
            canary,
            recovered_ms,
        } if f == fault => Some((canary.as_str(), *recovered_ms)),
        _ => None,
    })
}

/// The canaries of the run: those with figures, in scenario order, then any that only
/// probed.
pub(crate) fn canary_names(journal: &Journal) -> Vec<&str> {
    let mut names: Vec<&str> = journal.canaries.iter().map(|c| c.name.as_str()).collect();
    for e in &journal.events {
        if let EventKind::Probe { canary, .. } = &e.what {
            if !names.contains(&canary.as_str()) {
                names.push(canary);
            }
        }
    }
    names
}

/// Canaries that were given no verdict.
pub(crate) fn canaries_without_verdict(journal: &Journal) -> Vec<&str> {
    canary_names(journal)
        .into_iter()
        .filter(|name| {
            !journal
                .verdicts()
                .any(|(check, kind, _, _)| kind == CheckKind::Canary && check == *name)
        })
        .collect()
}

/// The outcome as one lowercase word.
pub(crate) fn outcome_word(outcome: RunOutcome) -> &'static str {
    match outcome {
        RunOutcome::Passed => "passed",
        RunOutcome::Failed => "failed",
        RunOutcome::Error => "error",
        RunOutcome::Interrupted => "interrupted",
        RunOutcome::Aborted => "aborted",
    }
}

/// A check kind as the JUnit class name (`canary`, `hypothesis`, `steady_state`,
/// `interaction`).
pub(crate) fn kind_name(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Canary => "canary",
        CheckKind::Hypothesis => "hypothesis",
        CheckKind::SteadyState => "steady_state",
        CheckKind::Interaction => "interaction",
    }
}

/// A check kind for people (`steady state`).
pub(crate) fn kind_label(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::SteadyState => "steady state",
        other => kind_name(other),
    }
}

/// A latency or lateness: `0.42 ms`, `12.3 ms`, `850 ms`, `12.5 s`.
pub(crate) fn millis(ms: f64) -> String {
    let ms = if ms.is_finite() { ms } else { 0.0 };
    if ms.abs() < 10.0 {
        format!("{ms:.2} ms")
    } else if ms.abs() < 100.0 {
        format!("{ms:.1} ms")
    } else if ms.abs() < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// A lateness with its sign: `+0.42 ms`.
pub(crate) fn late(ms: f64) -> String {
    if ms < 0.0 {
        millis(ms)
    } else {
        format!("+{}", millis(ms))
    }
}

/// A point or span of a run: `850 ms`, `12.4 s`, `2 min 03 s`.
pub(crate) fn span(ms: f64) -> String {
    let ms = if ms.is_finite() { ms.max(0.0) } else { 0.0 };
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        let secs = (ms / 1000.0).round() as u64;
        format!("{} min {:02} s", secs / 60, secs % 60)
    }
}

/// Causes as a verdict shows them: `503 × 41, timeout after 2s × 7, missed × 2`, at most
/// four, then `+ N more`.
pub(crate) fn top_causes(causes: &[(String, u64)]) -> String {
    const SHOWN: usize = 4;
    let mut parts: Vec<String> = causes
        .iter()
        .take(SHOWN)
        .map(|(cause, n)| format!("{cause} × {n}"))
        .collect();
    if causes.len() > SHOWN {
        parts.push(format!("+ {} more", causes.len() - SHOWN));
    }
    parts.join(", ")
}

/// A rate (0–1) as a percentage that never rounds a failure up to 100% nor a success down
/// to 0%: `97.5%`, `100%`, `99.9%`.
pub(crate) fn percent(rate: f64) -> String {
    if rate >= 1.0 {
        return "100%".into();
    }
    if rate <= 0.0 {
        return "0%".into();
    }
    let tenths = ((rate * 1000.0).round() / 10.0).clamp(0.1, 99.9);
    format!("{tenths:.1}%")
}

/// Escapes text for HTML and XML, in element content and in quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML (the SVG must stay well formed).
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_write_times_for_people() {
        assert_eq!(millis(0.4219), "0.42 ms");
        assert_eq!(millis(12.34), "12.3 ms");
        assert_eq!(millis(850.2), "850 ms");
        assert_eq!(millis(12_500.0), "12.5 s");
        assert_eq!(late(1.5), "+1.50 ms");
        assert_eq!(span(850.0), "850 ms");
        assert_eq!(span(12_440.0), "12.4 s");
        assert_eq!(span(123_000.0), "2 min 03 s");
        assert_eq!(span(f64::NAN), "0 ms");
    }

    #[test]
    fn should_never_round_a_failure_to_a_perfect_rate() {
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.9999), "99.9%");
        assert_eq!(percent(0.975), "97.5%");
        assert_eq!(percent(0.0001), "0.1%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn should_escape_markup_and_controls() {
        assert_eq!(
            escape("<script>alert('x' & \"y\")</script>\u{1b}"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;\u{fffd}"
        );
    }
}
