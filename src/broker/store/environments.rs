//! Environments, and the versions deployed to or released in them.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;

use super::database::Store;
use super::error::StoreError;
use super::model::{Deployment, Environment};
use super::pacticipants::{ensure_pacticipant, ensure_version, pacticipant_id, version_id};
use crate::gate::now;

fn environment_from(row: &Row<'_>) -> rusqlite::Result<Environment> {
    let contacts: Option<String> = row.get(4)?;
    Ok(Environment {
        uuid: row.get(0)?,
        name: row.get(1)?,
        display_name: row.get(2)?,
        production: row.get(3)?,
        contacts: contacts.and_then(|c| serde_json::from_str(&c).ok()),
    })
}

const ENV_COLUMNS: &str = "uuid, name, display_name, production, contacts";

const DEPLOYMENT_COLUMNS: &str = "d.uuid, d.kind, p.name, v.number, e.name, e.uuid, d.application_instance, d.current, d.created_at, d.ended_at";

const DEPLOYMENT_JOINS: &str = "deployments d
    JOIN versions v ON v.id = d.version_id
    JOIN pacticipants p ON p.id = d.pacticipant_id
    JOIN environments e ON e.id = d.environment_id";

fn deployment_from(row: &Row<'_>) -> rusqlite::Result<Deployment> {
    Ok(Deployment {
        uuid: row.get(0)?,
        kind: row.get(1)?,
        pacticipant: row.get(2)?,
        version: row.get(3)?,
        environment: row.get(4)?,
        environment_uuid: row.get(5)?,
        application_instance: row.get(6)?,
        current: row.get(7)?,
        created_at: row.get(8)?,
        ended_at: row.get(9)?,
    })
}

