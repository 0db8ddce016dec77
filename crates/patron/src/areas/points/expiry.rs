//! Points expiry (SPEC C6): lots past their expiry date are zeroed with an `expiry` entry, and
//! members are reminded a month ahead. Both are idempotent: a lot is zeroed by a guarded update
//! (a second run finds nothing left), a reminder is queued under a dedupe key.

use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::json;

use super::PointsError;
use super::store::{self, NewEntry};
use crate::jobs::{Progress, RunReport};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::DbError;
use crate::notify::{self, NewMessage};

/// Lots handled per transaction.
const CHUNK: i64 = 500;

/// Zeroes every lot that expired before `today`. Interrupted, it resumes where it stopped:
/// what was zeroed stays zeroed and is not found again.
pub async fn expire(
    ctx: &Ctx,
    today: NaiveDate,
    progress: Option<Progress>,
) -> Result<RunReport, PointsError> {
    let total = store::count_due_lots(ctx.db(), today).await?;
    let mut report = RunReport::default();
    loop {
        let due = store::due_lots(ctx.db(), today, CHUNK).await?;
        if due.is_empty() {
            break;
        }
        let n = due.len() as u64;
        let due = Arc::new(due);
        let now = ctx.now();
        let zeroed = ctx
            .db()
            .write(move |tx| {
                let due = due.clone();
                Box::pin(async move {
                    let mut zeroed = 0u64;
                    for lot in due.iter() {
                        // The member row first (its lock orders balance changes on PostgreSQL).
                        store::lock_balance(tx, lot.member_id).await?;
                        // What is left now (after the lock), not what was read before.
                        let left = store::lot_remaining(tx, lot.member_id, lot.expires_on)
                            .await?
                            .unwrap_or(0);
                        if left <= 0 {
                            continue;
                        }
                        store::zero_lot_holding(tx, lot.member_id, lot.expires_on, left).await?;
                        let balance = store::add_balance(tx, lot.member_id, -left).await?;
                        let source = format!("lot {}", lot.expires_on);
                        store::insert_entry(
                            tx,
                            &NewEntry {
                                member_id: lot.member_id,
                                at: now,
                                kind: "expiry",
                                points: -left,
                                balance_after: balance,
                                store_id: None,
                                source_ref: Some(&source),
                                till_id: None,
                                staff_id: None,
                                approved_by: None,
                                note: "",
                            },
                        )
                        .await?;
                        zeroed += 1;
                    }
                    Ok::<_, PointsError>(zeroed)
                })
            })
            .await?;
        report.seen += n;
        report.processed += zeroed;
        if let Some(p) = &progress {
            p(report.seen, total.max(0) as u64);
        }
        if zeroed == 0 {
            // Everything in this chunk changed under us; read again.
            continue;
        }
    }
    Ok(report)
}

/// Queues a reminder for every lot expiring within the reminder period (one per member and
/// expiry date, ever).
pub async fn remind(
    ctx: &Ctx,
    today: NaiveDate,
    progress: Option<Progress>,
) -> Result<RunReport, PointsError> {
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let until = today + chrono::Duration::days(loyalty.settings.expiry_reminder_days);
    let mut report = RunReport::default();
    let mut after: (NaiveDate, i64) = (NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(today), 0);
    loop {
        let rows = store::expiring_lots(ctx.db(), today, until, after, CHUNK).await?;
        let Some(last) = rows.last() else { break };
        report.seen += rows.len() as u64;
        after = (last.expires_on, last.member_id);
        let rows = Arc::new(rows);
        let now = ctx.now();
        let queued = ctx
            .db()
            .write(move |tx| {
                let rows = rows.clone();
                Box::pin(async move {
                    let mut queued = 0u64;
                    for r in rows.iter() {
                        let new = notify::queue(
                            tx,
                            &NewMessage {
                                member_id: Some(r.member_id),
                                kind: "expiry_reminder",
                                channel: "sms",
                                dedupe_key: format!("expiry:{}:{}", r.member_id, r.expires_on),
                                payload: json!({ "points": r.remaining, "expires_on": r.expires_on }),
                                marketing: false,
                                at: now,
                            },
                        )
                        .await?;
                        queued += u64::from(new);
                    }
                    Ok::<_, DbError>(queued)
                })
            })
            .await?;
        report.processed += queued;
        if let Some(p) = &progress {
            p(report.seen, report.seen);
        }
    }
    Ok(report)
}

/// Zeroes a member's lots that expired before `today`, inside the caller's write (which has
/// locked the member row): spending never uses points past their date, whether or not the
/// expiry job has run.
pub async fn expire_member_in(
    tx: &mut crate::kernel::db::Tx,
    member_id: i64,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), PointsError> {
    let due = store::member_due_lots(tx, member_id, today).await?;
    for (expires_on, left) in due {
        store::zero_lot(tx, member_id, expires_on).await?;
        let balance = store::add_balance(tx, member_id, -left).await?;
        let source = format!("lot {expires_on}");
        store::insert_entry(
            tx,
            &NewEntry {
                member_id,
                at: now,
                kind: "expiry",
                points: -left,
                balance_after: balance,
                store_id: None,
                source_ref: Some(&source),
                till_id: None,
                staff_id: None,
                approved_by: None,
                note: "",
            },
        )
        .await?;
    }
    Ok(())
}
