//! A planned fault in the scenario's own words, for `shakedown run --dry-run`: its kind as
//! written in TOML, the fields it was given, its target and its timing, e.g.
//! `latency 2s ± 100ms on link orders-payments from 5s for 3s`; a contract sweep, one line per
//! interaction: `contract-sweep on requests matching "a payment is approved", status 503 on
//! link orders-payments from 2s for 3s`.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::scenario::{contract_sweep, Aim, Planned};

/// Fields that name the kind or the target (said by the aim), left out.
const UNSAID: [&str; 4] = ["kind", "link", "service", "between"];

/// The fault as one line.
pub fn words(p: &Planned) -> String {
    let kind = p.spec.kind().name();
    let mut fields = match serde_json::to_value(&p.spec.effect) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut out = kind.to_string();
    if let Some(main) = fields.remove(kind) {
        out += &format!(" {}", said(&main));
    }
    if let (Some(jitter), "latency") = (fields.remove("jitter"), kind) {
        out += &format!(" ± {}", said(&jitter));
    } else if let (Some(latency), "jitter") = (fields.remove("latency"), kind) {
        out += &format!(" around {}", said(&latency));
    }
    if let Some(interaction) = contract_sweep::interaction(p) {
        // A sweep's slot: its interaction, not the contract's path or the slot length.
        fields.retain(|k, _| k != "contract" && k != "each");
        out += &format!(" on requests matching {interaction:?}");
    }
    let rest: Vec<String> = fields
        .iter()
        .filter(|(k, v)| shown(k, v))
        .map(|(k, v)| format!("{} {}", k.replace('_', " "), said(v)))
        .collect();
    if !rest.is_empty() {
        let sep = if out == kind { " " } else { ", " };
        out += &format!("{sep}{}", rest.join(", "));
    }
    format!("{out} {} {}", target_word(&p.aim), p.aim.label()) + &timing(p)
}

/// A field worth saying: not the target, and not left at its default (none, empty, false,
/// both directions).
fn shown(key: &str, value: &Value) -> bool {
    let default = value.is_null() || value == "" || value == false || value == "both";
    !UNSAID.contains(&key) && !default
}

/// A value as a scenario file spells it, without TOML's quotes.
fn said(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(said).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn target_word(aim: &Aim) -> &'static str {
    match aim {
        Aim::Link { .. } => "on link",
        Aim::Crash(_) | Aim::Pause(_) => "on service",
        Aim::Partition(_) => "between",
    }
}

fn timing(p: &Planned) -> String {
    let from = human(p.start);
    match p.end {
        Some(end) => format!(" from {from} for {}", human(end.saturating_sub(p.start))),
        None => format!(" from {from}, never healed"),
    }
}

fn human(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_planned(fault: &str) -> Planned {
        let text = format!(
            "name = \"x\"\n[services.a]\ncommand = [\"true\"]\n[services.b]\ncommand = [\"true\"]\n\
             [links.a-b]\nfrom = \"a\"\nto = \"b\"\n[[faults]]\n{fault}"
        );
        let s = crate::scenario::parse(&text, std::path::Path::new("x.toml")).unwrap();
        crate::scenario::plan(&s, 1).remove(0)
    }

    #[test]
    fn says_kind_parameters_target_and_timing_as_written() {
        let latency = "kind = \"latency\"\nlink = \"a-b\"\nlatency = \"2s\"\njitter = \"100ms\"\nstart = \"5s\"\nduration = \"3s\"";
        assert_eq!(
            words(&first_planned(latency)),
            "latency 2s ± 100ms on link a-b from 5s for 3s"
        );
        let http = "kind = \"http\"\nlink = \"a-b\"\nstatus = 503\nstart = \"1s\"";
        assert_eq!(
            words(&first_planned(http)),
            "http status 503 on link a-b from 1s for 5s"
        );
        let crash = "kind = \"crash\"\nservice = \"b\"\nstart = \"6s\"\nrestart_after = \"3s\"";
        let said = words(&first_planned(crash));
        assert!(
            said.starts_with("crash restart after 3s on service b from 6s"),
            "{said}"
        );
    }
}
