//! SQL of the dashboard's member tiles.

use chrono::NaiveDate;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// Applications waiting for review, and rejected ones waiting for their correction.
pub async fn applications(db: &Db) -> Result<(i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select cast(coalesce(sum(case when status = 'submitted' then 1 else 0 end), 0) as bigint), \
                    cast(coalesce(sum(case when status = 'rejected' then 1 else 0 end), 0) as bigint) \
             from member_applications where status in ('submitted', 'rejected')",
        )
        .fetch_one(p)
        .await?
    }))
}

/// Members who joined at a store on a business day.
pub async fn joined(db: &Db, store_id: i64, day: NaiveDate) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from members where store_id = $1 and joined_on = $2",
        )
        .bind(store_id)
        .bind(day)
        .fetch_one(p)
        .await?
    }))
}
