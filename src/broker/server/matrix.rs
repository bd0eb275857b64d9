//! The matrix (`GET /matrix`) and can-i-deploy (`GET /can-i-deploy`): rows of pacts and
//! verification results between the selected versions, and a summary. When the question is
//! can-i-deploy's (one version, against the latest or an environment), the summary is
//! `gate::decide`'s answer over the store: the rules are the local gate's.

use serde_json::{json, Value};

use super::answer::{hal, Answer, Handled, OrAnswer};
use super::app::Broker;
use super::call::Call;
use super::matrix_query::{parse, Known, MatrixQuery, MatrixSelector};
use super::verification_results::href as verification_href;
use crate::broker::store::{MatrixRow, Store};

struct StoreKnown<'a>(&'a Store);

impl Known for StoreKnown<'_> {
    fn has_version(&self, pacticipant: &str, number: &str) -> bool {
        self.0.has_version(pacticipant, number).unwrap_or(false)
    }
    fn has_tag(&self, pacticipant: &str, tag: &str) -> bool {
        self.0
            .latest_version(pacticipant, Some(tag))
            .ok()
            .flatten()
            .is_some()
    }
}

fn bad_request(message: &str) -> Answer {
    hal(400, &json!({ "errors": [message] }))
}

/// The versions of `pacticipant` a selector (or the query's options) picks: `None` is
/// every version; `Err` names a version that does not exist.
fn versions_of(store: &Store, s: &MatrixSelector) -> Result<Option<Vec<String>>, String> {
    let p = &s.pacticipant;
    let err = |e: crate::broker::store::StoreError| e.to_string();
    if let Some(v) = &s.version {
        return if store.has_version(p, v).map_err(err)? {
            Ok(Some(vec![v.clone()]))
        } else {
            Err(format!("No pacticipant version found for {p} {v}"))
        };
    }
    if let Some(env) = &s.environment {
        let Some(e) = store.environment(env).map_err(err)? else {
            return Err(format!("No environment found with name {env}"));
        };
        let mut vs: Vec<String> = store
            .current_in("deployed", &e.uuid, Some(p))
            .map_err(err)?
            .into_iter()
            .map(|d| d.version)
            .collect();
        vs.extend(
            store
                .current_in("released", &e.uuid, Some(p))
                .map_err(err)?
                .into_iter()
                .map(|d| d.version),
        );
        return Ok(Some(vs));
    }
    let main = if s.main_branch {
        store
            .pacticipant(p)
            .map_err(err)?
            .and_then(|x| x.main_branch)
    } else {
        None
    };
    if s.main_branch && s.branch.is_none() && main.is_none() {
        return Ok(Some(Vec::new())); // no main branch: no version is on it
    }
    let branch = s.branch.clone().or(main);
    if !(s.latest || branch.is_some() || s.tag.is_some()) {
        return Ok(None);
    }
    let limit = (s.latest || branch.is_some()).then_some(1);
    let numbers = store
        .version_numbers(p, s.tag.as_deref(), branch.as_deref(), limit)
        .map_err(err)?;
    Ok(Some(numbers))
}

/// The rows between two selected pacticipants, both ways.
fn rows_between(
    store: &Store,
    a: &str,
    av: &Option<Vec<String>>,
    b: &str,
    bv: &Option<Vec<String>>,
) -> Result<Vec<MatrixRow>, Answer> {
    let mut rows = store
        .matrix_rows(a, av.as_deref(), b, bv.as_deref())
        .or_answer()?;
    rows.extend(
        store
            .matrix_rows(b, bv.as_deref(), a, av.as_deref())
            .or_answer()?,
    );
    Ok(rows)
}

