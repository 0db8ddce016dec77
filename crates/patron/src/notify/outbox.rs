//! The outbox as the console shows it (administrators and managers): every message with its
//! state — queued, retried (waiting for another attempt), sending, sent, failed, skipped — and
//! why, the recipient masked (phones and e-mail addresses are personal data, N1).

use chrono::{DateTime, Utc};
use patron_core::Permission;
use patron_core::identity::mask_name;

use super::store::{self, OutboxFilter, OutboxRow};
use crate::kernel::ctx::Ctx;
use crate::kernel::pii::mask_email;
use crate::web::error::AppError;

/// Rows per page.
pub const PAGE: i64 = 50;

/// The states a person filters by, in the order the page offers them.
pub const STATES: &[&str] = &["queued", "retried", "sending", "sent", "failed", "skipped"];

/// One message as listed.
pub struct Listed {
    pub id: i64,
    pub kind: String,
    pub channel: String,
    /// One of `STATES`.
    pub state: &'static str,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Who it is for, masked: `王** 138****0000`, `总部 h***@example.com`.
    pub recipient: String,
    /// The member it is for, if any (the page links to them).
    pub member_id: Option<i64>,
    /// Why it was skipped or did not go (a catalog key), and a transport's own words.
    pub reason: Option<&'static str>,
    pub detail: Option<String>,
}

fn state(r: &OutboxRow) -> &'static str {
    match r.status.as_str() {
        "pending" if r.attempts > 0 => "retried",
        "pending" => "queued",
        "sending" => "sending",
        "sent" => "sent",
        "failed" => "failed",
        _ => "skipped",
    }
}

/// A skip reason the sender writes, as a catalog key; anything else is a transport's refusal.
fn reason(error: &str) -> Option<&'static str> {
    Some(match error {
        "no recipient" => "notify.why.no_recipient",
        "member closed" => "notify.why.member_closed",
        "opted out" => "notify.why.opted_out",
        "no address" => "notify.why.no_address",
        "put back in the queue by staff" => "notify.why.resent_by_staff",
        "marked failed by staff" => "notify.why.given_up_by_staff",
        _ => return None,
    })
}

fn recipient(r: &OutboxRow) -> String {
    let mut parts = Vec::new();
    if let Some(name) = &r.member_name {
        parts.push(mask_name(name));
        match r.channel.as_str() {
            "email" => parts.push(mask_email(r.member_email.as_deref().unwrap_or(""))),
            _ => parts.push(r.phone_masked.clone().unwrap_or_default()),
        }
    }
    if let Some(store) = &r.store_name {
        parts.push(store.clone());
        if r.channel == "email" {
            parts.push(mask_email(r.store_email.as_deref().unwrap_or("")));
        }
    }
    if let Some(staff) = &r.staff_name {
        parts.push(staff.clone());
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

/// A page (from 1) of the outbox under `filter`, and how many messages it selects.
pub async fn list(
    ctx: &Ctx,
    filter: &OutboxFilter,
    page: i64,
) -> Result<(Vec<Listed>, i64), AppError> {
    rows(ctx, filter, PAGE, (page.max(1) - 1) * PAGE).await
}

/// Every message `filter` selects (the export).
pub async fn all(ctx: &Ctx, filter: &OutboxFilter) -> Result<Vec<Listed>, AppError> {
    Ok(rows(ctx, filter, i64::MAX / 2, 0).await?.0)
}

async fn rows(
    ctx: &Ctx,
    filter: &OutboxFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Listed>, i64), AppError> {
    ctx.require(Permission::ManageNotifications)?;
    let (rows, total) = store::outbox(ctx.db(), filter, limit, offset).await?;
    let listed = rows
        .into_iter()
        .map(|r| {
            let state = state(&r);
            let error = r.last_error.clone().filter(|e| !e.is_empty());
            let reason_key = error.as_deref().and_then(reason);
            let detail = match (reason_key, error) {
                (None, Some(e)) => Some(e),
                _ => None,
            };
            Listed {
                id: r.id,
                recipient: recipient(&r),
                member_id: r.member_id,
                kind: r.kind,
                channel: r.channel,
                state,
                attempts: r.attempts,
                created_at: r.created_at,
                sent_at: r.sent_at,
                next_attempt_at: (state == "retried" || state == "queued")
                    .then_some(r.next_attempt_at),
                reason: reason_key,
                detail,
            }
        })
        .collect();
    Ok((listed, total))
}

/// A person's decision about a message stuck in `sending` (it may or may not have gone out):
/// send it again, or record it as failed. Audited; false when it was no longer stuck.
pub async fn settle(
    ctx: &crate::kernel::ctx::Ctx,
    id: i64,
    resend: bool,
) -> Result<bool, crate::kernel::db::DbError> {
    let now = ctx.now();
    let entry = ctx
        .audit(
            if resend {
                "notify.resend"
            } else {
                "notify.give_up"
            },
            "outbox",
            id,
        )
        .after(&serde_json::json!({ "resend": resend }));
    ctx.db()
        .write(move |tx| {
            let entry = entry.clone();
            Box::pin(async move {
                let done = super::store::settle_stuck(tx, id, resend, now).await?;
                if done {
                    tx.audit(entry);
                }
                Ok::<_, crate::kernel::db::DbError>(done)
            })
        })
        .await
}
