//! Notifications (SPEC L1–L2): messages are written to the outbox in the same transaction as the
//! event that causes them, under a dedupe key that makes the same message impossible to queue
//! twice; a sender delivers them later.
//!
//! A notice for a store or a staff member (`notice`) is a message on channel `store` / `staff`
//! naming its addressee; it shows in the console inbox of everyone at that store (or of that
//! person) at once, read or unread per person (`inbox`), and the sender also e-mails it to the
//! store's address when the store has one. Message texts are templates staff may edit per event
//! and language (`templates`); the console pages are the inbox, the outbox and the texts (`pages`).

pub mod inbox;
pub mod jobs;
pub mod messages;
pub mod outbox;
mod outgoing;
pub mod pages;
pub mod send;
pub mod smtp;
mod store;
pub mod templates;
pub mod texts;

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
    store::insert(tx, m, (None, None)).await
}

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    /// Everyone working at the store (and its e-mail address, if it has one).
    Store(i64),
    /// One staff member; `None` when there is nobody to tell (the outbox shows it skipped).
    Staff(Option<i64>),
}

/// A notice for staff: queued like any message, in the same transaction as its event.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub to: To,
    /// The event (`reward_claimed_elsewhere`, `partner_contract_expiry`, …).
    pub kind: &'a str,
    pub dedupe_key: String,
    pub payload: Value,
    pub at: DateTime<Utc>,
}

/// Queues a notice for a store or a staff member; whether it was new.
pub async fn notice(tx: &mut Tx, n: &Notice<'_>) -> Result<bool, DbError> {
    let (channel, to) = match n.to {
        To::Store(id) => ("store", (Some(id), None)),
        To::Staff(id) => ("staff", (None, id)),
    };
    let m = NewMessage {
        member_id: None,
        kind: n.kind,
        channel,
        dedupe_key: n.dedupe_key.clone(),
        payload: n.payload.clone(),
        marketing: false,
        at: n.at,
    };
    store::insert(tx, &m, to).await
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
