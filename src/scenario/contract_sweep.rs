//! Contract sweeps: a `contract-sweep` fault reads the contract between its link's two
//! services when the scenario loads, becomes one fault window per HTTP interaction on the
//! timeline (the HTTP fault on exactly the requests matching it), and after the run each
//! window says whether every canary held while its interaction failed.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::chaos::{self, RequestMatch, Stream, Toxic, ToxicKind};
use crate::contract::{match_request, Body, Headers, HttpRequest, InteractionKind, Pact, Query};
use crate::report::{CanaryStats, Event, FaultWindow};

use super::fault::{Aim, Planned};
use super::model::{Canary, ContractSweepFault, Effect, Fault, Scenario};
use super::validate::{KeyPath, Seg};
use super::{sources, verdict};

/// The window kind of a sweep's slots in reports.
pub const KIND: &str = "contract-sweep";

/// One interaction of a swept contract: the requests its slot hits are those that match its
/// request (Pact request matching, body included).
#[derive(Debug, Clone, PartialEq)]
pub struct SweptInteraction {
    /// The interaction's description.
    pub description: String,
    /// Its request, matching rules included.
    pub request: HttpRequest,
}

impl RequestMatch for SweptInteraction {
    fn describe(&self) -> &str {
        &self.description
    }

    fn matches(&self, head: &hyper::http::request::Parts, body: &[u8]) -> bool {
        match_request(&self.request, &as_contract(head, body)).is_empty()
    }
}

