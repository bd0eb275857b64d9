//! Pact publications: publishing (idempotent for the same content, a conflict for
//! different content), and the queries pacts are fetched by.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;

use super::database::Store;
use super::error::StoreError;
use super::model::{sha_of, Contract, Publication, Published};
use super::pacticipants::{branch_version, ensure_pacticipant, ensure_version, tag_version};
use crate::gate::now;

/// The columns `publication_from` reads, over `publications p` joined with the consumer
/// version `v`, consumer `c` and provider `pr`: the version's branches, tags and current
/// environments come in the same row (joined by the unit separator), one query for all.
pub(crate) const PUBLICATION_COLUMNS: &str = "c.name, v.number, pr.name, p.sha, p.created_at, c.main_branch,
    (SELECT group_concat(b.branch, char(31)) FROM branch_versions b WHERE b.version_id = v.id),
    (SELECT group_concat(t.name, char(31)) FROM tags t WHERE t.version_id = v.id),
    (SELECT group_concat(e.name, char(31)) FROM deployments d JOIN environments e ON e.id = d.environment_id
       WHERE d.version_id = v.id AND d.current = 1 AND d.kind = 'deployed'),
    (SELECT group_concat(e.name, char(31)) FROM deployments d JOIN environments e ON e.id = d.environment_id
       WHERE d.version_id = v.id AND d.current = 1 AND d.kind = 'released')";

pub(crate) const PUBLICATION_JOINS: &str = "publications p
    JOIN versions v ON v.id = p.consumer_version_id
    JOIN pacticipants c ON c.id = p.consumer_id
    JOIN pacticipants pr ON pr.id = p.provider_id";

