//! The dependency rules of ARCHITECTURE.md, checked on the source: each top-level module
//! imports from the crate only the modules its row allows, so the layering cannot drift.
//! Above all, `contract` imports nothing but the leaf helpers `paint` and `file`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What each top-level module may import from the crate (besides itself). Leaves first.
const ALLOWED: &[(&str, &[&str])] = &[
    ("paint", &[]),
    ("file", &[]),
    ("http_server", &[]),
    ("http_client", &[]),
    ("contract", &["paint", "file"]),
    ("consumer", &["contract", "http_server", "paint", "file"]),
    ("verifier", &["contract", "http_client", "paint", "file"]),
    ("gate", &["contract", "verifier", "paint", "file"]),
    (
        "broker",
        &[
            "contract",
            "gate",
            "http_server",
            "http_client",
            "paint",
            "file",
        ],
    ),
    ("chaos", &["http_server"]),
    ("partition", &[]),
    ("container", &["chaos", "verifier", "partition"]),
    ("report", &["contract", "paint", "file"]),
    (
        "scenario",
        &[
            "contract",
            "verifier",
            "chaos",
            "report",
            "http_client",
            "partition",
            "paint",
            "file",
        ],
    ),
    ("chaos_mesh", &["scenario", "chaos"]),
    (
        "cli",
        &[
            "broker",
            "chaos_mesh",
            "contract",
            "consumer",
            "verifier",
            "gate",
            "broker",
            "chaos",
            "report",
            "scenario",
            "http_client",
            "paint",
            "file",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/contract/rules/v2.rs` → `contract`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules named by `crate::NAME` paths in `text`, comments left out.
fn crate_imports(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at + "crate::".len()..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let boundary =
                at == 0 || !rest[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
            if boundary && !name.is_empty() {
                found.push(name);
            }
            rest = tail;
        }
    }
    found
}

/// Every `crate::` import that a module's row does not allow, as `file: module -> name`.
fn violations(src: &Path) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut out = Vec::new();
    for file in files {
        let module = module_of(src, &file);
        let Some(row) = allowed.get(module.as_str()) else {
            continue; // lib.rs and main.rs wire everything together
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for name in crate_imports(&text) {
            if name != module && !row.contains(&name.as_str()) {
                out.push(format!("{}: {module} -> {name}", file.display()));
            }
        }
    }
    out
}

#[test]
fn should_keep_every_module_within_its_allowed_imports() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(
        found.is_empty(),
        "imports that ARCHITECTURE.md's rules forbid:\n{}",
        found.join("\n")
    );
}

#[test]
fn should_know_every_top_level_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known: Vec<&str> = ALLOWED.iter().map(|(m, _)| *m).collect();
    for entry in std::fs::read_dir(&src).unwrap().map(Result::unwrap) {
        let name = module_of(&src, &entry.path());
        if name != "lib" && name != "main" {
            assert!(
                known.contains(&name.as_str()),
                "src/{name} has no row in ALLOWED (and in ARCHITECTURE.md)"
            );
        }
    }
}

#[test]
fn should_catch_a_contract_file_that_imports_another_module() {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("contract");
    std::fs::create_dir(&contract).unwrap();
    std::fs::write(
        contract.join("mod.rs"),
        "//! x\nuse crate::paint::paint; // fine\n",
    )
    .unwrap();
    std::fs::write(
        contract.join("bad.rs"),
        "use crate::verifier::Verifier;\n// crate::cli in a comment\n",
    )
    .unwrap();
    let found = violations(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("contract -> verifier"), "{found:?}");
}
