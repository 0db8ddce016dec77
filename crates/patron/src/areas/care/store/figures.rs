//! The SQL of the care figures: the steps done in a period with the member's purchases after
//! each (the points area's `receipts`, read-only, through its index on member and time), the
//! open calls per current advisor, and one member's purchases for the top-member file.

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, ts};
use crate::on_db;

/// A step done (or skipped) in the period, with the purchases after it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DoneRow {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub step: String,
    pub state: String,
    pub outcome: String,
    pub due_at: DateTime<Utc>,
    pub done_at: DateTime<Utc>,
    pub done_by: Option<i64>,
    pub done_by_name: Option<String>,
    /// Receipts of the member after the step was done.
    pub receipts_after: i64,
    pub spent_after_fen: i64,
}

/// Steps done, skipped or closed between `from` and `until`, the latest first.
pub async fn done_between(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DoneRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select t.id, t.member_id, m.name as member_name, t.step, t.state, t.outcome, \
             t.due_at, t.done_at, t.done_by, d.display_name as done_by_name, \
             (select cast(count(*) as bigint) from receipts r where r.member_id = t.member_id \
              and r.occurred_at > t.done_at) as receipts_after, \
             (select cast(coalesce(sum(r.total_fen), 0) as bigint) from receipts r \
              where r.member_id = t.member_id and r.occurred_at > t.done_at) as spent_after_fen \
             from care_tasks t join members m on m.id = t.member_id \
             left join staff d on d.id = t.done_by \
             where t.state in ('done', 'skipped') and t.done_at >= $1 and t.done_at < $2 \
             order by t.done_at desc, t.id desc limit $3",
        )
        .bind(ts(from))
        .bind(ts(until))
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// Open calls per current advisor (none: members without one): (advisor id, name, open,
/// of them due before `overdue_before`).
pub async fn open_per_advisor(
    db: &Db,
    overdue_before: DateTime<Utc>,
) -> Result<Vec<(Option<i64>, Option<String>, i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select a.staff_id, s.display_name, cast(count(*) as bigint), \
             cast(coalesce(sum(case when t.due_at < $1 then 1 else 0 end), 0) as bigint) \
             from care_tasks t join members m on m.id = t.member_id \
             left join care_advisors a on a.member_id = t.member_id \
             left join staff s on s.id = a.staff_id \
             where t.state = 'open' and m.status = 'active' \
             group by a.staff_id, s.display_name order by s.display_name",
        )
        .bind(ts(overdue_before))
        .fetch_all(p)
        .await?
    }))
}

/// One purchase of a member (the points area's receipt).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PurchaseRow {
    pub receipt_no: String,
    pub store_id: i64,
    pub occurred_at: DateTime<Utc>,
    pub total_fen: i64,
    pub points: i64,
    pub lines: String,
}

/// The member's purchases, the latest first.
pub async fn purchases(db: &Db, member_id: i64, limit: i64) -> Result<Vec<PurchaseRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select receipt_no, store_id, occurred_at, total_fen, points, lines from receipts \
             where member_id = $1 order by occurred_at desc, id desc limit $2",
        )
        .bind(member_id)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}
