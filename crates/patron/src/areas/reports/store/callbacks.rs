//! SQL of the organisation customers' callbacks report (M4). Reads, read-only: `customers`
//! (store, grade, state, owner, since when owned), `customer_callbacks` (the callback log: the
//! business day of each call and the owner when it was made), `customer_settings` (the cadence
//! per grade) and `staff` (the salespeople's display names).

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// The callback cadence in days of grades A, B and C.
pub async fn cadence(db: &Db) -> Result<(i64, i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select cadence_a_days, cadence_b_days, cadence_c_days from customer_settings \
             where id = 1",
        )
        .fetch_one(p)
        .await?
    }))
}

/// A customer as the cadence counts it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: i64,
    pub store_id: i64,
    pub grade: String,
    /// Active and owned: its callbacks fall due (a customer in the pool or archived has none).
    pub owned: bool,
    pub owner_staff_id: Option<i64>,
    /// Since when it is owned (or recorded): the start of its first cadence.
    pub since: DateTime<Utc>,
}

pub async fn customers(db: &Db) -> Result<Vec<CustomerRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, store_id, grade, \
             case when state = 'active' and owner_staff_id is not null then true else false end \
             as owned, owner_staff_id, coalesce(owned_since, created_at) as since \
             from customers order by id",
        )
        .fetch_all(p)
        .await?
    }))
}

/// A callback logged: whose customer, on which business day, the owner then (or the caller).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    pub customer_id: i64,
    pub biz_date: NaiveDate,
    pub staff_id: i64,
}

/// The callbacks logged from `from` to `to`, by customer and day.
pub async fn calls(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<CallRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select customer_id, biz_date, coalesce(owner_staff_id, caller_staff_id) as staff_id \
             from customer_callbacks where biz_date >= $1 and biz_date <= $2 \
             order by customer_id, biz_date, id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// Each customer's last callback day before `before`.
pub async fn last_before(db: &Db, before: NaiveDate) -> Result<Vec<(i64, NaiveDate)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select customer_id, max(biz_date) from customer_callbacks where biz_date < $1 \
             group by customer_id",
        )
        .bind(before)
        .fetch_all(p)
        .await?
    }))
}

/// The display names of staff members (the salespeople of the rows).
pub async fn staff_names(db: &Db) -> Result<Vec<(i64, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select id, display_name from staff")
            .fetch_all(p)
            .await?
    }))
}
