//! The monthly analysis's counts (客户投诉分析报告): cases received in a period at a store, by
//! category, department and severity; breaches falling due in it, per clock and department; the
//! callbacks made in it, satisfied or not.

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, ts};
use crate::on_db;

/// A count under a key (a code, or two codes joined by `/`).
pub type Counts = Vec<(String, i64)>;

/// What the analysis counts by; each is one grouped count over the period at a store.
#[derive(Debug, Clone, Copy)]
pub enum By {
    /// Cases received, by category.
    Category,
    /// Cases received, by the department they are with (empty: not routed).
    Department,
    /// Cases received, by severity.
    Severity,
    /// Breaches falling due, by `clock/department`.
    Breach,
    /// Callbacks made: `satisfied` / `unsatisfied`.
    Satisfaction,
}

impl By {
    fn sql(self) -> &'static str {
        match self {
            By::Category => {
                "select category, count(*) from complaints where store_id = $1 \
                 and received_at >= $2 and received_at < $3 group by category order by 1"
            }
            By::Department => {
                "select coalesce(department, ''), count(*) from complaints where store_id = $1 \
                 and received_at >= $2 and received_at < $3 group by coalesce(department, '') \
                 order by 1"
            }
            By::Severity => {
                "select severity, count(*) from complaints where store_id = $1 \
                 and received_at >= $2 and received_at < $3 group by severity order by 1"
            }
            By::Breach => {
                "select clock || '/' || coalesce(department, ''), count(*) from complaint_breaches \
                 where store_id = $1 and due_at >= $2 and due_at < $3 \
                 group by clock || '/' || coalesce(department, '') order by 1"
            }
            By::Satisfaction => {
                "select case when b.satisfied then 'satisfied' else 'unsatisfied' end, count(*) \
                 from complaint_callbacks b join complaints c on c.id = b.complaint_id \
                 where c.store_id = $1 and b.at >= $2 and b.at < $3 \
                 group by case when b.satisfied then 'satisfied' else 'unsatisfied' end order by 1"
            }
        }
    }
}

/// The counts of the period `[from, until)` at a store, grouped `by`.
pub async fn counts(
    db: &Db,
    by: By,
    store_id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Counts, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(by.sql())
            .bind(store_id)
            .bind(ts(from))
            .bind(ts(until))
            .fetch_all(p)
            .await?
    }))
}

/// Resolutions in the period, and how many of them have had their callback.
pub async fn callback_rate(
    db: &Db,
    store_id: i64,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select count(*), count(b.id) from complaints c left join complaint_callbacks b \
             on b.complaint_id = c.id and b.round = c.rounds where c.store_id = $1 \
             and c.resolved_at >= $2 and c.resolved_at < $3",
        )
        .bind(store_id)
        .bind(ts(from))
        .bind(ts(until))
        .fetch_one(p)
        .await?
    }))
}
