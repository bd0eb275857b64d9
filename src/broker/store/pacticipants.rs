//! Pacticipants and their versions, branches and tags.

use rusqlite::{params, Connection, OptionalExtension};

use super::database::Store;
use super::error::StoreError;
use super::model::{Pacticipant, Version};
use crate::gate::now;

/// Fields of a pacticipant to set (`None`: leave as is).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PacticipantFields {
    /// A name for people.
    pub display_name: Option<String>,
    /// Where its code lives.
    pub repository_url: Option<String>,
    /// Its main branch.
    pub main_branch: Option<String>,
}

/// The id of pacticipant `name`, created when missing; and whether it was created.
pub(crate) fn ensure_pacticipant(conn: &Connection, name: &str) -> Result<(i64, bool), StoreError> {
    if let Some(id) = pacticipant_id(conn, name)? {
        return Ok((id, false));
    }
    conn.execute(
        "INSERT INTO pacticipants (name, created_at) VALUES (?1, ?2)",
        params![name, now()],
    )?;
    Ok((conn.last_insert_rowid(), true))
}

pub(crate) fn pacticipant_id(conn: &Connection, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row("SELECT id FROM pacticipants WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

/// The id of `number` of pacticipant `pid`, created when missing; and whether it was created.
pub(crate) fn ensure_version(
    conn: &Connection,
    pid: i64,
    number: &str,
    build_url: Option<&str>,
) -> Result<(i64, bool), StoreError> {
    if let Some(id) = version_id(conn, pid, number)? {
        if build_url.is_some() {
            conn.execute(
                "UPDATE versions SET build_url = ?2 WHERE id = ?1",
                params![id, build_url],
            )?;
        }
        return Ok((id, false));
    }
    conn.execute(
        "INSERT INTO versions (pacticipant_id, number, build_url, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![pid, number, build_url, now()],
    )?;
    Ok((conn.last_insert_rowid(), true))
}

pub(crate) fn version_id(
    conn: &Connection,
    pid: i64,
    number: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM versions WHERE pacticipant_id = ?1 AND number = ?2",
            params![pid, number],
            |r| r.get(0),
        )
        .optional()?)
}

/// Tags version `vid`; true when the tag is new.
pub(crate) fn tag_version(conn: &Connection, vid: i64, tag: &str) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO tags (version_id, name, created_at) VALUES (?1, ?2, ?3)",
        params![vid, tag, now()],
    )? > 0)
}

/// Puts version `vid` of `pid` on `branch`; true when it was not on it.
pub(crate) fn branch_version(
    conn: &Connection,
    pid: i64,
    vid: i64,
    branch: &str,
) -> Result<bool, StoreError> {
    // As the Pact Broker does: the first of develop/main/master seen becomes the main branch.
    conn.execute(
        "UPDATE pacticipants SET main_branch = ?2 WHERE id = ?1 AND main_branch IS NULL AND ?2 IN ('develop', 'main', 'master')",
        params![pid, branch],
    )?;
    Ok(conn.execute(
        "INSERT OR IGNORE INTO branch_versions (version_id, pacticipant_id, branch, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![vid, pid, branch, now()],
    )? > 0)
}

pub(crate) fn strings(conn: &Connection, sql: &str, id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn branches_of(conn: &Connection, vid: i64) -> Result<Vec<String>, StoreError> {
    strings(
        conn,
        "SELECT branch FROM branch_versions WHERE version_id = ?1 ORDER BY created_at, branch",
        vid,
    )
}

pub(crate) fn tags_of(conn: &Connection, vid: i64) -> Result<Vec<String>, StoreError> {
    strings(
        conn,
        "SELECT name FROM tags WHERE version_id = ?1 ORDER BY created_at, name",
        vid,
    )
}

fn load_version(conn: &Connection, pacticipant: &str, vid: i64) -> Result<Version, StoreError> {
    let (number, build_url, created_at) = conn.query_row(
        "SELECT number, build_url, created_at FROM versions WHERE id = ?1",
        [vid],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(Version {
        pacticipant: pacticipant.to_string(),
        number,
        branches: branches_of(conn, vid)?,
        tags: tags_of(conn, vid)?,
        build_url,
        created_at,
    })
}

fn load_pacticipant(conn: &Connection, name: &str) -> Result<Option<Pacticipant>, StoreError> {
    let row = conn
        .query_row(
            "SELECT p.name, p.display_name, p.repository_url, p.main_branch, p.created_at,
                    (SELECT number FROM versions v WHERE v.pacticipant_id = p.id ORDER BY v.id DESC LIMIT 1)
             FROM pacticipants p WHERE p.name = ?1",
            [name],
            |r| {
                Ok(Pacticipant {
                    name: r.get(0)?,
                    display_name: r.get(1)?,
                    repository_url: r.get(2)?,
                    main_branch: r.get(3)?,
                    created_at: r.get(4)?,
                    latest_version: r.get(5)?,
                })
            },
        )
        .optional()?;
    Ok(row)
}

fn set_fields(conn: &Connection, pid: i64, fields: &PacticipantFields) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE pacticipants SET display_name = coalesce(?2, display_name),
            repository_url = coalesce(?3, repository_url), main_branch = coalesce(?4, main_branch)
         WHERE id = ?1",
        params![
            pid,
            fields.display_name,
            fields.repository_url,
            fields.main_branch
        ],
    )?;
    Ok(())
}

impl Store {
    /// The pacticipant called `name`.
    pub fn pacticipant(&self, name: &str) -> Result<Option<Pacticipant>, StoreError> {
        self.read(|c| load_pacticipant(c, name))
    }

