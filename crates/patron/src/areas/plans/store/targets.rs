//! Targets of a month and a store, and the month's actuals as frozen at its end.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// One target: of the department (`staff_id` 0) or of one person.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TargetRow {
    pub staff_id: i64,
    pub metric: String,
    pub target: i64,
}

pub async fn targets(db: &Db, month: &str, store_id: i64) -> Result<Vec<TargetRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select staff_id, metric, target from plan_targets where month = $1 and store_id = $2 \
             order by staff_id, metric",
        )
        .bind(month)
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

/// One target's value now (inside a write: the before of its audit entry).
pub async fn target_of(
    tx: &mut Tx,
    month: &str,
    store_id: i64,
    staff_id: i64,
    metric: &str,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select target from plan_targets where month = $1 and store_id = $2 and staff_id = $3 \
             and metric = $4",
        )
        .bind(month)
        .bind(store_id)
        .bind(staff_id)
        .bind(metric)
        .fetch_optional(c)
        .await?
    }))
}

/// One target as set.
pub struct NewTarget<'a> {
    pub month: &'a str,
    pub store_id: i64,
    pub staff_id: i64,
    pub metric: &'a str,
    pub target: i64,
    pub by: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Sets one target (a new one or a changed value).
pub async fn set_target(tx: &mut Tx, t: &NewTarget<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into plan_targets (month, store_id, staff_id, metric, target, set_by, set_at) \
             values ($1, $2, $3, $4, $5, $6, $7) on conflict (month, store_id, staff_id, metric) \
             do update set target = excluded.target, set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(t.month)
        .bind(t.store_id)
        .bind(t.staff_id)
        .bind(t.metric)
        .bind(t.target)
        .bind(t.by)
        .bind(ts(t.at))
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// When the month was frozen at the store (none: it is still open).
pub async fn frozen_at(
    ex: impl Into<Exec<'_>>,
    month: &str,
    store_id: i64,
) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_scalar(
            "select frozen_at from plan_target_months where month = $1 and store_id = $2",
        )
        .bind(month)
        .bind(store_id)
        .fetch_optional(c)
        .await?
    }))
}

/// Marks the month frozen at the store; whether this call did it (a second run finds it done).
pub async fn freeze_month(
    tx: &mut Tx,
    month: &str,
    store_id: i64,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into plan_target_months (month, store_id, frozen_at) values ($1, $2, $3) \
             on conflict (month, store_id) do nothing",
        )
        .bind(month)
        .bind(store_id)
        .bind(ts(at))
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

pub async fn insert_actual(
    tx: &mut Tx,
    month: &str,
    store_id: i64,
    staff_id: i64,
    metric: &str,
    actual: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into plan_target_actuals (month, store_id, staff_id, metric, actual) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(month)
        .bind(store_id)
        .bind(staff_id)
        .bind(metric)
        .bind(actual)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// A frozen month's actual.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FrozenActual {
    pub staff_id: i64,
    pub metric: String,
    pub actual: i64,
}

pub async fn frozen_actuals(
    db: &Db,
    month: &str,
    store_id: i64,
) -> Result<Vec<FrozenActual>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select staff_id, metric, actual from plan_target_actuals where month = $1 \
             and store_id = $2 order by staff_id, metric",
        )
        .bind(month)
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}
