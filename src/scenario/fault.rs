//! Faults on the timeline: the plan (seeded choice of targets, start and heal times) and
//! applying and healing each fault on the running system.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};

use crate::chaos::{HttpAction, HttpFault, Stream, Toxic, ToxicKind};

use super::model::{Direction, Fault, FaultKind, Scenario, Target};
use super::system::System;

/// How long a fault without `duration` lasts.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(5);

/// What a planned fault hits.
#[derive(Debug, Clone, PartialEq)]
pub enum Aim {
    /// A link (its proxy).
    Link(String),
    /// A service.
    Service(String),
    /// Two groups of services, and the links from the first to the second (and back).
    Partition {
        /// First group.
        a: Vec<String>,
        /// Second group.
        b: Vec<String>,
        /// Only a → b.
        one_way: bool,
        /// The links cut.
        links: Vec<String>,
    },
}

impl Aim {
    /// How reports name the target.
    pub fn label(&self) -> String {
        match self {
            Aim::Link(l) | Aim::Service(l) => l.clone(),
            Aim::Partition { a, b, one_way, .. } => {
                let arrow = if *one_way { "->" } else { "<->" };
                format!("{} {arrow} {}", a.join(","), b.join(","))
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
    /// What it hits.
    pub aim: Aim,
    /// When it starts, from the end of the warm-up.
    pub start: Duration,
    /// When it heals, from the end of the warm-up (`None`: a crash that is never restarted).
    pub end: Option<Duration>,
}

/// The faults of a scenario, targets chosen with `seed`, in start order.
pub fn plan(scenario: &Scenario, seed: u64) -> Vec<Planned> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut planned: Vec<Planned> = scenario
        .faults
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let kind = f.kind.name();
            let id = f
                .name
                .clone()
                .unwrap_or_else(|| format!("{kind}-{}", i + 1));
            let start: Duration = f.start.into();
            let length = f
                .restart_after
                .or(f.duration)
                .map_or(DEFAULT_DURATION, Into::into);
            let end = (!(f.kind == FaultKind::Crash && f.no_restart)).then_some(start + length);
            Planned {
                id,
                spec: f.clone(),
                aim: aim(scenario, f, &mut rng),
                start,
                end,
            }
        })
        .collect();
    planned.sort_by_key(|p| p.start);
    planned
}

fn pick(target: Option<&Target>, rng: &mut StdRng) -> String {
    let names = target.map(Target::names).unwrap_or_default();
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => names[rng.random_range(0..n)].clone(),
    }
}

fn aim(scenario: &Scenario, f: &Fault, rng: &mut StdRng) -> Aim {
    match f.kind {
        FaultKind::Crash | FaultKind::Pause => Aim::Service(pick(f.service.as_ref(), rng)),
        FaultKind::Partition => {
            let groups = f.between.clone().unwrap_or_default();
            let a = groups.first().cloned().unwrap_or_default();
            let b = groups.get(1).cloned().unwrap_or_default();
            let crosses = |from: &str, to: &str| {
                (a.iter().any(|x| x == from) && b.iter().any(|x| x == to))
                    || (!f.one_way && b.iter().any(|x| x == from) && a.iter().any(|x| x == to))
            };
            let links = scenario
                .links
                .iter()
                .filter(|(_, l)| crosses(&l.from, &l.to))
                .map(|(n, _)| n.clone())
                .collect();
            Aim::Partition {
                a,
                b,
                one_way: f.one_way,
                links,
            }
        }
        _ => Aim::Link(pick(f.link.as_ref(), rng)),
    }
}

/// Why a fault could not be applied or healed.
pub type FaultError = String;

