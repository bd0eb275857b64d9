//! `shakedown import chaos-mesh FILE...`: Chaos Mesh resources as a scenario.

use crate::cli::args::ImportArgs;
use crate::cli::outcome::Outcome;

/// `shakedown import chaos-mesh`.
pub fn run(_args: &ImportArgs) -> Outcome {
    Outcome::UsageError
}
