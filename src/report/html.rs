//! The run as one self-contained HTML page: outcome, verdicts, faults, a chart per canary
//! (inline SVG) and the whole event journal. No scripts, fonts or network.

use std::fmt::Write as _;

use super::chart::{canary_chart, FAULT_COLOURS, RATE_WINDOW};
use super::event::{CanaryStats, CheckKind, Journal, RunOutcome};
use super::text::{
    canary_names, escape, heal_cause, kind_label, late, lateness, millis, outcome_word, percent,
    recoveries, run_duration_ms, run_problem, span, top_causes, LATE_MS,
};
use super::wording::Tone;

const STYLE: &str = r#"
:root{--bg:#f5f6f8;--fg:#1d2230;--muted:#687085;--card:#fff;--line:#e3e6ec;--grid:#eef0f4;
--ok:#15803d;--okbg:#dcfce7;--bad:#c0262d;--badbg:#fee2e2;--warn:#a35a06;--warnbg:#fef3c7;
--lat:#2563eb;--rate:#16a34a;--k0:#f59e0b;--k1:#8b5cf6;--k2:#06b6d4;--k3:#ec4899}
@media(prefers-color-scheme:dark){:root{--bg:#0f1117;--fg:#e4e7ee;--muted:#969eb0;--card:#181b23;
--line:#2a2f3b;--grid:#222632;--ok:#4ade80;--okbg:#12371f;--bad:#f87171;--badbg:#451a1d;
--warn:#fbbf24;--warnbg:#42300b;--lat:#60a5fa;--rate:#4ade80}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 20px 48px}
header h1{display:inline;font-size:26px;margin:0 12px 0 0;word-break:break-word;vertical-align:middle}
.badge{display:inline-block;padding:3px 12px;border-radius:999px;font-size:13px;font-weight:700;letter-spacing:.05em;text-transform:uppercase;vertical-align:middle}
.passed{background:var(--okbg);color:var(--ok)}.failed,.error{background:var(--badbg);color:var(--bad)}.interrupted{background:var(--warnbg);color:var(--warn)}.aborted{background:var(--badbg);color:var(--bad)}
.meta{display:flex;flex-wrap:wrap;gap:8px 28px;margin:14px 0 0;padding:0}
.meta div{display:flex;flex-direction:column}.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}.meta dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums;word-break:break-all}
.problem{margin:16px 0 0;padding:10px 14px;border-radius:8px;font-weight:600}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 22px;margin:18px 0;overflow-x:auto}
h2{font-size:17px;margin:0 0 12px}h3{font-size:15px;margin:22px 0 4px;word-break:break-word}h3:first-of-type{margin-top:6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
tbody tr:last-child td{border-bottom:0}
th{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
.n{font-variant-numeric:tabular-nums;white-space:nowrap}
.sub{display:block;font-size:12px;color:var(--muted)}
.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}.muted{color:var(--muted)}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:700;white-space:nowrap}
.pill.ok{background:var(--okbg)}.pill.bad{background:var(--badbg)}
.detail{word-break:break-word}
.sw{display:inline-block;width:11px;height:11px;border-radius:3px;margin-right:7px;vertical-align:-1px}
.legend{display:flex;flex-wrap:wrap;gap:6px 20px;font-size:12px;color:var(--muted);margin:0 0 6px}
.legend i{display:inline-block;width:18px;height:0;border-top:2px solid;margin-right:6px;vertical-align:middle}
.legend i.lat{border-color:var(--lat)}.legend i.rate{border-top:2px dashed var(--rate)}
.legend i.fail{width:8px;height:8px;border:0;border-radius:50%;background:var(--bad)}
.legend i.win{width:14px;height:11px;border:0;border-radius:2px;background:var(--k0);opacity:.3}
.legend i.rec{width:0;height:12px;border:0;border-left:2px dotted var(--ok)}
svg.chart{display:block;width:100%;height:auto;min-width:640px}
svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:var(--muted)}
.yl{text-anchor:end}.xl,.at,.empty{text-anchor:middle}.empty{font-size:14px}
.grid{stroke:var(--grid)}.tick{stroke:var(--line)}.axis{fill:none;stroke:var(--line)}
.fault{fill-opacity:.17}.flabel{font-weight:700}
.k0{fill:var(--k0);background:var(--k0)}.k1{fill:var(--k1);background:var(--k1)}.k2{fill:var(--k2);background:var(--k2)}.k3{fill:var(--k3);background:var(--k3)}
.rate{fill:none;stroke:var(--rate);stroke-width:1.6;stroke-dasharray:5 3;stroke-linejoin:round;opacity:.85}
.lat{fill:none;stroke:var(--lat);stroke-width:1.5;stroke-linejoin:round;stroke-linecap:round}
.p{fill:var(--lat)}.f{fill:var(--bad);stroke:var(--card);stroke-width:.8}
.rec{stroke:var(--ok);stroke-width:1.5;stroke-dasharray:2 3}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0 4px}
.stats div{flex:1 1 110px;border:1px solid var(--line);border-radius:8px;padding:6px 12px}
.stats span{display:block;font-size:12px;color:var(--muted)}
.stats b{font-size:17px;font-variant-numeric:tabular-nums}
.windows{margin:6px 0 4px;font-size:13px}
details summary{cursor:pointer;font-weight:700;font-size:17px}
details[open] summary{margin-bottom:10px}
.journal td{padding:2px 10px;font-size:12.5px}.journal tr.bad td{color:var(--bad)}.journal tr.fault-event td{color:var(--warn);font-weight:600}
.journal td:first-child{font-variant-numeric:tabular-nums;white-space:nowrap}.journal td:nth-child(2){white-space:nowrap;color:var(--muted)}
footer{color:var(--muted);font-size:12px;text-align:center}
"#;