/// A list joined by the unit separator (`group_concat(x, char(31))`), split, sorted.
pub(crate) fn split(joined: Option<String>) -> Vec<String> {
    let mut out: Vec<String> = joined
        .map(|j| j.split('\u{1f}').map(str::to_string).collect())
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

/// A publication from a row of `PUBLICATION_COLUMNS`.
pub(crate) fn publication_from(row: &Row<'_>) -> rusqlite::Result<Publication> {
    Ok(Publication {
        consumer: row.get(0)?,
        consumer_version: row.get(1)?,
        provider: row.get(2)?,
        sha: row.get(3)?,
        created_at: row.get(4)?,
        main_branch: row.get(5)?,
        branches: split(row.get(6)?),
        tags: split(row.get(7)?),
        deployed_to: split(row.get(8)?),
        released_to: split(row.get(9)?),
    })
}

fn query(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Publication>, StoreError> {
    let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM {PUBLICATION_JOINS} {filter}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params, publication_from)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn content_of(conn: &Connection, sha: &str) -> Result<Value, StoreError> {
    let text: String = conn.query_row(
        "SELECT content FROM pact_contents WHERE sha = ?1",
        [sha],
        |r| r.get(0),
    )?;
    serde_json::from_str(&text)
        .map_err(|e| StoreError::Invalid(format!("stored pact {sha} is not JSON: {e}")))
}

/// `existing` with the interactions (and messages) of `new` it lacks appended.
fn merged(existing: &Value, new: &Value) -> Value {
    let mut out = existing.clone();
    for key in ["interactions", "messages"] {
        let Some(items) = new.get(key).and_then(Value::as_array) else {
            continue;
        };
        let Some(target) = out.as_object_mut() else {
            break;
        };
        let list = target
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = list.as_array_mut() {
            for item in items {
                if !list.contains(item) {
                    list.push(item.clone());
                }
            }
        }
    }
    out
}

fn store_content(conn: &Connection, content: &Value) -> Result<String, StoreError> {
    let text = content.to_string();
    let sha = sha_of(&text);
    conn.execute(
        "INSERT OR IGNORE INTO pact_contents (sha, content) VALUES (?1, ?2)",
        params![sha, text],
    )?;
    Ok(sha)
}

fn publish_in(conn: &Connection, contract: &Contract) -> Result<Published, StoreError> {
    let (cid, _) = ensure_pacticipant(conn, &contract.consumer)?;
    let (pid, _) = ensure_pacticipant(conn, &contract.provider)?;
    let (vid, _) = ensure_version(conn, cid, &contract.version, contract.build_url.as_deref())?;
    if let Some(b) = &contract.branch {
        branch_version(conn, cid, vid, b)?;
    }
    for t in &contract.tags {
        tag_version(conn, vid, t)?;
    }
    let existing: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, sha FROM publications WHERE consumer_version_id = ?1 AND provider_id = ?2",
            params![vid, pid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let published = |created, sha: String| Published {
        created,
        sha,
        consumer: contract.consumer.clone(),
        version: contract.version.clone(),
        provider: contract.provider.clone(),
    };
    let sha = store_content(conn, &contract.content)?;
    match existing {
        Some((_, old)) if old == sha => Ok(published(false, sha)),
        Some((id, old)) if contract.merge => {
            let content = merged(&content_of(conn, &old)?, &contract.content);
            let sha = store_content(conn, &content)?;
            conn.execute(
                "UPDATE publications SET sha = ?2 WHERE id = ?1",
                params![id, sha],
            )?;
            Ok(published(false, sha))
        }
        Some(_) => Err(StoreError::Conflict {
            consumer: contract.consumer.clone(),
            version: contract.version.clone(),
            provider: contract.provider.clone(),
        }),
        None => {
            conn.execute(
                "INSERT INTO publications (consumer_version_id, consumer_id, provider_id, sha, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![vid, cid, pid, sha, now()],
            )?;
            Ok(published(true, sha))
        }
    }
}

/// Which pact of a consumer with a provider.
#[derive(Debug, Clone, PartialEq)]
pub enum PactRef<'a> {
    /// The one published by this consumer version.
    Version(&'a str),
    /// The latest one.
    Latest,
    /// The latest one of a version with this tag.
    LatestTagged(&'a str),
    /// The latest one of a version on this branch.
    LatestOnBranch(&'a str),
    /// The latest publication of this content.
    Sha(&'a str),
}

impl Store {
    /// Publishes one contract, in one transaction: creates the pacticipants and the version
    /// (with its branch and tags); the same content again is a no-op, different content a
    /// [`StoreError::Conflict`] (unless `merge`).
    pub fn publish(&self, contract: &Contract) -> Result<Published, StoreError> {
        self.write(|tx| publish_in(tx, contract))
    }

    /// Publishes several contracts of one consumer version atomically: all or none.
    pub fn publish_all(&self, contracts: &[Contract]) -> Result<Vec<Published>, StoreError> {
        self.write(|tx| contracts.iter().map(|c| publish_in(tx, c)).collect())
    }

    /// A pact of `consumer` with `provider`, with its content.
    pub fn pact(
        &self,
        provider: &str,
        consumer: &str,
        which: &PactRef<'_>,
    ) -> Result<Option<(Publication, Value)>, StoreError> {
        self.read(|c| {
            let base = "WHERE pr.name = ?1 AND c.name = ?2";
            let rows = match which {
                PactRef::Version(v) => query(c, &format!("{base} AND v.number = ?3"), params![provider, consumer, v])?,
                PactRef::Latest => query(c, &format!("{base} ORDER BY v.id DESC, p.id DESC LIMIT 1"), params![provider, consumer])?,
                PactRef::LatestTagged(t) => query(
                    c,
                    &format!("{base} AND EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.name = ?3) ORDER BY v.id DESC LIMIT 1"),
                    params![provider, consumer, t],
                )?,
                PactRef::LatestOnBranch(b) => query(
                    c,
                    &format!("{base} AND EXISTS (SELECT 1 FROM branch_versions b WHERE b.version_id = v.id AND b.branch = ?3) ORDER BY v.id DESC LIMIT 1"),
                    params![provider, consumer, b],
                )?,
                PactRef::Sha(s) => query(c, &format!("{base} AND p.sha = ?3 ORDER BY v.id DESC LIMIT 1"), params![provider, consumer, s])?,
            };
            match rows.into_iter().next() {
                Some(p) => {
                    let content = content_of(c, &p.sha)?;
                    Ok(Some((p, content)))
                }
                None => Ok(None),
            }
        })
    }

    /// Every publication of pacts with `provider`, oldest first.
    pub fn provider_publications(&self, provider: &str) -> Result<Vec<Publication>, StoreError> {
        self.read(|c| query(c, "WHERE pr.name = ?1 ORDER BY p.id", params![provider]))
    }

    /// Every publication of `consumer`'s pacts with `provider`, oldest first.
    pub fn pact_versions(
        &self,
        provider: &str,
        consumer: &str,
    ) -> Result<Vec<Publication>, StoreError> {
        self.read(|c| {
            query(
                c,
                "WHERE pr.name = ?1 AND c.name = ?2 ORDER BY v.id, p.id",
                params![provider, consumer],
            )
        })
    }

    /// The latest pact of each consumer with `provider` (of versions with `tag`, when given).
    pub fn latest_pacts_for(
        &self,
        provider: &str,
        tag: Option<&str>,
    ) -> Result<Vec<Publication>, StoreError> {
        self.read(|c| {
            let tagged = match tag {
                Some(_) => "AND EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v2.id AND t.name = ?2)",
                None => "",
            };
            let filter = format!(
                "WHERE pr.name = ?1 AND p.id = (SELECT p2.id FROM publications p2 JOIN versions v2 ON v2.id = p2.consumer_version_id
                   WHERE p2.provider_id = p.provider_id AND p2.consumer_id = p.consumer_id {tagged}
                   ORDER BY v2.id DESC, p2.id DESC LIMIT 1)
                 ORDER BY c.name"
            );
            match tag {
                Some(t) => query(c, &filter, params![provider, t]),
                None => query(c, &filter, params![provider]),
            }
        })
    }

    /// The latest pact of every consumer with every provider.
    pub fn latest_pacts(&self) -> Result<Vec<Publication>, StoreError> {
        self.read(|c| {
            query(
                c,
                "WHERE p.id = (SELECT p2.id FROM publications p2 JOIN versions v2 ON v2.id = p2.consumer_version_id
                   WHERE p2.provider_id = p.provider_id AND p2.consumer_id = p.consumer_id ORDER BY v2.id DESC, p2.id DESC LIMIT 1)
                 ORDER BY c.name, pr.name",
                [],
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_merge_only_the_interactions_a_pact_lacks() {
        let old = json!({"interactions": [{"description": "a"}]});
        let new = json!({"interactions": [{"description": "a"}, {"description": "b"}], "messages": [{"description": "m"}]});
        let m = merged(&old, &new);
        assert_eq!(m["interactions"].as_array().unwrap().len(), 2);
        assert_eq!(m["messages"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn should_split_what_group_concat_joined() {
        assert_eq!(
            split(Some("main\u{1f}dev\u{1f}main".into())),
            vec!["dev", "main"]
        );
        assert!(split(None).is_empty());
    }
}
