//! The audit append, beside the write path that calls it: the entries a request collected are
//! chained (each entry's hash covers the previous one) and stored in the request's transaction.
//! Reading and verifying the log is `kernel::audit`.

use chrono::{DateTime, Utc};
use patron_core::audit::{AuditFields, link_hash};
use serde::Serialize;

use super::{DbError, Tx};
use crate::on_tx;

/// One audit entry before it is chained.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    pub store_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
}

fn json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

impl AuditEntry {
    pub fn store(mut self, store_id: i64) -> Self {
        self.store_id = Some(store_id);
        self
    }

    /// The state before the change (serialized as JSON). Never pass secrets or full personal
    /// data: pass the masked form.
    pub fn before<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.before = json(value);
        self
    }

    /// The state after the change (serialized as JSON).
    pub fn after<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.after = json(value);
        self
    }
}

/// The text form of a timestamp inside the chain.
pub fn chain_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Chains and stores the entries `tx` collected. Called by the write path only.
pub(crate) async fn append(tx: &mut Tx) -> Result<(), DbError> {
    let entries = tx.take_audit();
    if entries.is_empty() {
        return Ok(());
    }
    // Updating the head row first takes its lock on PostgreSQL: concurrent appends queue here.
    let (mut seq, mut prev): (i64, String) = on_tx!(tx, |c| {
        sqlx::query_as(
            "update audit_head set last_seq = last_seq where id = 1 returning last_seq, last_hash",
        )
        .fetch_one(c)
        .await
    })?;
    for e in &entries {
        seq += 1;
        let at = super::ts(e.at);
        let at_text = chain_time(at);
        let hash = link_hash(
            &prev,
            &AuditFields {
                seq,
                at: &at_text,
                actor_kind: &e.actor_kind,
                actor_id: e.actor_id,
                actor_name: &e.actor_name,
                action: &e.action,
                entity_kind: &e.entity_kind,
                entity_id: &e.entity_id,
                store_id: e.store_id,
                before: e.before.as_deref(),
                after: e.after.as_deref(),
                request_id: e.request_id.as_deref(),
            },
        );
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into audit_log (seq, at, actor_kind, actor_id, actor_name, action, \
                 entity_kind, entity_id, store_id, before, after, request_id, prev_hash, hash) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(seq)
            .bind(at)
            .bind(&e.actor_kind)
            .bind(e.actor_id)
            .bind(&e.actor_name)
            .bind(&e.action)
            .bind(&e.entity_kind)
            .bind(&e.entity_id)
            .bind(e.store_id)
            .bind(&e.before)
            .bind(&e.after)
            .bind(&e.request_id)
            .bind(&prev)
            .bind(&hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        prev = hash;
    }
    on_tx!(tx, |c| {
        sqlx::query("update audit_head set last_seq = $1, last_hash = $2 where id = 1")
            .bind(seq)
            .bind(&prev)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
