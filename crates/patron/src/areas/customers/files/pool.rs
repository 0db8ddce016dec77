//! The shared pool (公海, F2): a customer whose owner has not been in touch in time goes back to
//! the pool, where anyone may claim it. In time means a first callback within
//! `first_contact_days` of owning it, then one within the grade's cadence of the last. The owner
//! is warned `warn_days` before (one notice per customer and deadline). Run twice, the daily job
//! `customers-pool-return` does it once: the return is a guarded update naming the owner, the
//! warning an outbox message under a dedupe key.
//!
//! The daily job `customers-link-sales` gives group-buy buyers recorded before the link existed
//! their organisation's folded name, by which a customer's purchase history is found.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;

use super::store::{self, Held, OwnerChange, Settings};
use crate::areas::customers::CustomersError;
use crate::jobs::RunReport;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::notify::{Notice, To, notice};

/// The outbox kind of the warning to the owner.
pub const WARNING: &str = "customer_pool_warning";

/// The last day the owner may get in touch before the customer returns to the pool: the first
/// contact is due `first_contact_days` after owning it, later ones the grade's cadence after the
/// last contact (a contact from before the current owner does not count).
pub fn deadline(h: &Held, s: &Settings, tz: Tz) -> NaiveDate {
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
    let since = h.owned_since.unwrap_or(h.created_at);
    match h.last_contact_at.filter(|t| *t >= since) {
        Some(last) => local(last) + chrono::Days::new(days(s.cadence(&h.grade))),
        None => local(since) + chrono::Days::new(days(s.first_contact_days)),
    }
}

fn days(n: i64) -> u64 {
    u64::try_from(n.max(0)).unwrap_or(0)
}

/// Whether the owner should be warned on `today` (inside the warning window, not yet warned in it).
pub fn warn_due(h: &Held, deadline: NaiveDate, s: &Settings, today: NaiveDate) -> bool {
    let from = deadline - chrono::Days::new(days(s.warn_days));
    today >= from && today <= deadline && h.pool_warned_on.is_none_or(|w| w < from)
}

pub async fn return_to_pool(ctx: &Ctx, today: NaiveDate) -> Result<RunReport, CustomersError> {
    let mut report = RunReport::default();
    let settings = store::settings(ctx.db()).await?;
    let tz = ctx.app.config.tz();
    for h in store::held(ctx.db(), None).await? {
        report.seen += 1;
        let due = deadline(&h, &settings, tz);
        let done = if today > due {
            give_back(ctx, &h, due).await?
        } else if warn_due(&h, due, &settings, today) {
            warn(ctx, &h, due, today).await?
        } else {
            false
        };
        if done {
            report.processed += 1;
        }
    }
    Ok(report)
}

/// Returns one customer to the pool if it still has the same owner; whether this run did it.
async fn give_back(ctx: &Ctx, h: &Held, due: NaiveDate) -> Result<bool, CustomersError> {
    let (c, h) = (ctx.clone(), h.clone());
    ctx.db()
        .write(move |tx| {
            let (c, h) = (c.clone(), h.clone());
            Box::pin(async move {
                let now = ts(c.now());
                if store::move_owner(tx, h.id, Some(h.owner_staff_id), None, now).await? != 1 {
                    return Ok(false);
                }
                let note = format!("{due} 前未联系");
                store::insert_owner_change(
                    tx,
                    &OwnerChange {
                        customer_id: h.id,
                        from_staff_id: Some(h.owner_staff_id),
                        to_staff_id: None,
                        reason: "returned",
                        note: &note,
                        by_staff_id: None,
                        at: now,
                    },
                )
                .await?;
                tx.audit(
                    c.audit("customers.returned", "customer", h.id)
                        .before(&json!({ "owner_staff_id": h.owner_staff_id }))
                        .after(&json!({ "owner_staff_id": null, "deadline": due })),
                );
                Ok::<_, CustomersError>(true)
            })
        })
        .await
}

/// Warns the owner once that the customer returns to the pool after `due`; whether it was new.
async fn warn(
    ctx: &Ctx,
    h: &Held,
    due: NaiveDate,
    today: NaiveDate,
) -> Result<bool, CustomersError> {
    let (c, h) = (ctx.clone(), h.clone());
    ctx.db()
        .write(move |tx| {
            let (c, h) = (c.clone(), h.clone());
            Box::pin(async move {
                let new = notice(
                    tx,
                    &Notice {
                        to: To::Staff(Some(h.owner_staff_id)),
                        kind: WARNING,
                        dedupe_key: format!("customer-pool:{}:{}:{due}", h.id, h.owner_staff_id),
                        payload: json!({
                            "to_staff_id": h.owner_staff_id,
                            "to_staff": h.owner_name,
                            "customer_id": h.id,
                            "customer": h.name,
                            "returns_after": due,
                            "days_left": (due - today).num_days(),
                        }),
                        at: c.now(),
                    },
                )
                .await?;
                store::mark_warned(tx, h.id, today).await?;
                if new {
                    tx.audit(
                        c.audit("customers.pool_warned", "customer", h.id)
                            .after(&json!({ "owner_staff_id": h.owner_staff_id, "deadline": due })),
                    );
                }
                Ok::<_, CustomersError>(new)
            })
        })
        .await
}

/// Fills the organisation key of group-buy buyers recorded before it was kept.
pub async fn link_sales(ctx: &Ctx) -> Result<RunReport, CustomersError> {
    let mut report = RunReport::default();
    loop {
        let batch = store::unlinked_buyers(ctx.db(), 500).await?;
        if batch.is_empty() {
            break;
        }
        report.seen += u64::try_from(batch.len()).unwrap_or(0);
        let n = ctx
            .db()
            .write(move |tx| {
                let batch = batch.clone();
                Box::pin(async move {
                    let mut n = 0;
                    for (id, organisation) in &batch {
                        // A person buying for themselves has no organisation: '' marks it done.
                        let key = patron_core::identity::organisation_key(organisation);
                        n += store::link_buyer(tx, *id, &key).await?;
                    }
                    Ok::<_, CustomersError>(n)
                })
            })
            .await?;
        report.processed += n;
        if n == 0 {
            break;
        }
    }
    Ok(report)
}