/// The run as one self-contained HTML page, for people.
///
/// It shows the outcome, the verdicts, the faults (window, lateness, each canary's
/// recovery), a chart per canary (probe latencies on a log scale with failed probes in red,
/// the success rate over the last 10 probes, fault windows shaded) with its figures, and
/// the whole event journal, folded. Everything is inline (CSS and SVG, no script, font or
/// network reference) and every text from the scenario is escaped. Long runs stay small:
/// chart lines are thinned past 1,000 points, failed probes are always drawn.
///
/// ```
/// use shakedown::report::{html, Event, EventKind, Journal, RunOutcome};
///
/// let journal = Journal {
///     scenario: "<b>checkout</b>".into(),
///     run_id: "run-1".into(),
///     backend: "process".into(),
///     seed: 7,
///     outcome: RunOutcome::Failed,
///     events: vec![Event {
///         at_ms: 12.5,
///         what: EventKind::Probe {
///             canary: "orders".into(),
///             ok: false,
///             latency_ms: 3.0,
///             status: Some(503),
///             error: Some("status 503".into()),
///             missed: false,
///             lag_ms: 0.2,
///         },
///     }],
///     faults: vec![],
///     canaries: vec![],
/// };
/// let page = html(&journal);
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("&lt;b&gt;checkout&lt;/b&gt;"));
/// assert!(page.contains(r#"<circle class="f""#)); // the failed probe, in red
/// ```
pub fn html(journal: &Journal) -> String {
    let mut out = String::with_capacity(32 * 1024 + journal.events.len() * 96);
    let title = escape(&journal.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title} · {} · shakedown</title><style>{STYLE}</style></head><body><main>\n",
        outcome_word(journal.outcome)
    );
    header(&mut out, journal);
    verdicts(&mut out, journal);
    faults(&mut out, journal);
    canaries(&mut out, journal);
    logs(&mut out, journal);
    events(&mut out, journal);
    let _ = write!(
        out,
        "<footer>shakedown {} · times are since the run started</footer>\n</main></body></html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn header(out: &mut String, journal: &Journal) {
    let word = outcome_word(journal.outcome);
    let verdicts: Vec<_> = journal.verdicts().collect();
    let passed = verdicts.iter().filter(|v| v.2).count();
    let _ = write!(
        out,
        "<header><h1>{}</h1><span class=\"badge {word}\">{word}</span><dl class=\"meta\">",
        escape(&journal.scenario)
    );
    let mut item = |label: &str, value: &str| {
        let _ = write!(out, "<div><dt>{label}</dt><dd>{}</dd></div>", escape(value));
    };
    item("run", &journal.run_id);
    item("backend", &journal.backend);
    item("seed", &journal.seed.to_string());
    item("duration", &span(run_duration_ms(journal)));
    let checks = match verdicts.len() {
        0 => "none".to_string(),
        n => format!("{passed} of {n} passed"),
    };
    item("checks", &checks);
    item("faults", &journal.faults.len().to_string());
    out.push_str("</dl></header>\n");
    if let Some(problem) = run_problem(journal) {
        let class = match journal.outcome {
            RunOutcome::Interrupted => "interrupted",
            RunOutcome::Aborted => "aborted",
            _ => "error",
        };
        let _ = writeln!(out, "<p class=\"problem {class}\">{}</p>", escape(&problem));
    }
}

