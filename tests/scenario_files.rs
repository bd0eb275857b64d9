//! Scenario files: every shipped scenario is valid and matches the published JSON Schema;
//! broken files get FILE:LINE:COLUMN problems from `shakedown validate`.
#![cfg(feature = "cli")]

mod common;

use std::path::{Path, PathBuf};

use common::cli::shakedown;

fn shipped() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .expect("scenarios/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn should_ship_one_valid_scenario_per_fault_kind_and_a_game_day() {
    let mut kinds = std::collections::BTreeSet::new();
    for file in shipped() {
        let s = shakedown::scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        kinds.extend(s.faults.iter().map(|f| format!("{:?}", f.kind())));
        let text: toml::Table = toml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let written = text["faults"].as_array().unwrap().iter();
        for (fault, as_written) in s.faults.iter().zip(written) {
            assert_eq!(fault.kind().name(), as_written["kind"].as_str().unwrap());
        }
    }
    let expected = [
        "Bandwidth",
        "ContractSweep",
        "Crash",
        "Http",
        "Jitter",
        "Latency",
        "Partition",
        "Pause",
        "Reset",
        "Timeout",
    ];
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), expected);
    assert!(Path::new("scenarios/game-day.toml").exists());
}

#[test]
fn should_publish_the_schema_the_model_generates() {
    let published =
        std::fs::read_to_string("scenarios/schema.json").expect("scenarios/schema.json");
    assert_eq!(
        published,
        shakedown::scenario::json_schema_text(),
        "regenerate with `shakedown schema > scenarios/schema.json`"
    );
}

#[test]
fn should_publish_the_system_schema_and_accept_the_shared_shop_under_it() {
    let published = std::fs::read_to_string("scenarios/systems/schema.json")
        .expect("scenarios/systems/schema.json");
    assert_eq!(
        published,
        shakedown::scenario::system_json_schema_text(),
        "regenerate with `shakedown schema --system > scenarios/systems/schema.json`"
    );
    let out = common::cli::run(&["schema", "--system"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), published);
    let schema = shakedown::scenario::system_json_schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let text = std::fs::read_to_string("scenarios/systems/shop.toml").unwrap();
    let shop: serde_json::Value = toml::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&shop)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // A system file holds no scenario parts.
    let faults: serde_json::Value = toml::from_str("[[faults]]\nkind = \"crash\"\n").unwrap();
    assert!(!validator.is_valid(&faults));
    // Every shipped scenario shares it, but those whose system is a Compose file.
    for file in shipped() {
        let text = std::fs::read_to_string(&file).unwrap();
        if text.contains("\nsystem = { compose = ") {
            continue;
        }
        assert!(
            text.contains("\nsystem = \"systems/shop.toml\"\n"),
            "{}",
            file.display()
        );
    }
}

