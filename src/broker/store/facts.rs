//! The store answering can-i-deploy's questions ([`crate::gate::Facts`]) with indexed
//! queries, and the rows of the matrix.

use rusqlite::{params, Connection, OptionalExtension};

use super::database::Store;
use super::error::StoreError;
use super::model::Verification;
use super::pacts::{publication_from, PUBLICATION_COLUMNS, PUBLICATION_JOINS};
use super::verifications::verifications;
use crate::gate::{decide, Decision, Facts};

/// The store's facts, read in one snapshot (a read transaction).
pub struct StoreFacts<'a>(pub(crate) &'a Connection);

impl StoreFacts<'_> {
    fn one<T: rusqlite::types::FromSql>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<T>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql)?;
        Ok(stmt.query_row(params, |r| r.get(0)).optional()?)
    }
}

impl Facts for StoreFacts<'_> {
    type Error = StoreError;

    fn deployed(&self, pacticipant: &str, environment: &str) -> Result<Option<String>, StoreError> {
        self.one(
            "SELECT v.number FROM deployments d JOIN versions v ON v.id = d.version_id
               JOIN pacticipants p ON p.id = d.pacticipant_id JOIN environments e ON e.id = d.environment_id
             WHERE p.name = ?1 AND e.name = ?2 AND d.current = 1 ORDER BY d.kind = 'deployed' DESC, d.id DESC LIMIT 1",
            params![pacticipant, environment],
        )
    }

    fn verified(
        &self,
        provider: &str,
        version: Option<&str>,
        consumer: &str,
        digest: &str,
    ) -> Result<Option<(String, bool)>, StoreError> {
        let mut stmt = self.0.prepare_cached(
            "SELECT pv.number, vr.success FROM verifications vr JOIN versions pv ON pv.id = vr.provider_version_id
             WHERE vr.provider_id = (SELECT id FROM pacticipants WHERE name = ?1)
               AND vr.consumer_id = (SELECT id FROM pacticipants WHERE name = ?3)
               AND vr.sha = ?4 AND (?2 IS NULL OR pv.number = ?2)
             ORDER BY vr.id DESC LIMIT 1",
        )?;
        Ok(stmt
            .query_row(params![provider, version, consumer, digest], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    fn latest_verified_version(&self, provider: &str) -> Result<Option<String>, StoreError> {
        self.one(
            "SELECT pv.number FROM verifications vr JOIN versions pv ON pv.id = vr.provider_version_id
             WHERE vr.provider_id = (SELECT id FROM pacticipants WHERE name = ?1) ORDER BY vr.id DESC LIMIT 1",
            [provider],
        )
    }

    fn contracts_of(
        &self,
        consumer: &str,
        version: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.0.prepare_cached(
            "SELECT pr.name, p.sha FROM publications p JOIN versions v ON v.id = p.consumer_version_id
               JOIN pacticipants pr ON pr.id = p.provider_id
             WHERE v.pacticipant_id = (SELECT id FROM pacticipants WHERE name = ?1) AND v.number = ?2 ORDER BY p.id",
        )?;
        let rows = stmt.query_map(params![consumer, version], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn latest_contracts_with(
        &self,
        provider: &str,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let mut stmt = self.0.prepare_cached(
            "SELECT c.name, v.number, p.sha FROM publications p JOIN versions v ON v.id = p.consumer_version_id
               JOIN pacticipants c ON c.id = p.consumer_id
             WHERE p.id IN (SELECT max(id) FROM publications WHERE provider_id = (SELECT id FROM pacticipants WHERE name = ?1) GROUP BY consumer_id)
             ORDER BY p.id",
        )?;
        let rows = stmt.query_map([provider], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn has_verified(&self, provider: &str, version: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = self.one(
            "SELECT 1 FROM verifications WHERE provider_version_id =
               (SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name = ?1 AND v.number = ?2) LIMIT 1",
            params![provider, version],
        )?;
        Ok(found.is_some())
    }

    fn is_provider(&self, provider: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = self.one(
            "SELECT 1 FROM publications WHERE provider_id = (SELECT id FROM pacticipants WHERE name = ?1) LIMIT 1",
            [provider],
        )?;
        Ok(found.is_some())
    }
}

/// One row of the matrix: a consumer version's pact with a provider, and a provider
/// version's latest verification of it (none: not verified by any selected version).
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    /// The consumer.
    pub consumer: String,
    /// The consumer version.
    pub consumer_version: String,
    /// The provider.
    pub provider: String,
    /// The pact's digest.
    pub sha: String,
    /// When the pact was published.
    pub pact_created_at: String,
    /// The latest verification by the provider version (`None`: unverified).
    pub verification: Option<Verification>,
}

impl Store {
    /// Can-i-deploy, decided by [`crate::gate::decide`] over this store.
    pub fn can_i_deploy(
        &self,
        pacticipant: &str,
        version: &str,
        environment: Option<&str>,
    ) -> Result<Decision, StoreError> {
        self.read(|c| decide(&StoreFacts(c), pacticipant, version, environment))
    }

    /// The matrix rows of `consumer`'s pacts with `provider`: consumer versions in
    /// `consumer_versions` (all when `None`), verified by provider versions in
    /// `provider_versions` (all when `None`), the latest verification per consumer version
    /// and provider version; a pact no selected provider version verified gives one row
    /// without a verification.
    pub fn matrix_rows(
        &self,
        consumer: &str,
        consumer_versions: Option<&[String]>,
        provider: &str,
        provider_versions: Option<&[String]>,
    ) -> Result<Vec<MatrixRow>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {PUBLICATION_COLUMNS} FROM {PUBLICATION_JOINS} WHERE c.name = ?1 AND pr.name = ?2
                   AND (?3 IS NULL OR v.number IN (SELECT value FROM json_each(?3))) ORDER BY v.id, p.id"
            );
            let wanted = consumer_versions.map(|vs| serde_json::Value::from(vs.to_vec()).to_string());
            let mut stmt = c.prepare_cached(&sql)?;
            let pubs = stmt.query_map(params![consumer, provider, wanted], publication_from)?.collect::<Result<Vec<_>, _>>()?;
            let mut rows = Vec::new();
            for p in pubs {
                let found = verifications(
                    c,
                    "WHERE pr.name = ?1 AND c.name = ?2 AND vr.sha = ?3 AND cv.number = ?4 ORDER BY vr.id DESC",
                    params![provider, consumer, p.sha, p.consumer_version],
                )?;
                let mut seen: Vec<String> = Vec::new();
                let mut latest: Vec<Verification> = Vec::new();
                for v in found {
                    if provider_versions.is_some_and(|vs| !vs.contains(&v.provider_version)) || seen.contains(&v.provider_version) {
                        continue;
                    }
                    seen.push(v.provider_version.clone());
                    latest.push(v);
                }
                latest.reverse();
                let row = |verification| MatrixRow {
                    consumer: p.consumer.clone(),
                    consumer_version: p.consumer_version.clone(),
                    provider: p.provider.clone(),
                    sha: p.sha.clone(),
                    pact_created_at: p.created_at.clone(),
                    verification,
                };
                if latest.is_empty() {
                    rows.push(row(None));
                }
                rows.extend(latest.into_iter().map(|v| row(Some(v))));
            }
            Ok(rows)
        })
    }

    /// The version numbers of `pacticipant`, newest first: those with `tag` and on `branch`
    /// when given, at most `limit`.
    pub fn version_numbers(
        &self,
        pacticipant: &str,
        tag: Option<&str>,
        branch: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT v.number FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
                 WHERE p.name = ?1
                   AND (?2 IS NULL OR EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.name = ?2))
                   AND (?3 IS NULL OR EXISTS (SELECT 1 FROM branch_versions b WHERE b.version_id = v.id AND b.branch = ?3))
                 ORDER BY v.id DESC LIMIT ?4",
            )?;
            let limit = limit.map_or(-1, |l| l as i64);
            let rows = stmt.query_map(params![pacticipant, tag, branch, limit], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// The names of the pacticipants `pacticipant` has pacts with, either way.
    pub fn integrations_of(&self, pacticipant: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT name FROM pacticipants WHERE id IN (
                    SELECT provider_id FROM publications WHERE consumer_id = (SELECT id FROM pacticipants WHERE name = ?1)
                    UNION SELECT consumer_id FROM publications WHERE provider_id = (SELECT id FROM pacticipants WHERE name = ?1))
                 ORDER BY name",
            )?;
            let rows = stmt.query_map([pacticipant], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}
