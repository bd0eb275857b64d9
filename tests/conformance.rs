//! The Pact specification's conformance cases (`../shared/pact-spec`, or the directory named
//! by `SHAKEDOWN_PACT_SPEC`), every one matched and compared with its expected outcome.
//!
//! One test on `common::harness`: reported ignored without the directory, a failure under
//! `CI=true`. It prints `pact-spec conformance: P/T passed` and a per-version breakdown.
//! Cases listed in `tests/conformance_allowlist.txt` (with a reason) may fail; all others must
//! pass.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod common;

use common::harness::Tests;
use common::prerequisite::{pact_spec, Need};

use serde_json::Value;
use shakedown::contract::{
    match_message, match_request, match_response, HttpRequest, HttpResponse, Message, Mismatch,
    ReadError, SpecVersion,
};

fn main() -> ExitCode {
    Tests::new()
        .needs(
            &[Need::PactSpec],
            "should_match_every_pact_spec_case_but_the_allow_listed",
            should_match_every_pact_spec_case_but_the_allow_listed,
        )
        .run()
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Runs one case: Ok(()) when the outcome is the expected one.
fn run_case(root: &Path, file: &Path) -> Result<(), String> {
    let rel = file.strip_prefix(root).unwrap_or(file);
    let mut parts = rel.iter().map(|p| p.to_string_lossy().to_string());
    let version = parts
        .next()
        .and_then(|v| SpecVersion::parse(&v))
        .ok_or("no version directory")?;
    let kind = parts.next().ok_or("no kind directory")?;
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let case: Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| e.to_string())?;
    let should_match = case["match"].as_bool().ok_or("no `match` flag")?;
    let (exp, act) = (&case["expected"], &case["actual"]);
    let read = |e: ReadError| format!("could not read case: {e}");
    let mismatches: Vec<Mismatch> = match kind.as_str() {
        "request" => match_request(
            &HttpRequest::from_json(exp, version).map_err(read)?,
            &HttpRequest::from_json(act, version).map_err(read)?,
        ),
        "response" => match_response(
            &HttpResponse::from_json(exp, version).map_err(read)?,
            &HttpResponse::from_json(act, version).map_err(read)?,
        ),
        "message" => match_message(
            &Message::from_json(exp, version).map_err(read)?,
            &Message::from_json(act, version).map_err(read)?,
        ),
        other => return Err(format!("unknown kind {other}")),
    };
    match (should_match, mismatches.is_empty()) {
        (true, true) | (false, false) => Ok(()),
        (true, false) => Err(format!(
            "expected a match but got: {}",
            mismatches
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )),
        (false, true) => Err("expected a mismatch but everything matched".into()),
    }
}

fn allow_list() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance_allowlist.txt");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            l.split_once(" # ")
                .map(|(f, r)| (f.trim().to_string(), r.trim().to_string()))
        })
        .collect()
}

fn should_match_every_pact_spec_case_but_the_allow_listed() {
    let root = pact_spec().expect("checked by Need::PactSpec");
    let mut files = Vec::new();
    json_files(&root, &mut files);
    files.sort();
    let allowed = allow_list();
    let mut per_version: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .to_string_lossy()
            .to_string();
        let version = rel.split('/').next().unwrap_or("?").to_string();
        let entry = per_version.entry(version).or_default();
        entry.1 += 1;
        match run_case(&root, file) {
            Ok(()) => entry.0 += 1,
            Err(why) => failures.push((rel, why)),
        }
    }
    let passed: usize = per_version.values().map(|v| v.0).sum();
    for (rel, why) in &failures {
        let note = allowed
            .get(rel)
            .map(|r| format!(" [allow-listed: {r}]"))
            .unwrap_or_default();
        println!("FAIL {rel}: {why}{note}");
    }
    println!("pact-spec conformance: {passed}/{} passed", files.len());
    for (version, (p, t)) in &per_version {
        println!("  {version:<5} {p}/{t}");
    }
    let blocking = failures
        .iter()
        .filter(|(rel, _)| !allowed.contains_key(rel))
        .count();
    println!("conformance: {} passed, {} failed", passed, failures.len());
    assert!(!files.is_empty(), "no case in {}", root.display());
    assert_eq!(blocking, 0, "cases failed that are not allow-listed");
}