/// The rows of the query, or the reason (a version that does not exist) there are none.
fn rows(store: &Store, q: &MatrixQuery) -> Result<Result<Vec<MatrixRow>, String>, Answer> {
    let mut resolved = Vec::new();
    for s in &q.selectors {
        match versions_of(store, s) {
            Ok(v) => resolved.push((s.pacticipant.clone(), v)),
            Err(reason) => return Ok(Err(reason)),
        }
    }
    let mut out = Vec::new();
    if resolved.len() == 1 {
        let (a, av) = &resolved[0];
        for other in store.integrations_of(a).or_answer()? {
            let s = MatrixSelector {
                pacticipant: other.clone(),
                latest: q.latest,
                tag: q.tag.clone(),
                environment: q.environment.clone(),
                main_branch: q.main_branch,
                ..MatrixSelector::default()
            };
            let ov = match versions_of(store, &s) {
                Ok(v) => v,
                Err(reason) => return Ok(Err(reason)),
            };
            out.extend(rows_between(store, a, av, &other, &ov)?);
        }
    } else {
        for (i, (a, av)) in resolved.iter().enumerate() {
            for (b, bv) in &resolved[i + 1..] {
                out.extend(rows_between(store, a, av, b, bv)?);
            }
        }
    }
    if q.latestby.as_deref() == Some("cvp") {
        out = latest_per_consumer_version(out);
    }
    Ok(Ok(out))
}

/// `latestby=cvp`: per consumer version and provider, the latest provider version's row.
fn latest_per_consumer_version(rows: Vec<MatrixRow>) -> Vec<MatrixRow> {
    let mut out: Vec<MatrixRow> = Vec::new();
    for r in rows {
        let id = |x: &MatrixRow| x.verification.as_ref().map(|v| v.id).unwrap_or(0);
        match out.iter_mut().find(|o| {
            o.consumer == r.consumer
                && o.consumer_version == r.consumer_version
                && o.provider == r.provider
        }) {
            Some(o) if id(&r) > id(o) => *o = r,
            Some(_) => {}
            None => out.push(r),
        }
    }
    out
}

fn ignored(q: &MatrixQuery, r: &MatrixRow) -> bool {
    let provider_version = r.verification.as_ref().map(|v| v.provider_version.as_str());
    q.ignore.iter().any(|(p, v)| {
        (p == &r.consumer && v.as_ref().is_none_or(|v| v == &r.consumer_version))
            || (p == &r.provider && v.as_deref().is_none_or(|v| Some(v) == provider_version))
    })
}

fn row_json(call: &Call, q: &MatrixQuery, r: &MatrixRow) -> Value {
    let l = &call.links;
    let provider_version = r.verification.as_ref().map(|v| json!({ "number": v.provider_version, "branch": v.provider_branches.last(), "tags": v.provider_tags, "_links": { "self": { "href": l.version(&r.provider, &v.provider_version) } } }));
    let mut row = json!({
        "consumer": { "name": r.consumer, "_links": { "self": { "href": l.pacticipant(&r.consumer) } },
                      "version": { "number": r.consumer_version, "_links": { "self": { "href": l.version(&r.consumer, &r.consumer_version) } } } },
        "provider": { "name": r.provider, "_links": { "self": { "href": l.pacticipant(&r.provider) } }, "version": provider_version },
        "pact": { "createdAt": r.pact_created_at, "_links": { "self": { "href": l.pact(&r.provider, &r.consumer, &r.consumer_version) } } },
        "verificationResult": r.verification.as_ref().map(|v| json!({ "success": v.success, "verifiedAt": v.verified_at, "_links": { "self": { "href": verification_href(l, v) } } })),
    });
    if ignored(q, r) {
        row["ignored"] = json!(true);
    }
    row
}

/// Whether the query asks can-i-deploy's question (one version, against the latest
/// versions or an environment): then `gate::decide` answers.
fn decision_question(q: &MatrixQuery) -> Option<(&str, &str, Option<&str>)> {
    match q.selectors.as_slice() {
        [s] if q.tag.is_none() && (q.latest || q.environment.is_some()) => Some((
            &s.pacticipant,
            s.version.as_deref()?,
            q.environment.as_deref(),
        )),
        _ => None,
    }
}

