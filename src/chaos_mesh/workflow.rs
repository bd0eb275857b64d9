//! The Workflow: its templates, built as a tree whose Serial and Parallel nodes reproduce
//! the fault timeline (Suspend templates for the waits, one parallel lane per set of faults
//! that overlap).

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{json, Value};

use super::check::StatusCheck;
use super::document::dns_name;
use super::duration::go;
use super::fault::Chaos;

/// A fault placed on the timeline, as chaos.
#[derive(Debug, Clone)]
pub struct Timed {
    /// The fault's id (`latency-1`, or its name).
    pub id: String,
    /// From the end of the warm-up.
    pub start: Duration,
    /// How long it lasts.
    pub duration: Duration,
    /// Its chaos (several for a partition between groups).
    pub chaos: Vec<Chaos>,
}

/// The templates of a Workflow, named uniquely.
#[derive(Debug, Default)]
pub struct Templates {
    list: Vec<Value>,
    names: HashSet<String>,
}

impl Templates {
    /// A unique Kubernetes name made from `wanted`.
    fn name(&mut self, wanted: &str) -> String {
        let base = dns_name(wanted);
        let mut name = base.clone();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        name
    }

    fn add(&mut self, wanted: &str, mut template: Value) -> String {
        let name = self.name(wanted);
        template["name"] = json!(name);
        self.list.push(template);
        name
    }

    /// A Suspend template: wait `d`.
    pub fn suspend(&mut self, wanted: &str, d: Duration) -> String {
        self.add(
            wanted,
            json!({ "templateType": "Suspend", "deadline": go(d) }),
        )
    }

    /// A Serial (`parallel` false) or Parallel node over `children`; a single child is
    /// returned as it is.
    pub fn group(&mut self, wanted: &str, parallel: bool, children: Vec<String>) -> String {
        if children.len() == 1 {
            return children.into_iter().next().unwrap_or_default();
        }
        let kind = if parallel { "Parallel" } else { "Serial" };
        self.add(
            wanted,
            json!({ "templateType": kind, "children": children }),
        )
    }

    /// One chaos template lasting `d`.
    pub fn chaos(&mut self, wanted: &str, chaos: &Chaos, d: Duration) -> String {
        let kind = chaos.kind;
        self.add(
            wanted,
            json!({ "templateType": kind.name(), "deadline": go(d), kind.field(): chaos.spec }),
        )
    }

    /// A StatusCheck template that aborts the workflow when it fails.
    pub fn status_check(&mut self, check: &StatusCheck) -> String {
        self.add(
            &check.name,
            json!({
                "templateType": "StatusCheck",
                "deadline": go(check.deadline),
                "abortWithStatusCheck": true,
                "statusCheck": check.spec,
            }),
        )
    }

    /// The faults as lanes: each lane a Serial of waits and faults that do not overlap, the
    /// lanes in Parallel. `None` without faults.
    pub fn timeline(&mut self, faults: &[Timed]) -> Option<String> {
        let mut lanes: Vec<(Duration, Vec<&Timed>)> = Vec::new();
        for t in faults {
            match lanes.iter_mut().find(|(end, _)| *end <= t.start) {
                Some((end, lane)) => {
                    *end = t.start + t.duration;
                    lane.push(t);
                }
                None => lanes.push((t.start + t.duration, vec![t])),
            }
        }
        let lanes: Vec<String> = lanes
            .into_iter()
            .enumerate()
            .map(|(i, (_, lane))| self.lane(i + 1, &lane))
            .collect();
        (!lanes.is_empty()).then(|| self.group("faults", true, lanes))
    }

    fn lane(&mut self, n: usize, lane: &[&Timed]) -> String {
        let mut children = Vec::new();
        let mut cursor = Duration::ZERO;
        for t in lane {
            if t.start > cursor {
                children.push(self.suspend(&format!("wait-{}", t.id), t.start - cursor));
            }
            let chaos: Vec<String> = t
                .chaos
                .iter()
                .map(|c| self.chaos(&t.id, c, t.duration))
                .collect();
            children.push(self.group(&format!("{}-all", t.id), true, chaos));
            cursor = t.start + t.duration;
        }
        self.group(&format!("lane-{n}"), false, children)
    }

    /// The templates, in the order they were made.
    pub fn into_list(self) -> Vec<Value> {
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::super::fault::Kind;
    use super::*;

    fn timed(id: &str, start: u64, duration: u64) -> Timed {
        Timed {
            id: id.into(),
            start: Duration::from_secs(start),
            duration: Duration::from_secs(duration),
            chaos: vec![Chaos {
                kind: Kind::Pod,
                spec: json!({}),
            }],
        }
    }

    #[test]
    fn overlapping_faults_get_parallel_lanes_and_gaps_get_suspends() {
        let mut t = Templates::default();
        let entry = t.timeline(&[timed("a", 1, 4), timed("b", 2, 2), timed("c", 6, 1)]);
        let list = t.into_list();
        let shape: Vec<String> = list
            .iter()
            .map(|v| {
                let kids = v["children"]
                    .as_array()
                    .map(|c| format!("{c:?}"))
                    .unwrap_or_default();
                format!(
                    "{} {} {} {kids}",
                    v["name"], v["templateType"], v["deadline"]
                )
            })
            .collect();
        assert_eq!(entry.as_deref(), Some("faults"));
        assert_eq!(
            shape,
            [
                r#""wait-a" "Suspend" "1s" "#,
                r#""a" "PodChaos" "4s" "#,
                r#""wait-c" "Suspend" "1s" "#,
                r#""c" "PodChaos" "1s" "#,
                r#""lane-1" "Serial" null [String("wait-a"), String("a"), String("wait-c"), String("c")]"#,
                r#""wait-b" "Suspend" "2s" "#,
                r#""b" "PodChaos" "2s" "#,
                r#""lane-2" "Serial" null [String("wait-b"), String("b")]"#,
                r#""faults" "Parallel" null [String("lane-1"), String("lane-2")]"#,
            ]
        );
    }
}
