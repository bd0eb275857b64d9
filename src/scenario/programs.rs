//! Whether the process backend can find each service's program (`command[0]`): a path (from
//! the root of the file that defines the service) must be a file, a bare name must be on
//! `PATH`. `{{ env.NAME }}` placeholders are rendered first; a program with other
//! placeholders is only known when the run starts, and is not checked.

use std::path::{Path, PathBuf};

use super::model::Scenario;
use super::template::{self, Placeholder};
use super::validate::{KeyPath, Seg};

/// The services whose program cannot be found, each with the key path of its program.
pub fn missing(scenario: &Scenario) -> Vec<(KeyPath, String)> {
    let mut out = Vec::new();
    for (name, service) in &scenario.services {
        let Some(written) = service.command.as_ref().and_then(|c| c.first()) else {
            continue;
        };
        let Some(program) = rendered(written) else {
            continue;
        };
        if found(&program, &service.dir) {
            continue;
        }
        let at = vec![
            Seg::Key("services".into()),
            Seg::Key(name.clone()),
            Seg::Key("command".into()),
            Seg::Index(0),
        ];
        out.push((at, not_found(written, &program, &service.dir)));
    }
    out
}

/// The program with its `{{ env.NAME }}` placeholders rendered (`None`: other placeholders,
/// or an unset variable, which validation reports).
fn rendered(program: &str) -> Option<String> {
    template::render(program, |expr| match template::parse(expr) {
        Ok(Placeholder::Env(name, default)) => template::env_value(name, default).ok(),
        _ => None,
    })
    .ok()
}

/// Where a program runs from: a path joined to the service's folder, a bare name as is.
pub fn resolve(program: &str, dir: &Path) -> PathBuf {
    if program.contains('/') {
        dir.join(program)
    } else {
        PathBuf::from(program)
    }
}

fn not_found(written: &str, program: &str, dir: &Path) -> String {
    if program.contains('/') {
        let path = resolve(program, dir);
        format!(
            "command {written:?} does not exist (no file {})",
            path.display()
        )
    } else {
        format!("command {written:?} is not on PATH")
    }
}

/// A path names a file; a bare name is a file in a `PATH` folder.
fn found(program: &str, dir: &Path) -> bool {
    if program.contains('/') {
        return resolve(program, dir).is_file();
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_programs_on_path_and_by_path_and_names_the_missing() {
        let here = std::env::current_dir().unwrap();
        assert!(found("sh", &here));
        assert!(!found("./Cargo.toml", Path::new("/nonexistent")));
        assert!(found("./Cargo.toml", &here));
        assert!(!found("shakedown-surely-no-such-program", &here));
        assert!(not_found("bin/x", "bin/x", Path::new("/d")).contains("no file /d/bin/x"));
        assert!(not_found("x", "x", &here).contains("not on PATH"));
    }

    #[test]
    fn env_placeholders_are_rendered_with_their_defaults() {
        let program = r#"{{ env.SHAKEDOWN_SURELY_UNSET | default: "../target" }}/debug/x"#;
        assert_eq!(rendered(program).unwrap(), "../target/debug/x");
        assert_eq!(rendered("{{ port }}/x"), None);
    }
}
