//! Whether the process backend can find each service's program (`command[0]`): a path (from
//! the working directory) must be a file, a bare name must be on `PATH`. `--dry-run` asks.

use std::path::Path;

use super::model::Scenario;
use super::validate::{KeyPath, Seg};

/// The services whose program cannot be found, each with the key path of its program.
pub fn missing(scenario: &Scenario, workdir: &Path) -> Vec<(KeyPath, String)> {
    let mut out = Vec::new();
    for (name, service) in &scenario.services {
        let Some(program) = service.command.as_ref().and_then(|c| c.first()) else {
            continue;
        };
        if program.contains("{{") || found(program, workdir) {
            continue;
        }
        let at = vec![
            Seg::Key("services".into()),
            Seg::Key(name.clone()),
            Seg::Key("command".into()),
            Seg::Index(0),
        ];
        out.push((at, not_found(program)));
    }
    out
}

fn not_found(program: &str) -> String {
    if program.contains('/') {
        format!("command {program:?} does not exist (relative to the working directory)")
    } else {
        format!("command {program:?} is not on PATH")
    }
}

/// A path names a file; a bare name is a file in a `PATH` folder.
fn found(program: &str, workdir: &Path) -> bool {
    if program.contains('/') {
        return workdir.join(program).is_file();
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_programs_on_path_and_by_path_and_names_the_missing() {
        let here = Path::new(".");
        assert!(found("sh", here));
        assert!(!found("Cargo.toml", Path::new("/nonexistent")));
        assert!(found("./Cargo.toml", here));
        assert!(!found("shakedown-surely-no-such-program", here));
        assert!(not_found("bin/x").contains("does not exist"));
        assert!(not_found("x").contains("not on PATH"));
    }
}
