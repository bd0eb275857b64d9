//! Webhooks, stored as the JSON documents they were given (never run).

use rusqlite::{params, OptionalExtension};
use serde_json::Value;

use super::database::Store;
use super::error::StoreError;
use super::model::Webhook;
use crate::gate::now;

impl Store {
    /// Creates or replaces webhook `hook.uuid`; true when created.
    pub fn save_webhook(&self, hook: &Webhook) -> Result<bool, StoreError> {
        self.write(|tx| {
            let body = hook.body.to_string();
            let updated = tx.execute(
                "UPDATE webhooks SET consumer = ?2, provider = ?3, body = ?4 WHERE uuid = ?1",
                params![hook.uuid, hook.consumer, hook.provider, body],
            )?;
            if updated > 0 {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO webhooks (uuid, consumer, provider, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![hook.uuid, hook.consumer, hook.provider, body, now()],
            )?;
            Ok(true)
        })
    }

    /// The webhook with this identifier.
    pub fn webhook(&self, uuid: &str) -> Result<Option<Webhook>, StoreError> {
        self.read(|c| {
            let row: Option<(String, Option<String>, Option<String>, String)> = c
                .query_row(
                    "SELECT uuid, consumer, provider, body FROM webhooks WHERE uuid = ?1",
                    [uuid],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            Ok(row.map(|(uuid, consumer, provider, body)| Webhook {
                uuid,
                consumer,
                provider,
                body: serde_json::from_str(&body).unwrap_or(Value::Null),
            }))
        })
    }

    /// Every webhook's identifier and description, oldest first.
    pub fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT uuid, consumer, provider, body FROM webhooks ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| {
                let body: String = r.get(3)?;
                Ok(Webhook {
                    uuid: r.get(0)?,
                    consumer: r.get(1)?,
                    provider: r.get(2)?,
                    body: serde_json::from_str(&body).unwrap_or(Value::Null),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Deletes a webhook; true when it existed.
    pub fn delete_webhook(&self, uuid: &str) -> Result<bool, StoreError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM webhooks WHERE uuid = ?1", [uuid])? > 0))
    }
}