/// Applies a planned fault.
pub async fn apply(system: &mut System, p: &Planned) -> Result<(), FaultError> {
    match &p.aim {
        Aim::Link(link) => {
            let proxy = link_proxy(system, link)?;
            for toxic in toxics(p)? {
                proxy.add_toxic(toxic).map_err(|e| e.to_string())?;
            }
            Ok(())
        }
        Aim::Service(s) if p.spec.kind == FaultKind::Crash => {
            system.crash(s).await.map_err(|e| e.to_string())
        }
        Aim::Service(s) => system.backend().pause(s).await.map_err(|e| e.to_string()),
        Aim::Partition {
            a,
            b,
            one_way,
            links,
        } => {
            for l in links {
                if let Some(proxy) = system.proxy(l) {
                    proxy.disable();
                }
            }
            system
                .backend()
                .partition(a, b, *one_way)
                .await
                .map_err(|e| e.to_string())
        }
    }
}

/// Heals an applied fault. A crashed service is started again but not waited for: the
/// caller waits for its readiness ([`System::await_ready`]).
pub async fn heal(system: &mut System, p: &Planned) -> Result<(), FaultError> {
    match &p.aim {
        Aim::Link(link) => {
            let proxy = link_proxy(system, link)?;
            for toxic in toxics(p)? {
                let _ = proxy.remove_toxic(&toxic.name);
            }
            Ok(())
        }
        Aim::Service(s) if p.spec.kind == FaultKind::Crash => {
            system.restart(s).await.map_err(|e| e.to_string())
        }
        Aim::Service(s) => system.backend().resume(s).await.map_err(|e| e.to_string()),
        Aim::Partition {
            a,
            b,
            one_way,
            links,
        } => {
            let healed = system
                .backend()
                .heal_partition(a, b, *one_way)
                .await
                .map_err(|e| e.to_string());
            for l in links {
                if let Some(proxy) = system.proxy(l) {
                    proxy.enable().map_err(|e| e.to_string())?;
                }
            }
            healed
        }
    }
}

fn link_proxy<'s>(system: &'s System, link: &str) -> Result<&'s crate::chaos::Proxy, FaultError> {
    system
        .proxy(link)
        .ok_or_else(|| format!("no link {link:?}"))
}

/// The toxics a link fault puts on its proxy, one per direction.
fn toxics(p: &Planned) -> Result<Vec<Toxic>, FaultError> {
    let f = &p.spec;
    let ms = |d: Option<super::Dur>| d.map_or(Duration::ZERO, Into::into);
    let kind = match f.kind {
        FaultKind::Latency | FaultKind::Jitter => ToxicKind::Latency {
            latency: ms(f.latency),
            jitter: ms(f.jitter),
        },
        FaultKind::Bandwidth => ToxicKind::Bandwidth {
            rate: f.rate.unwrap_or(0),
        },
        FaultKind::Reset => ToxicKind::ResetPeer {
            timeout: Duration::ZERO,
        },
        FaultKind::Timeout => ToxicKind::Timeout {
            timeout: Duration::ZERO,
        },
        FaultKind::Http => ToxicKind::Http(http_fault(f)?),
        _ => return Err(format!("{} is not a link fault", f.kind.name())),
    };
    let streams: &[(Stream, &str)] = match (f.kind, f.direction) {
        (FaultKind::Http, _) | (_, Direction::Downstream) => &[(Stream::Downstream, "down")],
        (_, Direction::Upstream) => &[(Stream::Upstream, "up")],
        (_, Direction::Both) => &[(Stream::Upstream, "up"), (Stream::Downstream, "down")],
    };
    Ok(streams
        .iter()
        .map(|(stream, suffix)| {
            let mut t = Toxic::new(&format!("{}-{suffix}", p.id), *stream, kind.clone());
            t.toxicity = f.toxicity.unwrap_or(1.0);
            t
        })
        .collect())
}

fn http_fault(f: &Fault) -> Result<HttpFault, FaultError> {
    let path = f
        .path
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .map_err(|e| e.to_string())?;
    let action = match (f.status, f.abort, f.delay) {
        (Some(status), _, _) => HttpAction::Respond {
            status,
            body: f.body.clone().unwrap_or_default(),
        },
        (None, true, _) => HttpAction::Abort,
        (None, false, Some(d)) => HttpAction::Delay(d.into()),
        _ => return Err("an http fault needs status, abort or delay".into()),
    };
    Ok(HttpFault {
        method: f.method.clone(),
        path,
        action,
    })
}
