//! Chaos Mesh documents read back into a scenario.

/// Placeholder.
pub struct Import;
/// Placeholder.
#[derive(Debug, thiserror::Error)]
#[error("x")]
pub struct ImportError;
/// Placeholder.
pub fn import() {}
