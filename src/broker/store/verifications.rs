//! Verification results: recorded against a published pact's content, read back for
//! pending status, the matrix and can-i-deploy.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::database::Store;
use super::error::StoreError;
use super::model::{Verification, VerificationInput};
use super::pacticipants::{ensure_pacticipant, ensure_version, pacticipant_id};
use super::pacts::split;
use crate::gate::now;

const COLUMNS: &str = "vr.id, pr.name, pv.number, c.name, cv.number, vr.sha, vr.success, vr.build_url, vr.test_results, vr.verified_at,
    (SELECT group_concat(b.branch, char(31)) FROM branch_versions b WHERE b.version_id = pv.id),
    (SELECT group_concat(t.name, char(31)) FROM tags t WHERE t.version_id = pv.id)";

const JOINS: &str = "verifications vr
    JOIN versions pv ON pv.id = vr.provider_version_id
    JOIN pacticipants pr ON pr.id = vr.provider_id
    JOIN pacticipants c ON c.id = vr.consumer_id
    JOIN publications p ON p.id = vr.publication_id
    JOIN versions cv ON cv.id = p.consumer_version_id";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Verification> {
    let results: Option<String> = row.get(8)?;
    Ok(Verification {
        id: row.get(0)?,
        provider: row.get(1)?,
        provider_version: row.get(2)?,
        consumer: row.get(3)?,
        consumer_version: row.get(4)?,
        sha: row.get(5)?,
        success: row.get(6)?,
        build_url: row.get(7)?,
        test_results: results.and_then(|t| serde_json::from_str(&t).ok()),
        verified_at: row.get(9)?,
        provider_branches: split(row.get(10)?),
        provider_tags: split(row.get(11)?),
    })
}

/// Verifications matching `filter` (a `WHERE …` over `vr`, `pv`, `pr`, `c`, `cv`, `p`).
pub(crate) fn verifications(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Verification>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM {JOINS} {filter}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params, from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn record_in(
    conn: &Connection,
    provider: &str,
    consumer: &str,
    sha: &str,
    input: &VerificationInput,
) -> Result<i64, StoreError> {
    let missing =
        || StoreError::NotFound(format!("the pact of {consumer} with {provider} ({sha})"));
    let pid = pacticipant_id(conn, provider)?.ok_or_else(missing)?;
    let cid = pacticipant_id(conn, consumer)?.ok_or_else(missing)?;
    let publication: i64 = conn
        .query_row(
            "SELECT id FROM publications WHERE provider_id = ?1 AND consumer_id = ?2 AND sha = ?3 ORDER BY id DESC LIMIT 1",
            params![pid, cid, sha],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(missing)?;
    let (pid, _) = ensure_pacticipant(conn, provider)?;
    let (pvid, _) = ensure_version(conn, pid, &input.provider_version, None)?;
    let results = input.test_results.as_ref().map(|v| v.to_string());
    conn.execute(
        "INSERT INTO verifications (provider_version_id, provider_id, consumer_id, publication_id, sha, success, build_url, test_results, verified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![pvid, pid, cid, publication, sha, input.success, input.build_url, results, now()],
    )?;
    Ok(conn.last_insert_rowid())
}

impl Store {
    /// Records that `input.provider_version` of `provider` verified `consumer`'s pact with
    /// content `sha` (the provider version is created when missing).
    pub fn record_verification(
        &self,
        provider: &str,
        consumer: &str,
        sha: &str,
        input: &VerificationInput,
    ) -> Result<Verification, StoreError> {
        let id = self.write(|tx| record_in(tx, provider, consumer, sha, input))?;
        self.verification(id)?
            .ok_or_else(|| StoreError::NotFound(format!("verification {id}")))
    }

    /// Records many verification results in one transaction (an import, a benchmark's
    /// seed): `(provider, consumer, sha, input)` each; how many were recorded.
    pub fn record_verifications(
        &self,
        results: &[(String, String, String, VerificationInput)],
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            for (provider, consumer, sha, input) in results {
                record_in(tx, provider, consumer, sha, input)?;
            }
            Ok(results.len())
        })
    }

    /// The verification result numbered `id`.
    pub fn verification(&self, id: i64) -> Result<Option<Verification>, StoreError> {
        self.read(|c| {
            Ok(verifications(c, "WHERE vr.id = ?1", [id])?
                .into_iter()
                .next())
        })
    }

    /// Every verification result `provider` published, oldest first.
    pub fn provider_verifications(&self, provider: &str) -> Result<Vec<Verification>, StoreError> {
        self.read(|c| verifications(c, "WHERE pr.name = ?1 ORDER BY vr.id", [provider]))
    }

    /// The verification results of the pact of `consumer` with `provider` with content `sha`,
    /// oldest first.
    pub fn pact_verifications(
        &self,
        provider: &str,
        consumer: &str,
        sha: &str,
    ) -> Result<Vec<Verification>, StoreError> {
        self.read(|c| {
            verifications(
                c,
                "WHERE pr.name = ?1 AND c.name = ?2 AND vr.sha = ?3 ORDER BY vr.id",
                params![provider, consumer, sha],
            )
        })
    }
}
