//! SQL of the dashboard's group-buy tiles: cheques due, the day's sales, requisitions waiting
//! for finance.

use chrono::NaiveDate;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// Cheque and transfer sales still reserved at a store: (due by `today`, all pending, their
/// amount).
pub async fn cheques(db: &Db, store_id: i64, today: NaiveDate) -> Result<(i64, i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select cast(coalesce(sum(case when due_on is not null and due_on <= $2 then 1 else 0 end), 0) as bigint), \
                    cast(count(*) as bigint), cast(coalesce(sum(amount_fen), 0) as bigint) \
             from gb_sales where store_id = $1 and state = 'reserved'",
        )
        .bind(store_id)
        .bind(today)
        .fetch_one(p)
        .await?
    }))
}

/// A store's sales of one business day that were not bounced: (sales, vouchers, amount).
pub async fn sales_of_day(
    db: &Db,
    store_id: i64,
    day: NaiveDate,
) -> Result<(i64, i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select cast(count(*) as bigint), cast(coalesce(sum(count), 0) as bigint), \
                    cast(coalesce(sum(amount_fen), 0) as bigint) \
             from gb_sales where store_id = $1 and biz_date = $2 and state <> 'bounced'",
        )
        .bind(store_id)
        .bind(day)
        .fetch_one(p)
        .await?
    }))
}

/// Requisitions of a store in `state` (approved: finance is to set vouchers aside).
pub async fn requisitions_in(db: &Db, store_id: i64, state: &str) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from gb_requisitions where store_id = $1 and state = $2",
        )
        .bind(store_id)
        .bind(state)
        .fetch_one(p)
        .await?
    }))
}
