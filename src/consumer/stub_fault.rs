//! Stub faults: what `shakedown mock --fault SPEC` does to the requests that match an
//! interaction (answer with a status, close without answering, or answer late), in the
//! words of a scenario's HTTP fault: `status=503`, `abort`, `delay=2s`, with optional
//! `interaction=REGEX`, `toxicity=0.5` and, last, `body=TEXT`.

use std::str::FromStr;
use std::time::Duration;

/// What the stub does to a request hit by a fault.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    /// Answer with this status and body instead of the interaction's response.
    Respond {
        /// The status.
        status: u16,
        /// The body.
        body: String,
    },
    /// Close the connection without answering.
    Abort,
    /// Answer with the interaction's response after this delay.
    Delay(Duration),
}

/// A fault on the requests that match an interaction of the stub's contracts.
///
/// ```
/// use shakedown::consumer::{FaultAction, StubFault};
/// let f: StubFault = "delay=1.5s,interaction=declined,toxicity=0.5".parse().unwrap();
/// assert_eq!(f.action, FaultAction::Delay(std::time::Duration::from_millis(1500)));
/// assert!(f.hits("a payment is declined") && !f.hits("a payment is approved"));
/// assert_eq!(f.toxicity, 0.5);
/// let e = "status=999".parse::<StubFault>().unwrap_err();
/// assert_eq!(e.to_string(), "status=999: expected an HTTP status from 100 to 599");
/// ```
#[derive(Debug, Clone)]
pub struct StubFault {
    /// Only interactions whose description matches (all when `None`).
    pub interaction: Option<regex::Regex>,
    /// Share of matching requests hit, 0–1.
    pub toxicity: f64,
    /// What happens to a request hit.
    pub action: FaultAction,
}

impl StubFault {
    /// Whether the fault applies to the interaction described so.
    pub fn hits(&self, description: &str) -> bool {
        self.interaction
            .as_ref()
            .is_none_or(|r| r.is_match(description))
    }
}

/// Why a fault SPEC could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{item}: {expected}")]
pub struct FaultSpecError {
    /// The part of the SPEC at fault.
    pub item: String,
    /// What was expected there.
    pub expected: String,
}

/// The shape of a SPEC, for errors about the whole of it.
const SHAPE: &str = "expected one of status=CODE, abort or delay=DURATION, then optionally \
                     interaction=REGEX, toxicity=0..1 and, last, body=TEXT (comma-separated)";

impl FromStr for StubFault {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let bad = |item: &str, expected: &str| FaultSpecError {
            item: item.to_string(),
            expected: expected.to_string(),
        };
        // `body=` takes the rest of the SPEC, commas included.
        let (items, body) = match spec.find("body=") {
            Some(at) if at == 0 || spec[..at].ends_with(',') => {
                (spec[..at].trim_end_matches(','), Some(&spec[at + 5..]))
            }
            _ => (spec, None),
        };
        let (mut action, mut interaction, mut toxicity) = (None, None, 1.0);
        for item in items.split(',').filter(|i| !i.is_empty()) {
            let (key, value) = item.split_once('=').unwrap_or((item, ""));
            let was = match (key.trim(), value.trim()) {
                ("abort", "") => action.replace(FaultAction::Abort),
                ("status", v) => action.replace(FaultAction::Respond {
                    status: status(v)
                        .ok_or_else(|| bad(item, "expected an HTTP status from 100 to 599"))?,
                    body: String::new(),
                }),
                ("delay", v) => action
                    .replace(FaultAction::Delay(duration(v).ok_or_else(|| {
                        bad(item, "expected a duration such as 250ms, 2s or 1m")
                    })?)),
                ("interaction", v) => {
                    let r = regex::Regex::new(v).map_err(|e| bad(item, &e.to_string()))?;
                    interaction = Some(r);
                    continue;
                }
                ("toxicity", v) => {
                    toxicity = v
                        .parse::<f64>()
                        .ok()
                        .filter(|t| (0.0..=1.0).contains(t))
                        .ok_or_else(|| bad(item, "expected a share between 0 and 1"))?;
                    continue;
                }
                _ => return Err(bad(item, SHAPE)),
            };
            if was.is_some() {
                return Err(bad(spec, "give only one of status, abort or delay"));
            }
        }
        let action = match (action, body) {
            (Some(FaultAction::Respond { status, .. }), Some(body)) => FaultAction::Respond {
                status,
                body: body.to_string(),
            },
            (Some(_), Some(_)) => return Err(bad(spec, "body= goes with status=")),
            (Some(action), None) => action,
            (None, _) => return Err(bad(spec, SHAPE)),
        };
        Ok(StubFault {
            interaction,
            toxicity,
            action,
        })
    }
}

fn status(v: &str) -> Option<u16> {
    v.parse::<u16>().ok().filter(|s| (100..=599).contains(s))
}

/// `250ms`, `2s`, `1.5s`, `1m` (at most a day).
fn duration(v: &str) -> Option<Duration> {
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (n, unit) = v.split_at(split);
    let n: f64 = n.parse().ok()?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return None,
    };
    (0.0..=86_400.0)
        .contains(&secs)
        .then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(spec: &str) -> Result<StubFault, String> {
        spec.parse::<StubFault>().map_err(|e| e.to_string())
    }

    #[test]
    fn reads_each_action_with_its_options() {
        let f = parse("status=503,interaction=^a payment,body={\"a\": 1, \"b\": 2}").unwrap();
        assert_eq!(
            f.action,
            FaultAction::Respond {
                status: 503,
                body: "{\"a\": 1, \"b\": 2}".into()
            }
        );
        assert!(f.hits("a payment is approved") && !f.hits("not a payment"));
        let f = parse("abort,toxicity=0.25").unwrap();
        assert_eq!((&f.action, f.toxicity), (&FaultAction::Abort, 0.25));
        assert!(f.hits("anything"));
        assert_eq!(
            parse("delay=250ms").unwrap().action,
            FaultAction::Delay(Duration::from_millis(250))
        );
    }

    #[test]
    fn names_what_it_expected_for_a_bad_spec() {
        for (spec, said) in [
            ("", ": expected one of status=CODE"),
            ("toxicity=0.5", "toxicity=0.5: expected one of status=CODE"),
            (
                "status=5xx",
                "status=5xx: expected an HTTP status from 100 to 599",
            ),
            ("delay=2", "delay=2: expected a duration such as 250ms"),
            (
                "delay=2s,abort",
                "delay=2s,abort: give only one of status, abort or delay",
            ),
            (
                "abort,toxicity=2",
                "toxicity=2: expected a share between 0 and 1",
            ),
            ("abort,body=x", "abort,body=x: body= goes with status="),
            ("abort,interaction=(", "interaction=(: regex parse error"),
            ("slow", "slow: expected one of status=CODE"),
        ] {
            let e = parse(spec).unwrap_err();
            assert!(e.starts_with(said), "{spec:?}: {e}");
        }
    }
}
