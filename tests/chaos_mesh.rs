//! `shakedown export --format chaos-mesh` and `shakedown import chaos-mesh` against the Chaos
//! Mesh CRD schemas and upstream examples in `../shared/chaos-mesh` (or
//! `$SHAKEDOWN_CHAOS_MESH`): reported ignored when they are missing (`common::harness`).

mod common;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use common::cli::{run, text};
use common::harness::Tests;
use common::prerequisite::{chaos_mesh, Need};
use shakedown::chaos_mesh::{self as cm, Document};

const CHAOS_MESH: &[Need] = &[Need::ChaosMesh];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The CRD schema of a kind: `crds/networkchaos.schema.json`, `crds/workflows.schema.json` …
fn schema(kind: &str) -> jsonschema::Validator {
    let crds = chaos_mesh().expect("Need::ChaosMesh").join("crds");
    let lower = kind.to_lowercase();
    let file = [
        format!("{lower}.schema.json"),
        format!("{lower}s.schema.json"),
    ]
    .into_iter()
    .map(|f| crds.join(f))
    .find(|p| p.is_file())
    .unwrap_or_else(|| panic!("no CRD schema for {kind} in {}", crds.display()));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // CRDs' openAPIV3Schema is draft 4 (`exclusiveMinimum: true`).
    jsonschema::draft4::new(&schema).unwrap()
}

