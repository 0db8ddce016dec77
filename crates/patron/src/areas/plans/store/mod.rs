//! The plans area's SQL: plans and summaries (this file), targets and their frozen actuals
//! (`targets.rs`), and the other areas' records the actuals are counted from (`actuals.rs`,
//! read-only).

mod actuals;
mod targets;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

pub use actuals::{NewMember, callbacks_by_caller, new_members, sales_by_seller};
pub use targets::{
    FrozenActual, NewTarget, TargetRow, freeze_month, frozen_actuals, frozen_at, insert_actual,
    set_target, target_of, targets,
};

const COLUMNS: &str = "id, staff_id, period, starts_on, kind, items, notes, next_items, due_at, \
     first_at, late, updated_at from plans";

/// One plan or summary as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub staff_id: i64,
    pub period: String,
    pub starts_on: NaiveDate,
    pub kind: String,
    /// JSON text (see the migration).
    pub items: String,
    pub notes: String,
    pub next_items: String,
    pub due_at: DateTime<Utc>,
    pub first_at: DateTime<Utc>,
    pub late: bool,
    pub updated_at: DateTime<Utc>,
}

/// The plan and summary (when written) of one person's period.
pub async fn of_period(
    ex: impl Into<Exec<'_>>,
    staff_id: i64,
    period: &str,
    starts_on: NaiveDate,
) -> Result<Vec<PlanRow>, DbError> {
    let sql = format!("select {COLUMNS} where staff_id = $1 and period = $2 and starts_on = $3");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(staff_id)
            .bind(period)
            .bind(starts_on)
            .fetch_all(c)
            .await?
    }))
}

/// The person's last summary of a period of this kind that started before `before` (what carries
/// into the plan of the next one).
pub async fn summary_before(
    db: &Db,
    staff_id: i64,
    period: &str,
    before: NaiveDate,
) -> Result<Option<PlanRow>, DbError> {
    let sql = format!(
        "select {COLUMNS} where staff_id = $1 and period = $2 and kind = 'summary' and starts_on < $3 \
         order by starts_on desc limit 1"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(staff_id)
            .bind(period)
            .bind(before)
            .fetch_optional(p)
            .await?
    }))
}

/// Every plan and summary of periods of this kind starting within `from..=to` (everyone's; the
/// team view keeps its members').
pub async fn in_range(
    db: &Db,
    period: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PlanRow>, DbError> {
    let sql = format!(
        "select {COLUMNS} where period = $1 and starts_on >= $2 and starts_on <= $3 \
         order by starts_on, staff_id, kind"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(period)
            .bind(from)
            .bind(to)
            .fetch_all(p)
            .await?
    }))
}

/// A plan or summary as written.
pub struct NewPlan<'a> {
    pub staff_id: i64,
    pub period: &'a str,
    pub starts_on: NaiveDate,
    pub kind: &'a str,
    pub items: &'a str,
    pub notes: &'a str,
    pub next_items: &'a str,
    pub due_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
}

/// Writes a plan or summary: the first write fixes when it was due, when it was written and
/// whether that was late; a later write changes only its text. Its id and whether it is late.
pub async fn upsert(tx: &mut Tx, p: &NewPlan<'_>) -> Result<(i64, bool), DbError> {
    let at = ts(p.at);
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "insert into plans (staff_id, period, starts_on, kind, items, notes, next_items, due_at, \
             first_at, late, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) \
             on conflict (staff_id, period, starts_on, kind) do update set items = excluded.items, \
             notes = excluded.notes, next_items = excluded.next_items, updated_at = excluded.updated_at \
             returning id, late",
        )
        .bind(p.staff_id)
        .bind(p.period)
        .bind(p.starts_on)
        .bind(p.kind)
        .bind(p.items)
        .bind(p.notes)
        .bind(p.next_items)
        .bind(ts(p.due_at))
        .bind(at)
        .bind(at > p.due_at)
        .fetch_one(c)
        .await?
    }))
}

/// A member of a team: someone holding a role other than administrator at the store.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// When the account was made: nothing is expected of a period that began before.
    pub created_at: DateTime<Utc>,
}

/// The people working at a store (not disabled, not only its administrator), by name.
pub async fn team(db: &Db, store_id: i64) -> Result<Vec<Member>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select distinct s.id, s.username, s.display_name, s.created_at from staff s \
             join staff_roles r on r.staff_id = s.id \
             where r.store_id = $1 and r.role <> 'admin' and s.disabled = false \
             order by s.display_name, s.id",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

/// Every staff member's display name (people with actuals who no longer work at the store).
pub async fn names(db: &Db) -> Result<Vec<Member>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select id, username, display_name, created_at from staff order by id")
            .fetch_all(p)
            .await?
    }))
}