#[test]
fn should_accept_every_shipped_scenario_under_the_schema_and_reject_a_typo() {
    let schema = shakedown::scenario::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    for file in shipped() {
        let text = std::fs::read_to_string(&file).unwrap();
        let value: serde_json::Value = toml::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
    let typo: serde_json::Value =
        toml::from_str("name = \"x\"\n[services.a]\ncomand = [\"true\"]\n").unwrap();
    assert!(
        !validator.is_valid(&typo),
        "an unknown field must be rejected by the schema"
    );
    let bad_duration: serde_json::Value =
        toml::from_str("name = \"x\"\nsettle = \"soon\"\n[services.a]\ncommand = [\"true\"]\n")
            .unwrap();
    assert!(!validator.is_valid(&bad_duration));
}

#[test]
fn should_check_each_fault_kinds_fields_under_the_schema() {
    let schema = shakedown::scenario::json_schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let with_fault = |fault: &str| -> serde_json::Value {
        let text = format!("name = \"x\"\n[services.a]\ncommand = [\"true\"]\n[[faults]]\n{fault}");
        toml::from_str(&text).unwrap()
    };
    let valid = [
        "kind = \"latency\"\nlink = \"l\"\nlatency = \"1s\"\nstart = \"1s\"",
        "kind = \"crash\"\nservice = \"a\"\nstart = \"1s\"\nduration = \"2s\"",
        "kind = \"http\"\nlink = \"l\"\nstatus = 503\nbody = \"x\"\nstart = \"1s\"",
    ];
    for fault in valid {
        assert!(validator.is_valid(&with_fault(fault)), "{fault}");
    }
    let invalid = [
        "kind = \"latency\"\nlink = \"l\"\nstart = \"1s\"",
        "kind = \"crash\"\nservice = \"a\"\nlatency = \"1s\"\nstart = \"1s\"",
        "kind = \"crash\"\nservice = \"a\"\nstrat = \"1s\"\nstart = \"1s\"",
        "kind = \"http\"\nlink = \"l\"\nstatus = 503\nabort = true\nstart = \"1s\"",
        "kind = \"http\"\nlink = \"l\"\nstart = \"1s\"",
        "kind = \"earthquake\"\nservice = \"a\"\nstart = \"1s\"",
    ];
    for fault in invalid {
        assert!(!validator.is_valid(&with_fault(fault)), "{fault}");
    }
}

fn validate(file: &str) -> (i32, String) {
    let out = common::cli::run(&["validate", file]);
    (out.status.code().unwrap_or(-1), common::cli::text(&out))
}

#[test]
fn should_locate_every_problem_of_a_broken_scenario() {
    for name in [
        "bad-syntax",
        "bad-references",
        "bad-types",
        "bad-fault-field",
        "bad-fault-unknown",
        "bad-fault-value",
        "bad-fault-http",
        "bad-env",
        "bad-prometheus",
    ] {
        let (code, text) = validate(&format!("tests/data/scenarios/{name}.toml"));
        assert_eq!(code, 2, "{text}");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn should_say_ok_and_exit_0_for_valid_files() {
    let (code, text) = validate("scenarios/crash.toml");
    assert_eq!(code, 0);
    assert_eq!(
        text.trim(),
        "scenarios/crash.toml: ok (checkout survives a payments crash)"
    );
}

#[test]
fn should_print_the_plan_in_a_dry_run_with_targets_chosen_by_the_seed() {
    let run = |seed: &str| {
        let out = shakedown([
            "run",
            "scenarios/game-day.toml",
            "--dry-run",
            "--seed",
            seed,
            // The docker backend: no local programs to find (the shop may not be built).
            "--backend",
            "docker",
        ])
        .output()
        .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let a = run("1");
    assert_eq!(a, run("1"), "the same seed gives the same plan");
    assert!(
        a.contains("services (start order):") && a.contains("crash-2"),
        "{a}"
    );
    let targets: std::collections::BTreeSet<String> = (0..16)
        .map(|s| {
            run(&s.to_string())
                .lines()
                .find(|l| l.contains("crash-2"))
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        targets.len() > 1,
        "the seed chooses among the crash targets: {targets:?}"
    );
}

#[test]
fn should_refuse_a_dry_run_whose_commands_do_not_exist() {
    let out = shakedown([
        "run",
        "tests/data/scenarios/missing-command.toml",
        "--dry-run",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The path looked for is the scenario's folder joined: absolute, here shown from the crate.
    let text = common::cli::text(&out).replace(env!("CARGO_MANIFEST_DIR"), "[crate]");
    insta::assert_snapshot!("dry-run-missing-command", text);
}

#[test]
fn should_say_each_fault_of_a_dry_run_in_the_scenarios_words() {
    let out = shakedown([
        "run",
        "scenarios/game-day.toml",
        "--dry-run",
        "--seed",
        "1",
        "--backend",
        "docker",
    ])
    .output()
    .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(
            "latency-1: latency 1s 500ms ± 300ms, direction downstream on link orders-payments from 1s for 4s"
        ),
        "{text}"
    );
    assert!(
        text.contains("status 503, toxicity 0.5 on link orders-payments"),
        "{text}"
    );
}

#[test]
fn should_list_the_scenarios() {
    let out = shakedown(["list"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    for file in shipped() {
        assert!(text.contains(&file.display().to_string()), "{text}");
    }
    assert!(text.contains("checkout survives a payments crash"));
}

#[test]
fn should_refuse_a_duration_that_would_overflow_the_timeline() {
    let (code, text) = validate("tests/data/scenarios/huge-start.toml");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("huge-start.toml:18:9: \"500000000000y\" is more than a week"),
        "{text}"
    );
    assert!(!text.contains("panicked"), "{text}");
}
