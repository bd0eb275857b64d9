//! Faults on the timeline: the plan (seeded choice of targets, start and heal times) and
//! applying and healing each fault through the [`System`]'s fault verbs.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};

use crate::chaos::{self, Stream, Toxic, ToxicKind};

use super::model::{Direction, Effect, Fault, HttpFault, PartitionFault, Scenario, Target};
use super::system::{Cut, FaultError, System};

/// What a planned fault does, its target chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Aim {
    /// Toxics on a link's proxy.
    Link {
        /// The link.
        link: String,
        /// One toxic per direction hit.
        toxics: Vec<Toxic>,
    },
    /// A service killed, and restarted when the fault heals (unless `no_restart`).
    Crash(String),
    /// A service frozen, and thawed when the fault heals.
    Pause(String),
    /// Two groups of services cut apart.
    Partition(Cut),
}

impl Aim {
    /// How reports name the target.
    pub fn label(&self) -> String {
        match self {
            Aim::Link { link: name, .. } | Aim::Crash(name) | Aim::Pause(name) => name.clone(),
            Aim::Partition(cut) => {
                let arrow = if cut.one_way { "->" } else { "<->" };
                format!("{} {arrow} {}", cut.a.join(","), cut.b.join(","))
            }
        }
    }
}

/// A fault with its target chosen and its times fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// `KIND-N` or the fault's name.
    pub id: String,
    /// The fault as written.
    pub spec: Fault,
    /// What it does.
    pub aim: Aim,
    /// When it starts, from the end of the warm-up.
    pub start: Duration,
    /// When it heals, from the end of the warm-up (`None`: a crash that is never restarted).
    pub end: Option<Duration>,
}

/// The faults of a scenario, targets chosen with `seed`, in start order; a contract sweep is
/// one planned fault per interaction ([`contract_sweep::slots`](super::contract_sweep::slots)).
pub fn plan(scenario: &Scenario, seed: u64) -> Vec<Planned> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut planned: Vec<Planned> = scenario
        .faults
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            let id = f
                .name
                .clone()
                .unwrap_or_else(|| format!("{}-{}", f.kind().name(), i + 1));
            if let Effect::ContractSweep(sweep) = &f.effect {
                return super::contract_sweep::slots(f, sweep, &id);
            }
            let start: Duration = f.start.into();
            vec![Planned {
                aim: aim(scenario, f, &id, &mut rng),
                id,
                spec: f.clone(),
                start,
                end: end(f, start),
            }]
        })
        .collect();
    planned.sort_by_key(|p| p.start);
    planned
}

/// When a fault heals: after `duration` (a crash: `restart_after`, or never).
fn end(f: &Fault, start: Duration) -> Option<Duration> {
    match &f.effect {
        Effect::Crash(c) if c.no_restart => None,
        Effect::Crash(c) => Some(start + Duration::from(c.restart_after.unwrap_or(f.duration))),
        _ => Some(start + Duration::from(f.duration)),
    }
}

fn pick(target: &Target, rng: &mut StdRng) -> String {
    let names = target.names();
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => names[rng.random_range(0..n)].clone(),
    }
}

fn aim(scenario: &Scenario, f: &Fault, id: &str, rng: &mut StdRng) -> Aim {
    let no_wait = Duration::ZERO;
    let (link, kind, direction, toxicity) = match &f.effect {
        Effect::Crash(c) => return Aim::Crash(pick(&c.service, rng)),
        Effect::Pause(p) => return Aim::Pause(pick(&p.service, rng)),
        Effect::Partition(p) => return partition(scenario, p),
        // Planned slot by slot in `plan`: as one fault it hits nothing.
        Effect::ContractSweep(c) => {
            return Aim::Link {
                link: c.link.clone(),
                toxics: Vec::new(),
            }
        }
        Effect::Latency(l) => (
            &l.link,
            delay(l.latency.into(), l.jitter),
            l.direction,
            l.toxicity,
        ),
        Effect::Jitter(j) => {
            let latency = j.latency.map_or(Duration::ZERO, Into::into);
            (
                &j.link,
                delay(latency, Some(j.jitter)),
                j.direction,
                j.toxicity,
            )
        }
        Effect::Bandwidth(b) => {
            let rate = ToxicKind::Bandwidth { rate: b.rate };
            (&b.link, rate, b.direction, b.toxicity)
        }
        Effect::Reset(r) => {
            let reset = ToxicKind::ResetPeer { timeout: no_wait };
            (&r.link, reset, r.direction, r.toxicity)
        }
        Effect::Timeout(t) => {
            let hole = ToxicKind::Timeout { timeout: no_wait };
            (&t.link, hole, t.direction, t.toxicity)
        }
        // An HTTP toxic reads requests and answers them: it sits on the downstream.
        Effect::Http(h) => (&h.link, http_toxic(h), Direction::Downstream, h.toxicity),
    };
    let streams: &[(Stream, &str)] = match direction {
        Direction::Downstream => &[(Stream::Downstream, "down")],
        Direction::Upstream => &[(Stream::Upstream, "up")],
        Direction::Both => &[(Stream::Upstream, "up"), (Stream::Downstream, "down")],
    };
    let toxics = streams
        .iter()
        .map(|(stream, suffix)| {
            let mut t = Toxic::new(&format!("{id}-{suffix}"), *stream, kind.clone());
            t.toxicity = toxicity.unwrap_or(1.0);
            t
        })
        .collect();
    Aim::Link {
        link: pick(link, rng),
        toxics,
    }
}

