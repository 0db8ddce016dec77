//! Notifications (SPEC L1–L2): messages are written to the outbox in the same transaction as the
//! event that causes them, under a dedupe key that makes the same message impossible to queue
//! twice; a sender delivers them later.

pub mod jobs;
pub mod send;
pub mod smtp;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::kernel::db::{DbError, Tx, ts};
use crate::on_tx;

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub member_id: Option<i64>,
    /// `welcome`, `expiry_reminder`, `tier_change`, `birthday`, …
    pub kind: &'a str,
    pub channel: &'a str,
    /// The same key is queued once (`welcome:42`, `expiry:42:2026-12-31`).
    pub dedupe_key: String,
    pub payload: Value,
    /// Marketing messages are not sent to members who opted out.
    pub marketing: bool,
    pub at: DateTime<Utc>,
}

/// Queues a message; a message with the same dedupe key is left as it is. Whether it was new.
pub async fn queue(tx: &mut Tx, m: &NewMessage<'_>) -> Result<bool, DbError> {
    let payload = m.payload.to_string();
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into outbox (member_id, kind, channel, dedupe_key, payload, marketing, status, \
             next_attempt_at, created_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) \
             on conflict (dedupe_key) do nothing",
        )
        .bind(m.member_id)
        .bind(m.kind)
        .bind(m.channel)
        .bind(&m.dedupe_key)
        .bind(&payload)
        .bind(m.marketing)
        .bind(ts(m.at))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Tells a member their tier changed.
pub async fn queue_tier_change(
    tx: &mut Tx,
    member_id: i64,
    from: &str,
    to: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    queue(
        tx,
        &NewMessage {
            member_id: Some(member_id),
            kind: "tier_change",
            channel: "sms",
            dedupe_key: format!("tier:{member_id}:{from}:{to}:{}", at.timestamp_micros()),
            payload: json!({ "from": from, "to": to }),
            marketing: false,
            at,
        },
    )
    .await
}
