//! Notifications (SPEC L1–L2): messages are written to the outbox in the same transaction as the
//! event that causes them, under a dedupe key that makes the same message impossible to queue
//! twice; a sender delivers them later.

pub mod jobs;
mod outgoing;
pub mod send;
pub mod smtp;
mod store;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::kernel::db::{DbError, Tx};

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
    store::insert(tx, m).await
}

/// Tells a member their tier changed.
pub async fn queue_tier_change(
    tx: &mut Tx,
    member_id: i64,
    from: &str,
    to: &str,
    names: (&str, &str),
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    queue(
        tx,
        &NewMessage {
            member_id: Some(member_id),
            kind: "tier_change",
            channel: "sms",
            dedupe_key: format!("tier:{member_id}:{from}:{to}:{}", at.timestamp_micros()),
            // The tiers' names in the member's language go with the codes: the text names them.
            payload: json!({ "from": from, "to": to, "from_name": names.0, "to_name": names.1 }),
            marketing: false,
            at,
        },
    )
    .await
}