/// A request as the contract model sees it: the path percent-decoded, query and headers
/// gathered by name (values that are not UTF-8 read lossily).
fn as_contract(head: &hyper::http::request::Parts, body: &[u8]) -> HttpRequest {
    let mut headers = Headers::new();
    for (name, value) in &head.headers {
        headers
            .entry(name.as_str().to_string())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    let mut query = Query::new();
    for (k, v) in form_urlencoded::parse(head.uri.query().unwrap_or("").as_bytes()) {
        query
            .entry(k.into_owned())
            .or_default()
            .push(v.into_owned());
    }
    let content_type = crate::contract::content_type(&headers);
    HttpRequest {
        method: head.method.as_str().to_string(),
        path: crate::contract::percent_decode(head.uri.path()),
        query,
        headers,
        body: Body::from_bytes(body.to_vec(), content_type),
        ..Default::default()
    }
}

/// Reads each sweep's contract (its own `contract`, else `<root>/contracts/<from>-<to>.json`)
/// into its `interactions`. A missing or unreadable file, a contract between other services
/// than the link's, or one without HTTP interactions is a problem.
pub fn read_contracts(scenario: &mut Scenario, root: &Path) -> Vec<(KeyPath, String)> {
    let links = scenario.links.clone();
    let mut problems = Vec::new();
    for (i, fault) in scenario.faults.iter_mut().enumerate() {
        let Effect::ContractSweep(sweep) = &mut fault.effect else {
            continue;
        };
        let Some(link) = links.get(&sweep.link) else {
            continue; // an unknown link is the validator's problem
        };
        let field = if sweep.contract.is_some() {
            "contract"
        } else {
            "link"
        };
        let at = vec![
            Seg::Key("faults".into()),
            Seg::Index(i),
            Seg::Key(field.into()),
        ];
        let written = sweep
            .contract
            .clone()
            .unwrap_or_else(|| format!("contracts/{}-{}.json", link.from, link.to).into());
        let file = sources::absolute(&root.join(&written));
        match interactions(&file, &link.from, &link.to) {
            Ok(found) => sweep.interactions = found,
            Err(why) => problems.push((at, format!("contract {}: {why}", written.display()))),
        }
        sweep.contract = Some(file);
    }
    problems
}

/// The HTTP interactions of the contract at `file`, which must be `consumer`'s of `provider`.
fn interactions(
    file: &Path,
    consumer: &str,
    provider: &str,
) -> Result<Vec<SweptInteraction>, String> {
    if !file.is_file() {
        return Err(format!("not found (looked for {})", file.display()));
    }
    let pact = Pact::from_file(file).map_err(|e| e.to_string())?;
    if (pact.consumer.as_str(), pact.provider.as_str()) != (consumer, provider) {
        return Err(format!(
            "is {}'s contract with {}, but the link goes from {consumer} to {provider}",
            pact.consumer, pact.provider
        ));
    }
    let found: Vec<SweptInteraction> = pact
        .interactions
        .into_iter()
        .filter_map(|i| match i.kind {
            InteractionKind::Http { request, .. } => Some(SweptInteraction {
                description: i.description,
                request,
            }),
            _ => None,
        })
        .collect();
    if found.is_empty() {
        return Err("has no HTTP interaction to sweep".into());
    }
    Ok(found)
}

/// The sweep's slots, one per interaction, `each` long, back to back from `start`: each an
/// HTTP toxic on the link's downstream that hits only the requests matching it.
pub fn slots(fault: &Fault, sweep: &ContractSweepFault, id: &str) -> Vec<Planned> {
    let start: Duration = fault.start.into();
    let each: Duration = sweep.each.into();
    (0u32..)
        .zip(&sweep.interactions)
        .map(|(k, interaction)| {
            let mut toxic = Toxic::new(
                &format!("{id}-{}-down", k + 1),
                Stream::Downstream,
                ToxicKind::Http(chaos::HttpFault {
                    method: None,
                    path: None,
                    matcher: Some(Arc::new(interaction.clone())),
                    action: sweep.action.clone(),
                }),
            );
            toxic.toxicity = sweep.toxicity.unwrap_or(1.0);
            Planned {
                id: format!("{id}: {}", interaction.description),
                spec: fault.clone(),
                aim: Aim::Link {
                    link: sweep.link.clone(),
                    toxics: vec![toxic],
                },
                start: start + each * k,
                end: Some(start + each * (k + 1)),
            }
        })
        .collect()
}

/// The interaction a slot's toxics hit, for words about it.
pub fn interaction(p: &Planned) -> Option<&str> {
    let Aim::Link { toxics, .. } = &p.aim else {
        return None;
    };
    toxics.iter().find_map(|t| match &t.kind {
        ToxicKind::Http(f) => f.matcher.as_ref().map(|m| m.describe()),
        _ => None,
    })
}

/// One verdict per sweep slot, in start order: `(slot, held, detail)`. A slot held when every
/// canary met its expectation over the probes scheduled inside it.
pub fn verdicts(
    canaries: &[Canary],
    events: &[Event],
    windows: &[FaultWindow],
) -> Vec<(String, bool, String)> {
    let stats: Vec<(&Canary, CanaryStats)> = canaries
        .iter()
        .map(|c| (c, verdict::stats(events, &c.name, windows)))
        .collect();
    let mut slots: Vec<&FaultWindow> = windows.iter().filter(|w| w.kind == KIND).collect();
    slots.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    slots
        .into_iter()
        .map(|w| {
            let judged: Vec<(bool, String)> = stats
                .iter()
                .map(|(c, s)| {
                    let slot = s.windows.iter().find(|x| x.label == w.fault);
                    let (ok, detail) = verdict::judge_window(c, slot);
                    let word = if ok { "held" } else { "did not hold" };
                    (ok, format!("{} {word}: {detail}", c.name))
                })
                .collect();
            let held = judged.iter().all(|(ok, _)| *ok);
            let detail = judged
                .into_iter()
                .map(|(_, d)| d)
                .collect::<Vec<_>>()
                .join("; ");
            (w.fault.clone(), held, detail)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::EventKind;

    const SYSTEM: &str = "name = \"x\"\n[services.orders]\ncommand = [\"true\"]\n\
        [services.payments]\ncommand = [\"true\"]\n\
        [links.orders-payments]\nfrom = \"orders\"\nto = \"payments\"\n";

    fn parse(fault: &str) -> Result<Scenario, Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("contracts")).unwrap();
        std::fs::copy(
            "contracts/orders-payments.json",
            dir.path().join("contracts/orders-payments.json"),
        )
        .unwrap();
        std::fs::copy(
            "contracts/web-orders.json",
            dir.path().join("contracts/web-orders.json"),
        )
        .unwrap();
        let text = format!("{SYSTEM}[[faults]]\nkind = \"contract-sweep\"\n{fault}");
        crate::scenario::parse(&text, &dir.path().join("s.toml"))
            .map_err(|p| p.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_sweep_is_one_slot_per_interaction_back_to_back() {
        let s = parse("link = \"orders-payments\"\nstatus = 503\neach = \"2s\"\nstart = \"1s\"\n")
            .unwrap();
        let plan = super::super::fault::plan(&s, 1);
        let slots: Vec<_> = plan
            .iter()
            .map(|p| (p.id.as_str(), p.start.as_secs(), p.end.map(|e| e.as_secs())))
            .collect();
        assert_eq!(
            slots,
            [
                ("contract-sweep-1: a payment is approved", 1, Some(3)),
                (
                    "contract-sweep-1: a payment of nothing is declined",
                    3,
                    Some(5)
                ),
            ]
        );
        assert_eq!(
            interaction(&plan[1]),
            Some("a payment of nothing is declined")
        );
    }

    #[test]
    fn an_interaction_matches_the_requests_its_contract_request_matches() {
        let s = parse("link = \"orders-payments\"\nstatus = 503\nstart = \"1s\"\n").unwrap();
        let Effect::ContractSweep(sweep) = &s.faults[0].effect else {
            panic!("a sweep")
        };
        let [approved, declined] = &sweep.interactions[..] else {
            panic!("two interactions: {:?}", sweep.interactions)
        };
        let post = |body: &str| {
            let request = hyper::Request::post("/payments")
                .header("content-type", "application/json")
                .body(())
                .unwrap();
            (request.into_parts().0, body.as_bytes().to_vec())
        };
        let (head, paid) = post(r#"{"orderId": 3, "amount": 61.75}"#);
        assert!(approved.matches(&head, &paid) && !declined.matches(&head, &paid));
        let (head, nothing) = post(r#"{"orderId": 3, "amount": 0.0}"#);
        assert!(declined.matches(&head, &nothing) && !approved.matches(&head, &nothing));
        let get = hyper::Request::get("/payments")
            .body(())
            .unwrap()
            .into_parts()
            .0;
        assert!(!approved.matches(&get, b"") && !declined.matches(&get, b""));
    }

    #[test]
    fn a_contract_between_other_services_is_a_located_problem() {
        let problems =
            parse("link = \"orders-payments\"\ncontract = \"contracts/web-orders.json\"\nabort = true\nstart = \"1s\"\n")
                .unwrap_err();
        assert!(
            problems[0].contains("s.toml:12:12: contract contracts/web-orders.json: is web's contract with orders, but the link goes from orders to payments"),
            "{problems:?}"
        );
        let problems = parse("link = \"orders-payments\"\ncontract = \"gone.json\"\ndelay = \"1s\"\nstart = \"1s\"\n")
            .unwrap_err();
        assert!(
            problems[0].contains("contract gone.json: not found"),
            "{problems:?}"
        );
    }

    #[test]
    fn each_slot_must_last_and_its_fault_be_an_http_one() {
        let problems =
            parse("link = \"orders-payments\"\nstatus = 700\neach = \"0s\"\nstart = \"1s\"\n")
                .unwrap_err();
        let said = problems.join("\n");
        assert!(said.contains("status 700 is not an HTTP status"), "{said}");
        assert!(said.contains("`each` must be more than 0s"), "{said}");
        let problems = parse("link = \"orders-payments\"\nstart = \"1s\"\n").unwrap_err();
        assert!(
            problems[0].contains("give exactly one of `status`, `abort = true` or `delay`"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_slot_holds_when_every_canary_met_its_expectation_inside_it() {
        let canary: Canary = toml::from_str(
            "name = \"c\"\nhttp = { url = \"http://x\" }\nexpect = { success_rate = 0.5 }",
        )
        .unwrap();
        let probe = |at_ms: f64, ok: bool| Event {
            at_ms,
            what: EventKind::Probe {
                canary: "c".into(),
                ok,
                latency_ms: 10.0,
                status: None,
                error: None,
                missed: false,
                lag_ms: 0.0,
            },
        };
        let window = |fault: &str, start_ms: f64, end_ms: f64| FaultWindow {
            fault: fault.into(),
            kind: KIND.into(),
            target: "l".into(),
            start_ms,
            end_ms: Some(end_ms),
        };
        // Scheduled at 90 (in the first slot) though completed at 100 (in the second).
        let events = [probe(50.0, true), probe(100.0, false), probe(150.0, false)];
        let got = verdicts(
            &[canary],
            &events,
            &[window("s: b", 95.0, 200.0), window("s: a", 0.0, 95.0)],
        );
        let held: Vec<_> = got.iter().map(|(s, ok, _)| (s.as_str(), *ok)).collect();
        assert_eq!(held, [("s: a", true), ("s: b", false)]);
        assert!(got[1].2.starts_with("c did not hold: "), "{}", got[1].2);
    }
}
