//! The console inbox: notices for a staff member, or for a store they work at. A notice to a
//! store is seen by everyone holding a role there; each person reads it on their own.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::store;
use super::templates::{self, Edited};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::DbError;
use crate::web::i18n::Lang;

/// Notices per page.
pub const PAGE: i64 = 50;

/// A notice as the inbox shows it, in the reader's language.
pub struct NoticeView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub subject: String,
    pub body: String,
    /// The store or person it was sent to.
    pub addressee: String,
    pub to_store: bool,
    pub read: bool,
    /// The record the notice is about, for a reader who may open it.
    pub link: Option<String>,
}

/// The page of the record a notice is about, when the reader may open it.
fn link(ctx: &Ctx, kind: &str, payload: &Value) -> Option<String> {
    use patron_core::Permission;
    match kind {
        "reward_claimed_elsewhere" if ctx.can(Permission::ViewRewards) => payload
            .get("slip_no")
            .and_then(Value::as_str)
            .map(|no| format!("/rewards/slips/{no}")),
        "partner_contract_expiry" if ctx.can(Permission::ViewPartners) => payload
            .get("partner_id")
            .and_then(Value::as_i64)
            .map(|id| format!("/partners/{id}")),
        "customer_escalation" if ctx.can(Permission::AssignCustomers) => {
            Some("/customers/escalations".into())
        }
        "customer_pool_warning" if ctx.can(Permission::ViewCustomers) => payload
            .get("customer_id")
            .and_then(Value::as_i64)
            .map(|id| format!("/customers/{id}")),
        "complaint_breach" | "complaint_major" if ctx.can(Permission::HandleComplaints) => payload
            .get("complaint_id")
            .and_then(Value::as_str)
            .map(|id| format!("/complaints/{id}")),
        "portal_close_request" if ctx.can(Permission::ViewMembers) => {
            Some("/portal-requests".into())
        }
        _ => None,
    }
}

/// One page of the caller's notices.
pub struct Inbox {
    pub notices: Vec<NoticeView>,
    pub unread: i64,
    pub total: i64,
}

/// The signed-in staff member's id (scripts and the command line have no inbox).
fn me(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

/// A page (from 1) of the caller's notices, newest first, in `lang`.
pub async fn list(ctx: &Ctx, lang: Lang, page: i64) -> Result<Inbox, DbError> {
    let Some(id) = me(ctx) else {
        return Ok(Inbox {
            notices: Vec::new(),
            unread: 0,
            total: 0,
        });
    };
    let rows = store::notices(ctx.db(), id, PAGE, (page.max(1) - 1) * PAGE).await?;
    let (unread, total) = store::notice_counts(ctx.db(), id).await?;
    let edited = ctx.app.cache.get::<Edited>(ctx.db()).await?;
    let notices = rows
        .into_iter()
        .map(|r| {
            let payload: Value = serde_json::from_str(&r.payload).unwrap_or(Value::Null);
            let (subject, body) = templates::render(&edited, &r.kind, &r.addressee, &payload, lang);
            let link = link(ctx, &r.kind, &payload);
            NoticeView {
                link,
                id: r.id,
                at: r.created_at,
                subject,
                body,
                addressee: r.addressee,
                to_store: r.to_store_id.is_some(),
                read: r.read_at.is_some(),
            }
        })
        .collect();
    Ok(Inbox {
        notices,
        unread,
        total,
    })
}

/// How many notices the caller has not read.
pub async fn unread(ctx: &Ctx) -> Result<i64, DbError> {
    match me(ctx) {
        Some(id) => Ok(store::notice_counts(ctx.db(), id).await?.0),
        None => Ok(0),
    }
}

/// Marks one of the caller's notices read (`Some(id)`), or all of them; how many were unread.
/// Reading is the reader's own bookkeeping, not a business change: it is not audited.
pub async fn mark_read(ctx: &Ctx, notice: Option<i64>) -> Result<u64, DbError> {
    let Some(id) = me(ctx) else {
        return Ok(0);
    };
    let now = ctx.now();
    ctx.db()
        .write(move |tx| Box::pin(async move { store::mark_read(tx, id, notice, now).await }))
        .await
}