fn deployments(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Deployment>, StoreError> {
    let sql = format!("SELECT {DEPLOYMENT_COLUMNS} FROM {DEPLOYMENT_JOINS} {filter}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params, deployment_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn save_env(conn: &Connection, env: &Environment) -> Result<bool, StoreError> {
    let contacts = env.contacts.as_ref().map(Value::to_string);
    let updated = conn.execute(
        "UPDATE environments SET name = ?2, display_name = ?3, production = ?4, contacts = ?5 WHERE uuid = ?1",
        params![env.uuid, env.name, env.display_name, env.production, contacts],
    )?;
    if updated > 0 {
        return Ok(false);
    }
    let taken: Option<String> = conn
        .query_row(
            "SELECT uuid FROM environments WHERE name = ?1",
            [&env.name],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(StoreError::Invalid(format!(
            "an environment named {:?} already exists",
            env.name
        )));
    }
    conn.execute(
        "INSERT INTO environments (uuid, name, display_name, production, contacts, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![env.uuid, env.name, env.display_name, env.production, contacts, now()],
    )?;
    Ok(true)
}

/// What to record: `version` of `pacticipant` deployed to (or released in) the environment
/// `environment_uuid`.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement<'a> {
    /// `deployed` or `released`.
    pub kind: &'a str,
    /// The pacticipant.
    pub pacticipant: &'a str,
    /// Its version.
    pub version: &'a str,
    /// The environment's identifier.
    pub environment_uuid: &'a str,
    /// The instance it runs as (deployments only).
    pub application_instance: Option<&'a str>,
    /// The new record's identifier.
    pub uuid: &'a str,
}

fn place(conn: &Connection, p: &Placement<'_>) -> Result<String, StoreError> {
    let env: i64 = conn
        .query_row(
            "SELECT id FROM environments WHERE uuid = ?1",
            [p.environment_uuid],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("environment {}", p.environment_uuid)))?;
    let (pid, _) = ensure_pacticipant(conn, p.pacticipant)?;
    let (vid, _) = ensure_version(conn, pid, p.version, None)?;
    if p.kind == "released" {
        let existing: Option<String> = conn
            .query_row(
                "SELECT uuid FROM deployments WHERE kind = 'released' AND version_id = ?1 AND environment_id = ?2 AND current = 1",
                params![vid, env],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(uuid) = existing {
            return Ok(uuid);
        }
    } else {
        // A new deployment replaces what ran as the same instance of this pacticipant there.
        conn.execute(
            "UPDATE deployments SET current = 0, ended_at = ?4 WHERE kind = 'deployed' AND pacticipant_id = ?1 AND environment_id = ?2
               AND current = 1 AND coalesce(application_instance, '') = coalesce(?3, '')",
            params![pid, env, p.application_instance, now()],
        )?;
    }
    conn.execute(
        "INSERT INTO deployments (uuid, kind, version_id, pacticipant_id, environment_id, application_instance, current, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)",
        params![p.uuid, p.kind, vid, pid, env, p.application_instance, now()],
    )?;
    Ok(p.uuid.to_string())
}

impl Store {
    /// Every environment, by name.
    pub fn environments(&self) -> Result<Vec<Environment>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {ENV_COLUMNS} FROM environments ORDER BY name"
            ))?;
            let rows = stmt.query_map([], environment_from)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// The environment with this identifier (or, failing that, this name).
    pub fn environment(&self, uuid_or_name: &str) -> Result<Option<Environment>, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {ENV_COLUMNS} FROM environments WHERE uuid = ?1 OR name = ?1 ORDER BY uuid = ?1 DESC LIMIT 1"),
                [uuid_or_name],
                environment_from,
            )
            .optional()?)
        })
    }

    /// Creates or replaces the environment `env.uuid`; true when created. A second
    /// environment with the same name is refused.
    pub fn save_environment(&self, env: &Environment) -> Result<bool, StoreError> {
        self.write(|tx| save_env(tx, env))
    }

    /// Deletes an environment (and what was deployed to it); true when it existed.
    pub fn delete_environment(&self, uuid: &str) -> Result<bool, StoreError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM environments WHERE uuid = ?1", [uuid])? > 0))
    }

    /// Records a deployment or release; its identifier (an existing current release of the
    /// same version is returned as is).
    pub fn record_placement(&self, placement: &Placement<'_>) -> Result<Deployment, StoreError> {
        let uuid = self.write(|tx| place(tx, placement))?;
        self.deployment(&uuid)?
            .ok_or_else(|| StoreError::NotFound(format!("deployment {uuid}")))
    }

    /// The deployment or release with this identifier.
    pub fn deployment(&self, uuid: &str) -> Result<Option<Deployment>, StoreError> {
        self.read(|c| {
            Ok(deployments(c, "WHERE d.uuid = ?1", [uuid])?
                .into_iter()
                .next())
        })
    }

    /// The current deployments (`kind` `deployed`) or supported releases (`released`) in
    /// environment `uuid`, of `pacticipant` when given, oldest first.
    pub fn current_in(
        &self,
        kind: &str,
        uuid: &str,
        pacticipant: Option<&str>,
    ) -> Result<Vec<Deployment>, StoreError> {
        self.read(|c| {
            deployments(
                c,
                "WHERE e.uuid = ?1 AND d.kind = ?2 AND d.current = 1 AND (?3 IS NULL OR p.name = ?3) ORDER BY d.id",
                params![uuid, kind, pacticipant],
            )
        })
    }

    /// Ends a deployment (undeployed) or a release's support; the record after the change.
    pub fn end_placement(&self, uuid: &str) -> Result<Option<Deployment>, StoreError> {
        let changed = self.write(|tx| {
            Ok(tx.execute("UPDATE deployments SET current = 0, ended_at = coalesce(ended_at, ?2) WHERE uuid = ?1", params![uuid, now()])? > 0)
        })?;
        if changed {
            self.deployment(uuid)
        } else {
            Ok(None)
        }
    }

    /// Whether version `number` of `pacticipant` exists (for links that need it).
    pub fn has_version(&self, pacticipant: &str, number: &str) -> Result<bool, StoreError> {
        self.read(|c| match pacticipant_id(c, pacticipant)? {
            Some(pid) => Ok(version_id(c, pid, number)?.is_some()),
            None => Ok(false),
        })
    }
}
