//! `shakedown export --format chaos-mesh SCENARIO`: a scenario as Chaos Mesh resources.

use std::path::Path;

use crate::chaos_mesh::{self, Document};
use crate::cli::args::{ExportArgs, ExportFormat};
use crate::cli::out::out;
use crate::cli::outcome::Outcome;
use crate::scenario::Problem;

/// `shakedown export`.
pub fn run(args: &ExportArgs) -> Outcome {
    let ExportFormat::ChaosMesh = args.format;
    let export = match chaos_mesh::export(&args.scenario) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return Outcome::UsageError;
        }
    };
    for w in &export.warnings {
        eprintln!("{}", warning(w));
    }
    if args.strict && !export.warnings.is_empty() {
        let n = export.warnings.len();
        eprintln!("shakedown export: --strict: {n} thing(s) cannot be expressed in Chaos Mesh; nothing written");
        return Outcome::UsageError;
    }
    match &args.output {
        None => {
            out!("{}", chaos_mesh::stream(&export.documents));
            Outcome::Ok
        }
        Some(dir) => write_all(dir, &export.documents),
    }
}

/// `FILE:LINE:COLUMN: warning: MESSAGE`.
fn warning(p: &Problem) -> String {
    format!(
        "{}:{}:{}: warning: {}",
        p.file.display(),
        p.line,
        p.column,
        p.message
    )
}

fn write_all(dir: &Path, documents: &[Document]) -> Outcome {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("shakedown export: {}: {e}", dir.display());
        return Outcome::UsageError;
    }
    for d in documents {
        let path = dir.join(d.file_name());
        if let Err(e) = std::fs::write(&path, d.yaml()) {
            eprintln!("shakedown export: {}: {e}", path.display());
            return Outcome::UsageError;
        }
        eprintln!("wrote {}", path.display());
    }
    Outcome::Ok
}