fn verdicts(out: &mut String, journal: &Journal) {
    out.push_str("<section><h2>Verdicts</h2>");
    if journal.verdicts().next().is_none() {
        out.push_str("<p class=\"muted\">No verdict was given.</p></section>\n");
        return;
    }
    out.push_str(
        "<table><thead><tr><th>Check</th><th>Kind</th><th>Result</th><th>Detail</th></tr></thead><tbody>",
    );
    for (check, kind, ok, detail) in journal.verdicts() {
        let _ = write!(
            out,
            "<tr><td><b>{}</b></td><td class=\"muted\">{}</td><td>{}</td><td class=\"detail\">{}</td></tr>",
            escape(check),
            kind_label(kind),
            pill(ok),
            escape(detail)
        );
    }
    out.push_str("</tbody></table></section>\n");
}

/// Links to the services' log files (`file:` URLs: the page and the logs are on the same
/// machine when the run wrote them).
fn logs(out: &mut String, journal: &Journal) {
    let Some(dir) = journal.logs() else {
        return;
    };
    let href = |path: &str| escape(&file_url(path));
    let _ = write!(
        out,
        "<section><h2>Service logs</h2><p>In <a href=\"{}/\">{}</a></p><ul>",
        href(dir),
        escape(dir)
    );
    for service in journal.services() {
        let file = format!("{dir}/{service}.log");
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}.log</a></li>",
            href(&file),
            escape(service)
        );
    }
    out.push_str("</ul></section>\n");
}

/// A `file:` URL for an absolute path: every byte but unreserved ones and `/` percent-encoded.
fn file_url(path: &str) -> String {
    let mut url = String::from("file://");
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                url.push(b as char)
            }
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    url
}

fn pill(ok: bool) -> &'static str {
    if ok {
        "<span class=\"pill ok\">✔ passed</span>"
    } else {
        "<span class=\"pill bad\">✘ failed</span>"
    }
}

