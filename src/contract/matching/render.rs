//! Rendering mismatches for people: one block per mismatch with location, rule, expected and
//! received values, coloured when writing to a terminal.

use owo_colors::OwoColorize;
use serde_json::Value;

use super::mismatch::Mismatch;
use crate::paint::paint;

/// Renders mismatches as an indented, optionally coloured report.
///
/// ```
/// use shakedown::contract::{render_mismatches, Mismatch, MismatchKind};
/// let m = Mismatch::new(MismatchKind::Body, "$.body.price", "expected a number but found string \"12\"")
///     .expected(12).actual("12").rule("number");
/// let text = render_mismatches(&[m], false);
/// assert!(text.contains("$.body.price"));
/// assert!(text.contains("expected: 12"));
/// assert!(text.contains("received: \"12\""));
/// ```
pub fn render_mismatches(mismatches: &[Mismatch], color: bool) -> String {
    let mut out = String::new();
    for m in mismatches {
        render_one(&mut out, m, color);
    }
    out
}

fn render_one(out: &mut String, m: &Mismatch, color: bool) {
    let cross = paint("✗", color, |s| s.red().bold().to_string());
    let location = paint(&m.location, color, |s| s.bold().to_string());
    out.push_str(&format!("  {cross} {location}"));
    if let Some(rule) = &m.rule {
        out.push_str(&paint(&format!("  (rule: {rule})"), color, |s| {
            s.dimmed().to_string()
        }));
    }
    out.push('\n');
    out.push_str(&format!("      {}\n", m.message));
    let show = |v: &Option<Value>| {
        v.as_ref()
            .map(compact)
            .unwrap_or_else(|| "(missing)".to_string())
    };
    if m.expected.is_some() || m.actual.is_some() {
        let e = paint(&show(&m.expected), color, |s| s.green().to_string());
        let a = paint(&show(&m.actual), color, |s| s.red().to_string());
        out.push_str(&format!("      expected: {e}\n      received: {a}\n"));
    }
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(119).collect::<String>())
    } else {
        s
    }
}