fn answer(b: &Broker, call: &Call, q: &MatrixQuery) -> Handled {
    if q.selectors.is_empty() || q.selectors.iter().any(|s| s.pacticipant.is_empty()) {
        return Err(bad_request(
            "Please provide 1 or more version selectors, each with a pacticipant",
        ));
    }
    for s in &q.selectors {
        if b.store.pacticipant(&s.pacticipant).or_answer()?.is_none() {
            return Err(bad_request(&format!(
                "Pacticipant {} not found",
                s.pacticipant
            )));
        }
    }
    let rows = match rows(&b.store, q)? {
        Ok(rows) => rows,
        Err(reason) => {
            let summary = json!({ "deployable": false, "reason": reason, "success": 0, "failed": 0, "unknown": 0, "ignored": 0 });
            return Ok(hal(
                200,
                &json!({ "summary": summary, "matrix": [], "notices": [{ "type": "error", "text": reason }] }),
            ));
        }
    };
    let rows: Vec<&MatrixRow> = rows
        .iter()
        .filter(|r| {
            q.success.is_empty()
                || r.verification
                    .as_ref()
                    .is_some_and(|v| q.success.contains(&v.success))
        })
        .collect();
    let counted: Vec<&&MatrixRow> = rows.iter().filter(|r| !ignored(q, r)).collect();
    let success = counted
        .iter()
        .filter(|r| r.verification.as_ref().is_some_and(|v| v.success))
        .count();
    let failed = counted
        .iter()
        .filter(|r| r.verification.as_ref().is_some_and(|v| !v.success))
        .count();
    let unknown = counted.len() - success - failed;
    let (deployable, notices) = match decision_question(q) {
        Some((p, v, env)) => {
            let d = b.store.can_i_deploy(p, v, env).or_answer()?;
            let notices: Vec<Value> = d
                .reasons
                .iter()
                .map(|r| json!({ "type": if r.ok { "success" } else { "error" }, "text": r.text }))
                .collect();
            (d.ok, notices)
        }
        None => {
            let ok = !rows.is_empty() && failed == 0 && unknown == 0;
            let text = match (ok, rows.is_empty()) {
                (true, _) => "All required verification results are published and successful".to_string(),
                (false, true) => "There are no pacts or verification results between the selected versions".to_string(),
                (false, false) => format!("{failed} failed and {unknown} missing verification result(s) between the selected versions"),
            };
            (
                ok,
                vec![json!({ "type": if ok { "success" } else { "error" }, "text": text })],
            )
        }
    };
    let reason = notices
        .iter()
        .filter_map(|n| n["text"].as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let ignored_count = rows.len() - counted.len();
    Ok(hal(
        200,
        &json!({
            "summary": { "deployable": deployable, "reason": reason, "success": success, "failed": failed, "unknown": unknown, "ignored": ignored_count },
            "notices": notices,
            "matrix": rows.iter().map(|r| row_json(call, q, r)).collect::<Vec<_>>(),
        }),
    ))
}

/// `GET /matrix`.
pub fn matrix(b: &Broker, call: &Call) -> Handled {
    let q = parse(&call.query, &StoreKnown(&b.store));
    answer(b, call, &q)
}

/// `GET /can-i-deploy?pacticipant=P&version=V[&environment=E|&to=TAG][&ignore[]=X]`.
pub fn can_i_deploy(b: &Broker, call: &Call) -> Handled {
    let (Some(p), Some(v)) = (call.param("pacticipant"), call.param("version")) else {
        return Err(bad_request("can-i-deploy needs pacticipant and version"));
    };
    let mut q = parse(&call.query, &StoreKnown(&b.store));
    q.selectors = vec![MatrixSelector {
        pacticipant: p.into(),
        version: Some(v.into()),
        ..MatrixSelector::default()
    }];
    q.latestby = Some("cvp".into());
    q.latest = true;
    q.tag = call.param("to").map(str::to_string);
    answer(b, call, &q)
}
