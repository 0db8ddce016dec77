//! SQL of deposit slips: the sales not yet paid in, the slip, and what it paid in.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sales::{SALE_COLUMNS, SaleRow};
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct DepositRow {
    pub id: i64,
    pub deposit_no: String,
    pub store_id: i64,
    pub biz_date: NaiveDate,
    pub kind: String,
    pub amount_fen: i64,
    pub sales: i64,
    pub created_at: DateTime<Utc>,
}

fn payments_sql(payments: &[&str]) -> String {
    payments
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// (sales, amount) of a store's sales by these payments not yet paid in (bounced ones aside).
pub async fn undeposited(
    tx: &mut Tx,
    store_id: i64,
    payments: &[&str],
) -> Result<(i64, i64), DbError> {
    let list = payments_sql(payments);
    let sql = format!(
        "select count(*), cast(coalesce(sum(amount_fen), 0) as bigint) from gb_sales \
         where store_id = $1 and deposit_id is null and state <> 'bounced' and payment in ({list})"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .fetch_one(c)
            .await?
    }))
}

/// A new deposit slip.
pub struct NewDeposit<'a> {
    pub deposit_no: &'a str,
    pub store_id: i64,
    pub biz_date: NaiveDate,
    pub kind: &'a str,
    pub amount_fen: i64,
    pub sales: i64,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, d: &NewDeposit<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gb_deposits (deposit_no, store_id, biz_date, kind, amount_fen, sales, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(d.deposit_no)
        .bind(d.store_id)
        .bind(d.biz_date)
        .bind(d.kind)
        .bind(d.amount_fen)
        .bind(d.sales)
        .bind(d.created_by)
        .bind(ts(d.created_at))
        .fetch_one(c)
        .await?
    }))
}

/// The undeposited sales by these payments join the slip: how many did.
pub async fn claim_sales(
    tx: &mut Tx,
    deposit_id: i64,
    store_id: i64,
    payments: &[&str],
) -> Result<u64, DbError> {
    let list = payments_sql(payments);
    let sql = format!(
        "update gb_sales set deposit_id = $1 where store_id = $2 and deposit_id is null \
         and state <> 'bounced' and payment in ({list})"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(deposit_id)
            .bind(store_id)
            .execute(c)
            .await?
            .rows_affected()
    }))
}

pub async fn get_deposit(db: &Db, id: i64) -> Result<Option<DepositRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, deposit_no, store_id, biz_date, kind, amount_fen, sales, created_at from gb_deposits where id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?
    }))
}

pub async fn deposits(db: &Db, store_id: i64) -> Result<Vec<DepositRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, deposit_no, store_id, biz_date, kind, amount_fen, sales, created_at from gb_deposits \
             where store_id = $1 order by id desc limit 500",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

pub async fn deposit_sales(db: &Db, deposit_id: i64) -> Result<Vec<SaleRow>, DbError> {
    let sql = format!("select {SALE_COLUMNS} where s.deposit_id = $1 order by s.id");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(deposit_id)
            .fetch_all(p)
            .await?
    }))
}

/// A cash sale not paid in before its own day closed: number, business date, amount, and the
/// deposit slip that paid it in later (none while it is still held).
pub type LateCashRow = (String, NaiveDate, i64, Option<String>, Option<NaiveDate>);

/// The cash sales of a store dated before `day` that had not been paid in when `day` began:
/// still without a deposit slip, or paid in on `day` or after (E5: cash is paid in before the
/// day closes).
pub async fn late_cash(
    db: &Db,
    store_id: i64,
    day: NaiveDate,
) -> Result<Vec<LateCashRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.sale_no, s.biz_date, s.amount_fen, d.deposit_no, d.biz_date from gb_sales s \
             left join gb_deposits d on d.id = s.deposit_id \
             where s.store_id = $1 and s.payment = 'cash' and s.state <> 'bounced' and s.biz_date < $2 \
             and (s.deposit_id is null or d.biz_date >= $2) \
             order by s.biz_date, s.id limit 2000",
        )
        .bind(store_id)
        .bind(day)
        .fetch_all(p)
        .await?
    }))
}