fn faults(out: &mut String, journal: &Journal) {
    out.push_str("<section><h2>Faults</h2>");
    if journal.faults.is_empty() {
        out.push_str("<p class=\"muted\">No fault was injected.</p></section>\n");
        return;
    }
    out.push_str(
        "<table><thead><tr><th>Fault</th><th>Kind</th><th>Target</th><th>Applied</th>\
         <th>Healed</th><th>Lasted</th><th>Recovery</th></tr></thead><tbody>",
    );
    for (i, f) in journal.faults.iter().enumerate() {
        let (applied, healed) = lateness(journal, &f.fault);
        let _ = write!(
            out,
            "<tr><td><i class=\"sw k{}\"></i><b>{}</b></td><td>{}</td><td class=\"detail\">{}</td>\
             <td class=\"n\">{}{}</td>",
            i % FAULT_COLOURS,
            escape(&f.fault),
            escape(&f.kind),
            escape(&f.target),
            span(f.start_ms),
            lateness_note(applied)
        );
        match f.end_ms {
            Some(end) => {
                let _ = write!(
                    out,
                    "<td class=\"n\">{}{}</td><td class=\"n\">{}</td>",
                    span(end),
                    heal_note(journal, &f.fault, healed),
                    span(end - f.start_ms)
                );
            }
            None => out.push_str("<td class=\"bad\">not healed</td><td></td>"),
        }
        out.push_str("<td>");
        let mut any = false;
        for (canary, after) in recoveries(journal, &f.fault) {
            any = true;
            let _ = match after {
                Some(ms) => write!(
                    out,
                    "<div>{} <span class=\"n ok\">{}</span></div>",
                    escape(canary),
                    span(ms as f64)
                ),
                None => write!(
                    out,
                    "<div>{} <span class=\"bad\">never recovered</span></div>",
                    escape(canary)
                ),
            };
        }
        if !any {
            out.push_str("<span class=\"muted\">–</span>");
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table></section>\n");
}

/// Under a heal: why it came off schedule (an abort, Ctrl-C), else how late it was.
fn heal_note(journal: &Journal, fault: &str, late_ms: Option<f64>) -> String {
    match heal_cause(journal, fault) {
        Some(cause) => format!(
            "<span class=\"sub warn\">at teardown: {}</span>",
            escape(cause)
        ),
        None => lateness_note(late_ms),
    }
}

fn lateness_note(late_ms: Option<f64>) -> String {
    match late_ms {
        Some(ms) if ms > LATE_MS => format!(
            "<span class=\"sub warn\" title=\"more than {LATE_MS} ms late\">{} late</span>",
            late(ms)
        ),
        Some(ms) => format!("<span class=\"sub\">{} late</span>", late(ms)),
        None => String::new(),
    }
}

fn canaries(out: &mut String, journal: &Journal) {
    let names = canary_names(journal);
    if names.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section><h2>Canaries</h2><div class=\"legend\"><span><i class=\"lat\"></i>latency of \
         successful probes</span><span><i class=\"fail\"></i>failed probe</span><span><i \
         class=\"rate\"></i>success rate over the last {RATE_WINDOW} probes (right axis)</span>\
         <span><i class=\"win\"></i>fault window</span><span><i class=\"rec\"></i>recovered\
         </span></div>"
    );
    for name in names {
        let verdict = journal
            .verdicts()
            .find(|v| v.0 == name && v.1 == CheckKind::Canary)
            .map(|v| v.2);
        let _ = write!(
            out,
            "<h3>{} {}</h3>",
            escape(name),
            verdict.map(pill).unwrap_or("")
        );
        out.push_str(&canary_chart(journal, name));
        if let Some(stats) = journal.canaries.iter().find(|c| c.name == name) {
            canary_stats(out, stats, verdict);
        }
    }
    out.push_str("</section>\n");
}

fn canary_stats(out: &mut String, c: &CanaryStats, verdict: Option<bool>) {
    let rate_class = match (c.successes < c.probes, verdict) {
        (false, _) => "ok",
        (true, Some(false)) => "bad",
        (true, _) => "warn",
    };
    let figure = |p: Option<f64>| p.map(millis).unwrap_or_else(|| "–".into());
    let failures_class = if c.max_consecutive_failures > 0 {
        " class=\"bad\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<div class=\"stats\"><div><span>probes</span><b>{}</b></div>\
         <div><span>success rate</span><b class=\"{rate_class}\">{}</b></div>\
         <div><span>p50</span><b>{}</b></div><div><span>p95</span><b>{}</b></div>\
         <div><span>p99</span><b>{}</b></div>\
         <div><span>most failed in a row</span><b{failures_class}>{}</b></div></div>",
        c.probes,
        // No probe, no rate: a run that stopped before its first probe showed nothing.
        if c.probes == 0 {
            "–".into()
        } else {
            percent(c.success_rate)
        },
        figure(c.p50_ms),
        figure(c.p95_ms),
        figure(c.p99_ms),
        c.max_consecutive_failures
    );
    windows(out, c);
}

/// A canary's figures per window (each fault window, all of them, the steady rest), when
/// the run had faults: a small table under its chart.
fn windows(out: &mut String, c: &CanaryStats) {
    if c.windows.len() < 2 {
        return;
    }
    out.push_str(
        "<table class=\"windows\"><thead><tr><th>Window</th><th>Time</th><th>Probes</th>\
         <th>Success rate</th><th>p99</th><th>Causes of failure</th></tr></thead><tbody>",
    );
    for w in &c.windows {
        let time = match (w.start_ms, w.end_ms) {
            (Some(start), Some(end)) => format!("{} → {}", span(start), span(end)),
            (Some(start), None) => format!("{} →", span(start)),
            _ => String::new(),
        };
        let (class, rate) = match w.probes {
            0 => ("", "–".to_string()),
            _ if w.successes < w.probes => (" class=\"bad\"", percent(w.success_rate)),
            _ => ("", percent(w.success_rate)),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{time}</td><td>{}</td><td{class}>{rate}</td><td>{}</td><td>{}</td></tr>",
            escape(&w.label),
            w.probes,
            w.p99_ms.map(millis).unwrap_or_else(|| "–".into()),
            escape(&top_causes(&w.causes))
        );
    }
    out.push_str("</tbody></table>");
}

fn events(out: &mut String, journal: &Journal) {
    let _ = write!(
        out,
        "<section><details><summary>Event journal · {} events</summary><table class=\"journal\">\
         <thead><tr><th>t (s)</th><th>Event</th><th>Detail</th></tr></thead><tbody>",
        journal.events.len()
    );
    for e in &journal.events {
        let class = match e.what.tone() {
            Tone::Plain => "",
            Tone::Fault => " class=\"fault-event\"",
            Tone::Bad => " class=\"bad\"",
        };
        let _ = write!(
            out,
            "<tr{class}><td>{:.3}</td><td>{}</td><td>{}</td></tr>",
            e.at_ms / 1000.0,
            e.what.name(),
            escape(&e.what.to_string())
        );
    }
    out.push_str("</tbody></table></details></section>\n");
}
