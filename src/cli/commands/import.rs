//! `shakedown import chaos-mesh FILE...`: Chaos Mesh resources as a scenario.

use crate::chaos_mesh;
use crate::cli::args::ImportArgs;
use crate::cli::out::out;
use crate::cli::outcome::Outcome;

/// `shakedown import chaos-mesh`.
pub fn run(args: &ImportArgs) -> Outcome {
    let import = match chaos_mesh::import(&args.files) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("shakedown import: {e}");
            return Outcome::UsageError;
        }
    };
    for w in &import.warnings {
        eprintln!("warning: {w}");
    }
    match &args.output {
        None => out!("{}", import.toml),
        Some(file) => {
            if let Err(e) = std::fs::write(file, &import.toml) {
                eprintln!("shakedown import: {}: {e}", file.display());
                return Outcome::UsageError;
            }
            eprintln!("wrote {}", file.display());
        }
    }
    Outcome::Ok
}
