//! StoreError: what a store operation can fail with.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed (I/O, corruption, a lock held too long).
    #[error("the broker store failed: {0}")]
    Database(#[from] rusqlite::Error),
    /// The store's directory could not be made.
    #[error("cannot create the broker store directory {path}: {source}")]
    Directory {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The same consumer version published different content for the same provider.
    #[error("{consumer} version {version} already published a different pact with {provider}: publish it under a new version")]
    Conflict {
        /// The consumer.
        consumer: String,
        /// Its version.
        version: String,
        /// The provider.
        provider: String,
    },
    /// Something the operation needs does not exist.
    #[error("{0} was not found")]
    NotFound(String),
    /// The input cannot be stored (not JSON, a missing name).
    #[error("{0}")]
    Invalid(String),
    /// The database was written by a newer shakedown.
    #[error("the broker store has schema version {found}, newer than this shakedown's {supported}: upgrade shakedown")]
    NewerSchema {
        /// The store's version.
        found: i64,
        /// This build's version.
        supported: i64,
    },
}