fn delay(latency: Duration, jitter: Option<super::Dur>) -> ToxicKind {
    ToxicKind::Latency {
        latency,
        jitter: jitter.map_or(Duration::ZERO, Into::into),
    }
}

fn http_toxic(h: &HttpFault) -> ToxicKind {
    ToxicKind::Http(chaos::HttpFault {
        method: h.method.clone(),
        path: h.path.as_ref().map(|p| p.regex().clone()),
        matcher: None,
        action: h.action.clone(),
    })
}

/// The two groups and the links that cross between them (one way, or both).
fn partition(scenario: &Scenario, p: &PartitionFault) -> Aim {
    let [a, b] = p.between.clone();
    let crosses = |from: &str, to: &str| {
        (a.iter().any(|x| x == from) && b.iter().any(|x| x == to))
            || (!p.one_way && b.iter().any(|x| x == from) && a.iter().any(|x| x == to))
    };
    let links = scenario
        .links
        .iter()
        .filter(|(_, l)| crosses(&l.from, &l.to))
        .map(|(n, _)| n.clone())
        .collect();
    Aim::Partition(Cut {
        a,
        b,
        one_way: p.one_way,
        links,
    })
}

/// Applies a planned fault.
pub async fn apply(system: &mut System, p: &Planned) -> Result<(), FaultError> {
    match &p.aim {
        Aim::Link { link, toxics } => system.add_toxics(link, toxics),
        Aim::Crash(s) => system.crash(s).await,
        Aim::Pause(s) => system.pause(s).await,
        Aim::Partition(cut) => system.partition(cut).await,
    }
}

/// Heals an applied fault. A crashed service is started again but not waited for: the
/// caller waits for its readiness ([`System::await_ready`]).
pub async fn heal(system: &mut System, p: &Planned) -> Result<(), FaultError> {
    match &p.aim {
        Aim::Link { link, toxics } => system.remove_toxics(link, toxics),
        Aim::Crash(s) => system.restart(s).await,
        Aim::Pause(s) => system.resume(s).await,
        Aim::Partition(cut) => system.heal_partition(cut).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(faults: &str) -> Vec<Planned> {
        let text = format!(
            "name = \"x\"\n[services.a]\ncommand = [\"true\"]\n[services.b]\ncommand = [\"true\"]\n\
             [links.ab]\nfrom = \"a\"\nto = \"b\"\n{faults}"
        );
        let scenario = crate::scenario::parse(&text, "s.toml".as_ref()).unwrap();
        plan(&scenario, 7)
    }

    #[test]
    fn a_fault_lasts_five_seconds_unless_told_and_a_crash_restarts_when_told() {
        let p = planned(
            "[[faults]]\nkind = \"pause\"\nservice = \"a\"\nstart = \"1s\"\n\
             [[faults]]\nkind = \"crash\"\nservice = \"a\"\nstart = \"2s\"\nrestart_after = \"1s\"\n\
             [[faults]]\nkind = \"crash\"\nservice = \"b\"\nstart = \"3s\"\nno_restart = true\n",
        );
        let ends: Vec<_> = p.iter().map(|p| p.end).collect();
        let s = Duration::from_secs;
        assert_eq!(ends, [Some(s(6)), Some(s(3)), None]);
        assert_eq!(p[0].aim, Aim::Pause("a".into()));
        assert_eq!(p[2].aim, Aim::Crash("b".into()));
    }

    #[test]
    fn link_faults_put_a_toxic_on_each_direction_hit() {
        let p = planned(
            "[[faults]]\nkind = \"latency\"\nlink = \"ab\"\nlatency = \"1s\"\nstart = \"1s\"\n\
             [[faults]]\nkind = \"http\"\nlink = \"ab\"\nabort = true\nstart = \"2s\"\n",
        );
        let toxics = |p: &Planned| match &p.aim {
            Aim::Link { link, toxics } if link == "ab" => toxics
                .iter()
                .map(|t| (t.name.clone(), t.stream))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let named = |n: &str, s| (n.to_string(), s);
        assert_eq!(
            toxics(&p[0]),
            [
                named("latency-1-up", Stream::Upstream),
                named("latency-1-down", Stream::Downstream)
            ]
        );
        assert_eq!(toxics(&p[1]), [named("http-2-down", Stream::Downstream)]);
    }
}
