//! SQL of the daily 17:00 report: the day's sales and the stored reports.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A sale as the report lists it: id, number, organisation, payment, count, amount.
pub type ReportSaleRow = (i64, String, String, String, i64, i64);

/// A store's sales of a day: handed out that day (`released`), or taken by that day and still
/// waiting for the money (the cheques not yet cleared).
pub async fn sales_of_day(
    db: &Db,
    store_id: i64,
    day: NaiveDate,
    released: bool,
) -> Result<Vec<ReportSaleRow>, DbError> {
    let cond = if released {
        "s.state = 'sold' and s.released_on = $2"
    } else {
        "s.state = 'reserved' and s.biz_date <= $2"
    };
    let sql = format!(
        "select s.id, s.sale_no, b.organisation, s.payment, s.count, s.amount_fen \
         from gb_sales s join gb_buyers b on b.id = s.buyer_id where s.store_id = $1 and {cond} order by s.id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(day)
            .fetch_all(p)
            .await?
    }))
}

/// The stored report of a day (its JSON), if the job made one.
pub async fn stored(db: &Db, store_id: i64, day: NaiveDate) -> Result<Option<String>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select figures from gb_daily_reports where store_id = $1 and biz_date = $2",
        )
        .bind(store_id)
        .bind(day)
        .fetch_optional(p)
        .await?
    }))
}

/// Stores a day's report once: 1 if stored now, 0 if it was there already.
pub async fn insert(
    tx: &mut Tx,
    store_id: i64,
    day: NaiveDate,
    generated_at: DateTime<Utc>,
    figures: &str,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "insert into gb_daily_reports (store_id, biz_date, generated_at, figures) values ($1, $2, $3, $4) \
             on conflict (store_id, biz_date) do nothing",
        )
        .bind(store_id)
        .bind(day)
        .bind(generated_at)
        .bind(figures)
        .execute(c)
        .await?
        .rows_affected()
    }))
}