/// Every violation of `body` against the CRD schema of `kind`.
fn violations(kind: &str, body: &Value) -> Vec<String> {
    schema(kind)
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn export(file: &Path) -> cm::Export {
    cm::export(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn should_export_every_scenario_to_documents_that_validate_against_their_crds() {
    let files = scenario_files();
    assert!(files.len() >= 5, "scenarios/ holds the shop's scenarios");
    for file in files {
        let export = export(&file);
        assert!(!export.documents.is_empty(), "{}", file.display());
        for d in &export.documents {
            let errors = violations(&d.kind, &d.body);
            assert!(
                errors.is_empty(),
                "{} {}: {errors:#?}\n{}",
                file.display(),
                d.kind,
                d.yaml()
            );
        }
    }
}

fn should_warn_that_a_contract_sweep_is_not_exported() {
    let file = root().join("scenarios/contract-sweep.toml");
    let export = export(&file);
    let warnings: Vec<String> = export.warnings.iter().map(ToString::to_string).collect();
    // Located at the fault's kind (its value starts at column 8).
    let text = std::fs::read_to_string(&file).unwrap();
    let line = 1 + text
        .lines()
        .position(|l| l.starts_with("kind = \"contract-sweep\""))
        .expect("the sweep's kind");
    let expected = format!("contract-sweep.toml:{line}:8: contract-sweep is not exported");
    assert!(
        warnings.iter().any(|w| w.contains(&expected)),
        "{expected}: {warnings:#?}"
    );
    let yaml: String = export.documents.iter().map(|d| d.yaml()).collect();
    assert!(!yaml.contains("HTTPChaos"), "{yaml}");
}

fn should_wrap_the_workflow_in_a_valid_schedule_when_the_scenario_has_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/latency.toml")).unwrap();
    let text = text.replacen("seed = 42\n", "seed = 42\nschedule = \"0 3 * * 1-5\"\n", 1);
    // Saved elsewhere: the scenario's relative paths made absolute.
    let scenarios = root().join("scenarios");
    let text = text
        .replacen(
            "\"systems/shop.toml\"",
            &format!("{:?}", scenarios.join("systems/shop.toml")),
            1,
        )
        .replacen(
            "\"../contracts/",
            &format!("\"{}/", root().join("contracts").display()),
            1,
        );
    let file = dir.path().join("nightly.toml");
    std::fs::write(&file, text).unwrap();
    let export = export(&file);
    let [d] = export.documents.as_slice() else {
        panic!("one document: {:?}", export.documents)
    };
    assert_eq!((d.kind.as_str(), d.name.as_str()), ("Schedule", "nightly"));
    assert_eq!(d.body["spec"]["schedule"], "0 3 * * 1-5");
    assert_eq!(d.body["spec"]["type"], "Workflow");
    assert_eq!(violations("Schedule", &d.body), Vec::<String>::new());
}

/// A change to a document.
type Mutation = Box<dyn Fn(&mut Value)>;

fn should_have_schemas_that_reject_mutated_documents() {
    let export = export(&root().join("scenarios/game-day.toml"));
    let workflow = &export.documents[0];
    assert!(violations("Workflow", &workflow.body).is_empty());
    let template = |body: &Value, kind: &str| {
        body["spec"]["templates"]
            .as_array()
            .unwrap()
            .iter()
            .position(|t| t["templateType"] == kind)
            .unwrap()
    };
    let net = template(&workflow.body, "NetworkChaos");
    let mutations: Vec<(&str, Mutation)> = vec![
        (
            "an unknown action",
            Box::new(move |b: &mut Value| {
                b["spec"]["templates"][net]["networkChaos"]["action"] = json!("earthquake")
            }),
        ),
        (
            "a latency that is a number",
            Box::new(move |b: &mut Value| {
                b["spec"]["templates"][net]["networkChaos"]["delay"]["latency"] = json!(90)
            }),
        ),
        (
            "a mode outside the enum",
            Box::new(move |b: &mut Value| {
                b["spec"]["templates"][net]["networkChaos"]["mode"] = json!("most")
            }),
        ),
        (
            "no entry",
            Box::new(|b: &mut Value| {
                b["spec"].as_object_mut().unwrap().remove("entry");
            }),
        ),
    ];
    for (what, mutate) in mutations {
        let mut body = workflow.body.clone();
        mutate(&mut body);
        assert!(
            !violations("Workflow", &body).is_empty(),
            "{what} was accepted"
        );
    }
    let example = chaos_mesh()
        .unwrap()
        .join("examples/network-delay-example.yaml");
    let mut doc = cm::documents(&std::fs::read_to_string(&example).unwrap(), &example).unwrap()[0]
        .1
        .clone();
    assert!(violations("NetworkChaos", &doc).is_empty());
    doc["spec"].as_object_mut().unwrap().remove("action");
    assert!(
        !violations("NetworkChaos", &doc).is_empty(),
        "a missing action was accepted"
    );
}

fn snapshot(name: &str) {
    // Relative (tests run from the crate's root): the warnings name the file as given.
    let export = export(Path::new(&format!("scenarios/{name}.toml")));
    let warnings: Vec<String> = export.warnings.iter().map(ToString::to_string).collect();
    let text = format!(
        "# warnings:\n# {}\n{}",
        warnings.join("\n# "),
        cm::stream(&export.documents)
    );
    insta::assert_snapshot!(format!("export-{name}"), text);
}

fn should_show_the_yaml_of_three_scenarios() {
    for name in ["latency", "partition", "game-day"] {
        snapshot(name);
    }
}

fn should_refuse_a_scenario_with_a_contract_canary_under_strict() {
    let o = run(&[
        "export",
        "--format",
        "chaos-mesh",
        "--strict",
        "scenarios/latency.toml",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        o.stdout.is_empty(),
        "nothing written under --strict: {}",
        text(&o)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("scenarios/latency.toml:16:12: warning: canary \"the web contract holds\" replays a contract"),
        "{err}"
    );
    let o = run(&["export", "--format", "chaos-mesh", "scenarios/latency.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let docs = cm::documents(&out, Path::new("stdout")).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].1["kind"], "Workflow");
}

fn should_locate_each_warning_at_what_it_is_about() {
    let export = export(&root().join("scenarios/game-day.toml"));
    let warnings: Vec<String> = export.warnings.iter().map(ToString::to_string).collect();
    let at = |prefix: &str, words: &str| {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(prefix) && w.contains(words)),
            "no warning {prefix} … {words} in {warnings:#?}"
        )
    };
    // Lines of scenarios/game-day.toml: the p99 expectation, the contract, `same_as`, the
    // HTTP fault's toxicity.
    at("/scenarios/game-day.toml:12:55: ", "`p99` is not checked");
    at("/scenarios/game-day.toml:16:12: ", "replays a contract");
    at("/scenarios/game-day.toml:26:11: ", "same_as");
    at("/scenarios/game-day.toml:49:12: ", "toxicity");
}

fn should_locate_a_warning_in_the_system_file_that_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let system = "[services.a]\nimage = \"a:1\"\nport = 80\n\n[services.b]\ncommand = [\"true\"]\n";
    std::fs::write(dir.path().join("sys.toml"), system).unwrap();
    let scenario = "name = \"x\"\nsystem = \"sys.toml\"\n[[faults]]\nkind = \"crash\"\nservice = \"a\"\nstart = \"1s\"\n";
    let file = dir.path().join("s.toml");
    std::fs::write(&file, scenario).unwrap();
    let warnings: Vec<String> = export(&file)
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect();
    let sys = dir.path().join("sys.toml");
    let at_b = format!("{}:6:11: service b is a process only", sys.display());
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with(&at_b) && w.contains("b")),
        "a warning about service b at its table in sys.toml: {warnings:#?}"
    );
}

