//! The database schema and its version: created on first open, checked on every open.

use rusqlite::Connection;

use super::error::StoreError;

/// The schema version this build writes (`schema_version.version`).
pub const SCHEMA_VERSION: i64 = 1;

const TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pacticipants (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    repository_url TEXT,
    main_branch TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    build_url TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (pacticipant_id, number)
);
CREATE TABLE IF NOT EXISTS branch_versions (
    version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    branch TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (version_id, branch)
);
CREATE INDEX IF NOT EXISTS branch_versions_by_branch ON branch_versions (pacticipant_id, branch);
CREATE TABLE IF NOT EXISTS tags (
    version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (version_id, name)
);
CREATE INDEX IF NOT EXISTS tags_by_name ON tags (name);
CREATE TABLE IF NOT EXISTS pact_contents (
    sha TEXT PRIMARY KEY,
    content TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS publications (
    id INTEGER PRIMARY KEY,
    consumer_version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    consumer_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    provider_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    sha TEXT NOT NULL REFERENCES pact_contents(sha),
    created_at TEXT NOT NULL,
    UNIQUE (consumer_version_id, provider_id)
);
CREATE INDEX IF NOT EXISTS publications_by_provider ON publications (provider_id, consumer_id, id);
CREATE INDEX IF NOT EXISTS publications_by_sha ON publications (sha);
CREATE TABLE IF NOT EXISTS verifications (
    id INTEGER PRIMARY KEY,
    provider_version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    provider_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    consumer_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    publication_id INTEGER NOT NULL REFERENCES publications(id) ON DELETE CASCADE,
    sha TEXT NOT NULL,
    success INTEGER NOT NULL,
    build_url TEXT,
    test_results TEXT,
    verified_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_by_pact ON verifications (provider_id, consumer_id, sha, id);
CREATE INDEX IF NOT EXISTS verifications_by_provider_version ON verifications (provider_version_id, id);
CREATE INDEX IF NOT EXISTS verifications_by_provider ON verifications (provider_id, id);
CREATE TABLE IF NOT EXISTS environments (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    production INTEGER NOT NULL,
    contacts TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deployments (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('deployed', 'released')),
    version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    application_instance TEXT,
    current INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX IF NOT EXISTS deployments_current ON deployments (environment_id, pacticipant_id, current, id);
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    consumer TEXT,
    provider TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"#;

/// The tables, in the order a wipe deletes them (children first).
pub const WIPE_ORDER: &[&str] = &[
    "webhooks",
    "deployments",
    "environments",
    "verifications",
    "publications",
    "pact_contents",
    "tags",
    "branch_versions",
    "versions",
    "pacticipants",
];

/// Creates the tables of a new database, or checks the version of an existing one.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute_batch(TABLES)?;
    let found: Option<i64> =
        tx.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))?;
    match found {
        None => {
            tx.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [SCHEMA_VERSION],
            )?;
        }
        Some(v) if v > SCHEMA_VERSION => {
            return Err(StoreError::NewerSchema {
                found: v,
                supported: SCHEMA_VERSION,
            })
        }
        Some(_) => {}
    }
    tx.commit()?;
    Ok(())
}
