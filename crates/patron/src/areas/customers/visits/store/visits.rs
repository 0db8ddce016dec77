//! Visit requests (客户走访单) and their minutes (会谈纪要).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// A visit request as listed and printed.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = visits::VisitRow)]
pub struct VisitRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub store_id: i64,
    pub requested_by: i64,
    pub requester: String,
    pub requester_username: String,
    pub visit_on: NaiveDate,
    pub purpose: String,
    pub participants: String,
    pub gifts: String,
    pub budget_fen: i64,
    pub state: String,
    pub approval_id: Option<i64>,
    pub done_at: Option<DateTime<Utc>>,
    pub minutes_due_on: Option<NaiveDate>,
    pub attendees: String,
    pub discussion: String,
    pub agreements: String,
    pub follow_ups: String,
    pub minutes_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "select v.id, v.customer_id, c.name as customer_name, v.store_id, v.requested_by, \
     s.display_name as requester, s.username as requester_username, v.visit_on, v.purpose, \
     v.participants, v.gifts, v.budget_fen, v.state, v.approval_id, v.done_at, v.minutes_due_on, \
     v.attendees, v.discussion, v.agreements, v.follow_ups, v.minutes_at, v.created_at \
     from customer_visits v join customers c on c.id = v.customer_id \
     join staff s on s.id = v.requested_by";

pub async fn get<'a>(exec: impl Into<Exec<'a>>, id: i64) -> Result<Option<VisitRow>, DbError> {
    let sql = format!("{SELECT} where v.id = $1");
    Ok(on_exec!(exec.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

/// Visits, newest visit date first: all, or one requester's (at most 2,000).
pub async fn list(db: &Db, requested_by: Option<i64>) -> Result<Vec<VisitRow>, DbError> {
    let sql = format!(
        "{SELECT} where ($1 = 0 or v.requested_by = $1) order by v.visit_on desc, v.id desc limit 2000"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(requested_by.unwrap_or(0))
            .fetch_all(p)
            .await?
    }))
}

/// Visits approved or done whose minutes are past due on `today` and still not written.
pub async fn minutes_overdue(db: &Db, today: NaiveDate) -> Result<Vec<VisitRow>, DbError> {
    let sql = format!(
        "{SELECT} where v.state in ('approved', 'done') and v.minutes_at is null \
         and v.minutes_due_on < $1 order by v.minutes_due_on, v.id limit 2000"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(today)
            .fetch_all(p)
            .await?
    }))
}

/// Visits whose minutes are overdue on `today`: those `requested_by` asked for, or everyone's
/// (`None`).
pub async fn count_overdue(
    db: &Db,
    today: NaiveDate,
    requested_by: Option<i64>,
) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from customer_visits where state in ('approved', 'done') \
             and minutes_at is null and minutes_due_on < $1 and ($2 = 0 or requested_by = $2)",
        )
        .bind(today)
        .bind(requested_by.unwrap_or(0))
        .fetch_one(p)
        .await?
    }))
}

/// A visit request as inserted.
pub struct NewVisit<'a> {
    pub customer_id: i64,
    pub store_id: i64,
    pub requested_by: i64,
    pub visit_on: NaiveDate,
    pub purpose: &'a str,
    pub participants: &'a str,
    pub gifts: &'a str,
    pub budget_fen: i64,
    pub minutes_due_on: NaiveDate,
    pub at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, v: &NewVisit<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_visits (customer_id, store_id, requested_by, visit_on, purpose, \
             participants, gifts, budget_fen, minutes_due_on, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
        )
        .bind(v.customer_id)
        .bind(v.store_id)
        .bind(v.requested_by)
        .bind(v.visit_on)
        .bind(v.purpose)
        .bind(v.participants)
        .bind(v.gifts)
        .bind(v.budget_fen)
        .bind(v.minutes_due_on)
        .bind(ts(v.at))
        .fetch_one(x)
        .await?
    }))
}

/// Links the approval request to its visit.
pub async fn set_approval(tx: &mut Tx, id: i64, approval_id: i64) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query("update customer_visits set approval_id = $1 where id = $2")
            .bind(approval_id)
            .bind(id)
            .execute(x)
            .await?
            .rows_affected()
    }))
}

/// Moves a visit from `from` to `to` (guarded: nothing changes unless it is in `from`).
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    at: Option<DateTime<Utc>>,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customer_visits set state = $1, done_at = coalesce($2, done_at) \
             where id = $3 and state = $4",
        )
        .bind(to)
        .bind(at.map(ts))
        .bind(id)
        .bind(from)
        .execute(x)
        .await?
        .rows_affected()
    }) == 1)
}

/// The visit of an approval request.
pub async fn by_approval(tx: &mut Tx, approval_id: i64) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar("select id from customer_visits where approval_id = $1")
            .bind(approval_id)
            .fetch_optional(x)
            .await?
    }))
}

/// The minutes as written.
pub struct Minutes<'a> {
    pub attendees: &'a str,
    pub discussion: &'a str,
    pub agreements: &'a str,
    pub follow_ups: &'a str,
    pub by: i64,
    pub at: DateTime<Utc>,
}

/// Writes the minutes of an approved or done visit (the visit becomes done); false when the
/// visit is in another state.
pub async fn write_minutes(tx: &mut Tx, id: i64, m: &Minutes<'_>) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customer_visits set attendees = $1, discussion = $2, agreements = $3, \
             follow_ups = $4, minutes_by = $5, minutes_at = $6, state = 'done', \
             done_at = coalesce(done_at, $6) where id = $7 and state in ('approved', 'done')",
        )
        .bind(m.attendees)
        .bind(m.discussion)
        .bind(m.agreements)
        .bind(m.follow_ups)
        .bind(m.by)
        .bind(ts(m.at))
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    }) == 1)
}

/// The customer's store and whether it is active.
pub async fn customer_store(
    tx: &mut Tx,
    customer_id: i64,
) -> Result<Option<(i64, String, String)>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_as("select store_id, state, name from customers where id = $1")
            .bind(customer_id)
            .fetch_optional(x)
            .await?
    }))
}

/// Who approved a visit and when (none until approved).
pub async fn approved_by(
    db: &Db,
    approval_id: i64,
) -> Result<Option<(String, Option<DateTime<Utc>>)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.display_name, a.decided_at from approvals a join staff s on s.id = a.decided_by \
             where a.id = $1 and a.status = 'approved'",
        )
        .bind(approval_id)
        .fetch_optional(p)
        .await?
    }))
}
