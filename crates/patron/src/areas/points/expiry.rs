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
use crate::{on_db, on_tx};

/// Lots handled per transaction.
const CHUNK: i64 = 500;

#[derive(Debug, Clone, sqlx::FromRow)]
struct DueLot {
    member_id: i64,
    expires_on: NaiveDate,
    #[allow(dead_code)]
    remaining: i64,
}

/// Zeroes every lot that expired before `today`. Interrupted, it resumes where it stopped:
/// what was zeroed stays zeroed and is not found again.
pub async fn expire(
    ctx: &Ctx,
    today: NaiveDate,
    progress: Option<Progress>,
) -> Result<RunReport, PointsError> {
    let total: i64 = on_db!(ctx.db(), |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from point_lots where expires_on < $1 and remaining > 0",
        )
        .bind(today)
        .fetch_one(p)
        .await?
    });
    let mut report = RunReport::default();
    loop {
        let due: Vec<DueLot> = on_db!(ctx.db(), |p| {
            sqlx::query_as(
                "select member_id, expires_on, remaining from point_lots \
                 where expires_on < $1 and remaining > 0 order by expires_on, member_id limit $2",
            )
            .bind(today)
            .bind(CHUNK)
            .fetch_all(p)
            .await?
        });
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
                        let left: Option<i64> = on_tx!(tx, |c| {
                            sqlx::query_scalar(
                                "select remaining from point_lots where member_id = $1 and expires_on = $2",
                            )
                            .bind(lot.member_id)
                            .bind(lot.expires_on)
                            .fetch_optional(c)
                            .await?
                        });
                        let left = left.unwrap_or(0);
                        if left <= 0 {
                            continue;
                        }
                        on_tx!(tx, |c| {
                            sqlx::query(
                                "update point_lots set remaining = 0 \
                                 where member_id = $1 and expires_on = $2 and remaining = $3",
                            )
                            .bind(lot.member_id)
                            .bind(lot.expires_on)
                            .bind(left)
                            .execute(c)
                            .await
                            .map(|r| r.rows_affected())
                        })?;
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

#[derive(Debug, Clone, sqlx::FromRow)]
struct Expiring {
    member_id: i64,
    expires_on: NaiveDate,
    remaining: i64,
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
        let rows: Vec<Expiring> = on_db!(ctx.db(), |p| {
            sqlx::query_as(
                "select l.member_id, l.expires_on, l.remaining from point_lots l \
                 join members m on m.id = l.member_id \
                 where l.expires_on >= $1 and l.expires_on <= $2 and l.remaining > 0 \
                   and m.status = 'active' \
                   and (l.expires_on > $3 or (l.expires_on = $3 and l.member_id > $4)) \
                 order by l.expires_on, l.member_id limit $5",
            )
            .bind(today)
            .bind(until)
            .bind(after.0)
            .bind(after.1)
            .bind(CHUNK)
            .fetch_all(p)
            .await?
        });
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
    let due: Vec<(NaiveDate, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "select expires_on, remaining from point_lots \
             where member_id = $1 and expires_on < $2 and remaining > 0",
        )
        .bind(member_id)
        .bind(today)
        .fetch_all(c)
        .await?
    });
    for (expires_on, left) in due {
        on_tx!(tx, |c| {
            sqlx::query(
                "update point_lots set remaining = 0 where member_id = $1 and expires_on = $2",
            )
            .bind(member_id)
            .bind(expires_on)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
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
                note: "",
            },
        )
        .await?;
    }
    Ok(())
}
