//! SQL of the complaints report (M4). Reads, read-only: `complaints` (store, category, severity,
//! when received and resolved), `complaint_breaches` (each clock run that ran out, by when it
//! was due) and `complaint_callbacks` (the callback after a resolution, satisfied or not).

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, ts};
use crate::on_db;

/// A case received or resolved in the window.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub store_id: i64,
    pub category: String,
    pub severity: String,
    pub state: String,
    pub received_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// 1 when a clock that runs to the resolution (feedback, or resolve for a major case) ran
    /// out on this case.
    pub resolved_late: i64,
}

pub async fn cases(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<CaseRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select c.store_id, c.category, c.severity, c.state, c.received_at, c.resolved_at, \
             cast(case when exists (select 1 from complaint_breaches b where b.complaint_id = c.id \
             and b.clock in ('feedback', 'resolve')) then 1 else 0 end as bigint) as resolved_late \
             from complaints c \
             where (c.received_at >= $1 and c.received_at < $2) \
             or (c.resolved_at >= $1 and c.resolved_at < $2)",
        )
        .bind(ts(from))
        .bind(ts(until))
        .fetch_all(p)
        .await?
    }))
}

/// A breach falling due in the window, with its case's category.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BreachRow {
    pub store_id: i64,
    pub category: String,
    pub due_at: DateTime<Utc>,
}

pub async fn breaches(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<BreachRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select b.store_id, c.category, b.due_at from complaint_breaches b \
             join complaints c on c.id = b.complaint_id where b.due_at >= $1 and b.due_at < $2",
        )
        .bind(ts(from))
        .bind(ts(until))
        .fetch_all(p)
        .await?
    }))
}

/// A callback made in the window, with its case's store and category.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallbackRow {
    pub store_id: i64,
    pub category: String,
    pub at: DateTime<Utc>,
    pub satisfied: bool,
}

pub async fn callbacks(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<CallbackRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select c.store_id, c.category, b.at, b.satisfied from complaint_callbacks b \
             join complaints c on c.id = b.complaint_id where b.at >= $1 and b.at < $2",
        )
        .bind(ts(from))
        .bind(ts(until))
        .fetch_all(p)
        .await?
    }))
}