fn should_write_one_file_per_document_into_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k8s");
    let o = run(&[
        "export",
        "--format",
        "chaos-mesh",
        "scenarios/crash.toml",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let written = std::fs::read_to_string(out.join("crash.workflow.yaml")).unwrap();
    let docs = cm::documents(&written, Path::new("crash.workflow.yaml")).unwrap();
    assert_eq!(docs[0].1["metadata"]["name"], "crash");
    assert!(violations("Workflow", &docs[0].1).is_empty());
}

/// Chaos specs of documents, with `duration` from the template's `deadline`, by kind, and
/// the Schedule's cron.
fn specs(docs: &[Value]) -> (Vec<(String, Value)>, Vec<String>) {
    let mut out = Vec::new();
    let mut crons = Vec::new();
    let chaos = ["NetworkChaos", "PodChaos", "HTTPChaos", "StatusCheck"];
    let field = |kind: &str| match kind {
        "HTTPChaos" => "httpChaos".to_string(),
        k => format!("{}{}", k[..1].to_lowercase(), &k[1..]),
    };
    let template = |t: &Value, out: &mut Vec<(String, Value)>| {
        let kind = t["templateType"].as_str().unwrap_or("");
        if chaos.contains(&kind) {
            let mut spec = t[field(kind)].clone();
            if !t["deadline"].is_null() && spec["duration"].is_null() && kind != "StatusCheck" {
                spec["duration"] = t["deadline"].clone();
            }
            out.push((kind.to_string(), spec));
        }
    };
    for d in docs {
        let kind = d["kind"].as_str().unwrap_or("");
        let spec = &d["spec"];
        let workflow = match kind {
            "Workflow" => Some(spec),
            "Schedule" => {
                crons.push(spec["schedule"].as_str().unwrap_or("").to_string());
                match spec["type"].as_str() {
                    Some("Workflow") => Some(&spec["workflow"]),
                    Some(k) => {
                        out.push((k.to_string(), spec[field(k)].clone()));
                        None
                    }
                    None => None,
                }
            }
            k if chaos.contains(&k) => {
                out.push((k.to_string(), spec.clone()));
                None
            }
            _ => None,
        };
        for t in workflow
            .and_then(|w| w["templates"].as_array())
            .into_iter()
            .flatten()
        {
            template(t, &mut out);
        }
    }
    (out, crons)
}

/// The value at a dotted path, with Chaos Mesh's default when absent.
fn field(spec: &Value, path: &str) -> Value {
    let v = path.split('.').fold(spec.clone(), |v, k| v[k].clone());
    match (path, &v) {
        ("direction", Value::Null) => json!("to"),
        ("mode", Value::Null) => json!("Synchronous"),
        ("intervalSeconds", Value::Null) => json!(10),
        ("failureThreshold", Value::Null) => json!(3),
        _ => v,
    }
}

const NETWORK: &[&str] = &[
    "action",
    "selector",
    "direction",
    "target",
    "delay.latency",
    "delay.jitter",
    "bandwidth.rate",
    "loss.loss",
    "duration",
];
const CHECK: &[&str] = &[
    "mode",
    "type",
    "http.url",
    "http.method",
    "http.criteria.statusCode",
];
const CONTINUOUS: &[&str] = &[
    "mode",
    "type",
    "http.url",
    "http.method",
    "http.criteria.statusCode",
    "intervalSeconds",
    "failureThreshold",
];

/// A kind, and the fields of its spec compared.
type Compared = (&'static str, &'static [&'static str]);

/// The examples whose kinds both sides share, the fields compared per kind, and the
/// examples that import nothing (with a warning).
fn round_trips() -> Vec<(&'static str, Vec<Compared>)> {
    vec![
        (
            "network-delay-example.yaml",
            vec![("NetworkChaos", NETWORK)],
        ),
        (
            "network-bandwidth-example.yaml",
            vec![("NetworkChaos", NETWORK)],
        ),
        (
            "pod-kill-example.yaml",
            vec![("PodChaos", &["action", "selector"])],
        ),
        (
            "pod-failure-example.yaml",
            vec![("PodChaos", &["action", "selector", "duration"])],
        ),
        (
            "schedule-podchaos.yaml",
            vec![("PodChaos", &["action", "selector"])],
        ),
        ("serial.yaml", vec![("NetworkChaos", NETWORK)]),
        ("parallel.yaml", vec![("NetworkChaos", NETWORK)]),
        (
            "status-check.yaml",
            vec![("NetworkChaos", NETWORK), ("StatusCheck", CONTINUOUS)],
        ),
        ("statuscheck-example.yaml", vec![("StatusCheck", CHECK)]),
    ]
}

const NOTHING: &[&str] = &[
    "burn-cpu.yaml",
    "container-kill-example.yaml",
    "dns-chaos-example.yaml",
    "http-patch-response.yaml",
    "network-loss-example.yaml",
    "network-partition-example.yaml",
    "time-chaos-example.yaml",
];

fn import_example(name: &str) -> (Vec<Value>, cm::Import, shakedown::scenario::Scenario) {
    let file = chaos_mesh().unwrap().join("examples").join(name);
    let docs: Vec<Value> = cm::documents(&std::fs::read_to_string(&file).unwrap(), &file)
        .unwrap()
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let import = cm::import(std::slice::from_ref(&file)).unwrap();
    let scenario = shakedown::scenario::parse(&import.toml, Path::new(name))
        .unwrap_or_else(|p| panic!("{name}: {p:#?}\n{}", import.toml));
    (docs, import, scenario)
}

fn should_round_trip_the_upstream_examples_on_the_fields_both_model() {
    for (name, kinds) in round_trips() {
        let (originals, import, scenario) = import_example(name);
        let exported = cm::export_scenario(&scenario, "x", Path::new(name), &import.toml);
        let bodies: Vec<Value> = exported
            .documents
            .iter()
            .map(|d: &Document| d.body.clone())
            .collect();
        for d in &exported.documents {
            assert!(
                violations(&d.kind, &d.body).is_empty(),
                "{name}: {}",
                d.yaml()
            );
        }
        let (want, want_crons) = specs(&originals);
        let (got, got_crons) = specs(&bodies);
        if !want_crons.is_empty() {
            assert_eq!(
                scenario.schedule.as_ref().map(|c| c.to_string()),
                want_crons.first().cloned(),
                "{name}"
            );
            assert!(
                got_crons.is_empty() || got_crons == want_crons,
                "{name}: {got_crons:?}"
            );
        }
        for (kind, fields) in kinds {
            let originals: Vec<&Value> = want
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, s)| s)
                .collect();
            let exports: Vec<&Value> = got
                .iter()
                .filter(|(k, _)| k == kind)
                .map(|(_, s)| s)
                .collect();
            assert!(!originals.is_empty(), "{name}: no {kind} in the example");
            for o in originals {
                let project =
                    |s: &Value| fields.iter().map(|f| (*f, field(s, f))).collect::<Vec<_>>();
                let found = exports.iter().any(|e| project(e) == project(o));
                assert!(
                    found,
                    "{name}: no exported {kind} equal on {fields:?}\n  original: {:?}\n  exported: {:#?}\n{}",
                    project(o),
                    exports.iter().map(|e| project(e)).collect::<Vec<_>>(),
                    import.toml
                );
            }
        }
    }
}

fn should_place_workflow_tasks_at_their_times() {
    let (_, import, scenario) = import_example("serial.yaml");
    // stress chaos 20s, then a 10s suspend, then the network chaos for 20s.
    let f = &scenario.faults[0];
    assert_eq!(
        (f.start.as_millis(), f.duration.as_millis()),
        (30_000, 20_000),
        "{}",
        import.toml
    );
}

fn should_warn_instead_of_failing_on_kinds_a_scenario_cannot_hold() {
    for name in NOTHING {
        let (_, import, scenario) = import_example(name);
        assert!(scenario.faults.is_empty(), "{name}: {}", import.toml);
        assert!(!import.warnings.is_empty(), "{name}: no warning");
        assert!(
            import.warnings.iter().all(|w| w.contains(name)),
            "{name}: {:?}",
            import.warnings
        );
    }
    let (_, import, _) = import_example("dns-chaos-example.yaml");
    assert!(
        import
            .warnings
            .iter()
            .any(|w| w.contains("DNSChaos has no scenario fault kind")),
        "{:?}",
        import.warnings
    );
    let o = run(&[
        "import",
        "chaos-mesh",
        chaos_mesh()
            .unwrap()
            .join("examples/time-chaos-example.yaml")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("warning: "),
        "{}",
        text(&o)
    );
}

/// The kind a fault comes back as: a jitter is a delay, a reset a partition.
fn kind_back(k: &'static str) -> &'static str {
    match k {
        "jitter" => "latency",
        "reset" => "partition",
        k => k,
    }
}

fn should_import_what_it_exports() {
    for file in scenario_files() {
        let exported = export(&file);
        if exported
            .warnings
            .iter()
            .any(|w| w.to_string().contains("contract-sweep"))
        {
            continue; // a contract sweep is not exported: nothing comes back
        }
        let docs: Vec<(String, Value)> = exported
            .documents
            .iter()
            .map(|d| ("exported".to_string(), d.body.clone()))
            .collect();
        let import = cm::import_documents(&docs, &["exported".into()]).unwrap();
        let scenario = shakedown::scenario::parse(&import.toml, Path::new("imported.toml"))
            .unwrap_or_else(|p| panic!("{}: {p:#?}\n{}", file.display(), import.toml));
        let original = shakedown::scenario::load(&file).unwrap();
        let kinds = |s: &shakedown::scenario::Scenario| {
            let mut k: Vec<&str> = s
                .faults
                .iter()
                .map(|f| kind_back(f.kind().name()))
                .collect();
            k.sort();
            k
        };
        assert_eq!(
            kinds(&scenario),
            kinds(&original),
            "{}\n{}",
            file.display(),
            import.toml
        );
        // When each fault starts and how long it lasts (a crash: until its restart).
        let starts = |s: &shakedown::scenario::Scenario| {
            let mut t: Vec<(u64, u64)> = shakedown::scenario::plan(s, 0)
                .iter()
                .map(|p| {
                    let end = p.end.unwrap_or(p.start + p.spec.duration.0);
                    (
                        p.start.as_millis() as u64,
                        (end - p.start).as_millis() as u64,
                    )
                })
                .collect();
            t.sort();
            t
        };
        // The export's timeline starts with the warm-up; the import's warm-up is 0.
        let warmup = original.warmup.as_millis();
        let shifted: Vec<(u64, u64)> = starts(&original)
            .into_iter()
            .map(|(s, d)| (s + warmup, d))
            .collect();
        assert_eq!(
            starts(&scenario),
            shifted,
            "{}\n{}",
            file.display(),
            import.toml
        );
    }
}

fn main() -> std::process::ExitCode {
    Tests::new()
        .test(
            "should_import_what_it_exports",
            should_import_what_it_exports,
        )
        .needs(
            CHAOS_MESH,
            "should_export_every_scenario_to_documents_that_validate_against_their_crds",
            should_export_every_scenario_to_documents_that_validate_against_their_crds,
        )
        .needs(
            CHAOS_MESH,
            "should_wrap_the_workflow_in_a_valid_schedule_when_the_scenario_has_one",
            should_wrap_the_workflow_in_a_valid_schedule_when_the_scenario_has_one,
        )
        .needs(
            CHAOS_MESH,
            "should_have_schemas_that_reject_mutated_documents",
            should_have_schemas_that_reject_mutated_documents,
        )
        .test(
            "should_show_the_yaml_of_three_scenarios",
            should_show_the_yaml_of_three_scenarios,
        )
        .test(
            "should_refuse_a_scenario_with_a_contract_canary_under_strict",
            should_refuse_a_scenario_with_a_contract_canary_under_strict,
        )
        .test(
            "should_warn_that_a_contract_sweep_is_not_exported",
            should_warn_that_a_contract_sweep_is_not_exported,
        )
        .test(
            "should_locate_each_warning_at_what_it_is_about",
            should_locate_each_warning_at_what_it_is_about,
        )
        .test(
            "should_locate_a_warning_in_the_system_file_that_holds_it",
            should_locate_a_warning_in_the_system_file_that_holds_it,
        )
        .needs(
            CHAOS_MESH,
            "should_write_one_file_per_document_into_a_folder",
            should_write_one_file_per_document_into_a_folder,
        )
        .needs(
            CHAOS_MESH,
            "should_round_trip_the_upstream_examples_on_the_fields_both_model",
            should_round_trip_the_upstream_examples_on_the_fields_both_model,
        )
        .needs(
            CHAOS_MESH,
            "should_place_workflow_tasks_at_their_times",
            should_place_workflow_tasks_at_their_times,
        )
        .needs(
            CHAOS_MESH,
            "should_warn_instead_of_failing_on_kinds_a_scenario_cannot_hold",
            should_warn_instead_of_failing_on_kinds_a_scenario_cannot_hold,
        )
        .run()
}