    /// Every pacticipant, by name.
    pub fn pacticipants(&self) -> Result<Vec<Pacticipant>, StoreError> {
        self.read(|c| {
            let names: Vec<String> = {
                let mut stmt = c.prepare_cached("SELECT name FROM pacticipants ORDER BY name")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            let mut out = Vec::new();
            for n in names {
                out.extend(load_pacticipant(c, &n)?);
            }
            Ok(out)
        })
    }

    /// Creates pacticipant `name` or updates the given fields; true when it was created.
    pub fn save_pacticipant(
        &self,
        name: &str,
        fields: &PacticipantFields,
    ) -> Result<(Pacticipant, bool), StoreError> {
        self.write(|tx| {
            let (pid, created) = ensure_pacticipant(tx, name)?;
            set_fields(tx, pid, fields)?;
            let p = load_pacticipant(tx, name)?.ok_or_else(|| StoreError::NotFound(name.into()))?;
            Ok((p, created))
        })
    }

    /// Version `number` of `pacticipant`.
    pub fn version(&self, pacticipant: &str, number: &str) -> Result<Option<Version>, StoreError> {
        self.read(|c| {
            let Some(pid) = pacticipant_id(c, pacticipant)? else {
                return Ok(None);
            };
            match version_id(c, pid, number)? {
                Some(vid) => Ok(Some(load_version(c, pacticipant, vid)?)),
                None => Ok(None),
            }
        })
    }

    /// The versions of `pacticipant`, newest first.
    pub fn versions(&self, pacticipant: &str) -> Result<Vec<Version>, StoreError> {
        self.read(|c| {
            let Some(pid) = pacticipant_id(c, pacticipant)? else {
                return Ok(Vec::new());
            };
            let ids = ids(
                c,
                "SELECT id FROM versions WHERE pacticipant_id = ?1 ORDER BY id DESC",
                pid,
            )?;
            ids.into_iter()
                .map(|vid| load_version(c, pacticipant, vid))
                .collect()
        })
    }

    /// The newest version of `pacticipant` (with `tag`, when given).
    pub fn latest_version(
        &self,
        pacticipant: &str,
        tag: Option<&str>,
    ) -> Result<Option<Version>, StoreError> {
        self.read(|c| {
            let Some(pid) = pacticipant_id(c, pacticipant)? else { return Ok(None) };
            let vid: Option<i64> = match tag {
                None => c
                    .query_row("SELECT id FROM versions WHERE pacticipant_id = ?1 ORDER BY id DESC LIMIT 1", [pid], |r| r.get(0))
                    .optional()?,
                Some(t) => c
                    .query_row(
                        "SELECT v.id FROM versions v JOIN tags t ON t.version_id = v.id
                         WHERE v.pacticipant_id = ?1 AND t.name = ?2 ORDER BY v.id DESC LIMIT 1",
                        params![pid, t],
                        |r| r.get(0),
                    )
                    .optional()?,
            };
            vid.map(|v| load_version(c, pacticipant, v)).transpose()
        })
    }

    /// Creates version `number` of `pacticipant` (and the pacticipant) when missing, with
    /// `branch` added; true when the version was created.
    pub fn save_version(
        &self,
        pacticipant: &str,
        number: &str,
        branch: Option<&str>,
        build_url: Option<&str>,
    ) -> Result<(Version, bool), StoreError> {
        self.write(|tx| {
            let (pid, _) = ensure_pacticipant(tx, pacticipant)?;
            let (vid, created) = ensure_version(tx, pid, number, build_url)?;
            if let Some(b) = branch {
                branch_version(tx, pid, vid, b)?;
            }
            Ok((load_version(tx, pacticipant, vid)?, created))
        })
    }

    /// Tags version `number` of `pacticipant` (both created when missing); true when the
    /// tag is new.
    pub fn tag(&self, pacticipant: &str, number: &str, tag: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            let (pid, _) = ensure_pacticipant(tx, pacticipant)?;
            let (vid, _) = ensure_version(tx, pid, number, None)?;
            tag_version(tx, vid, tag)
        })
    }

    /// Puts version `number` of `pacticipant` on `branch` (all created when missing); true
    /// when it was not on it.
    pub fn add_to_branch(
        &self,
        pacticipant: &str,
        branch: &str,
        number: &str,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let (pid, _) = ensure_pacticipant(tx, pacticipant)?;
            let (vid, _) = ensure_version(tx, pid, number, None)?;
            branch_version(tx, pid, vid, branch)
        })
    }

    /// The versions on `branch` of `pacticipant`, newest first (`None`: no such branch).
    pub fn branch(
        &self,
        pacticipant: &str,
        branch: &str,
    ) -> Result<Option<Vec<String>>, StoreError> {
        self.read(|c| {
            let Some(pid) = pacticipant_id(c, pacticipant)? else {
                return Ok(None);
            };
            let mut stmt = c.prepare_cached(
                "SELECT v.number FROM branch_versions b JOIN versions v ON v.id = b.version_id
                 WHERE b.pacticipant_id = ?1 AND b.branch = ?2 ORDER BY v.id DESC",
            )?;
            let rows: Vec<String> = stmt
                .query_map(params![pid, branch], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok(if rows.is_empty() { None } else { Some(rows) })
        })
    }

    /// Deletes `branch` of `pacticipant` (its versions stay); true when it existed.
    pub fn delete_branch(&self, pacticipant: &str, branch: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            let Some(pid) = pacticipant_id(tx, pacticipant)? else {
                return Ok(false);
            };
            Ok(tx.execute(
                "DELETE FROM branch_versions WHERE pacticipant_id = ?1 AND branch = ?2",
                params![pid, branch],
            )? > 0)
        })
    }
}

pub(crate) fn ids(conn: &Connection, sql: &str, id: i64) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
