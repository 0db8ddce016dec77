//! SQL of receipts, returns and redemptions: each recorded once per store and number, with its
//! content hash and first answer kept to tell a repeat from a conflict.

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// A recorded receipt: enough to answer a repeat and to take a return.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReceiptRow {
    pub id: i64,
    pub member_id: i64,
    pub card_no: String,
    pub occurred_at: DateTime<Utc>,
    pub points: i64,
    pub lines: String,
    pub returned: String,
    pub body_hash: String,
    pub balance_after: i64,
    pub tier_code: String,
    pub tier_changed: bool,
    /// When it was credited (the till's sending, or the desk's entry or approval).
    pub created_at: DateTime<Utc>,
}

const RECEIPT: &str = "select id, member_id, card_no, occurred_at, points, lines, returned, \
     body_hash, balance_after, tier_code, tier_changed, created_at from receipts";

pub async fn find_receipt(
    db: &Db,
    store_id: i64,
    receipt_no: &str,
) -> Result<Option<ReceiptRow>, DbError> {
    let sql = format!("{RECEIPT} where store_id = $1 and receipt_no = $2");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(receipt_no)
            .fetch_optional(p)
            .await?
    }))
}

/// Finds a receipt and, on PostgreSQL, locks it until the transaction ends.
pub async fn lock_receipt_in(
    tx: &mut Tx,
    store_id: i64,
    receipt_no: &str,
) -> Result<Option<ReceiptRow>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "update receipts set returned = returned where store_id = $1 and receipt_no = $2 \
             returning id, member_id, card_no, occurred_at, points, lines, returned, body_hash, \
             balance_after, tier_code, tier_changed, created_at",
        )
        .bind(store_id)
        .bind(receipt_no)
        .fetch_optional(c)
        .await?
    }))
}

pub async fn set_returned(tx: &mut Tx, receipt_id: i64, returned: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update receipts set returned = $1 where id = $2")
            .bind(returned)
            .bind(receipt_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A receipt to record.
#[derive(Debug, Clone)]
pub struct NewReceipt<'a> {
    pub store_id: i64,
    pub receipt_no: &'a str,
    pub till_id: Option<&'a str>,
    pub source: &'a str,
    pub member_id: i64,
    pub card_no: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub total_fen: i64,
    pub points: i64,
    pub lines: &'a str,
    pub body_hash: &'a str,
    pub balance_after: i64,
    pub tier_code: &'a str,
    pub tier_changed: bool,
    pub staff_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// Records a receipt; a second receipt with the same store and number is a unique violation.
pub async fn insert_receipt(tx: &mut Tx, r: &NewReceipt<'_>) -> Result<i64, sqlx::Error> {
    let sql = "insert into receipts (store_id, receipt_no, till_id, source, member_id, card_no, \
         occurred_at, total_fen, points, lines, body_hash, balance_after, tier_code, tier_changed, \
         staff_id, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) returning id";
    on_tx!(tx, |c| {
        sqlx::query_scalar(sql)
            .bind(r.store_id)
            .bind(r.receipt_no)
            .bind(r.till_id)
            .bind(r.source)
            .bind(r.member_id)
            .bind(r.card_no)
            .bind(ts(r.occurred_at))
            .bind(r.total_fen)
            .bind(r.points)
            .bind(r.lines)
            .bind(r.body_hash)
            .bind(r.balance_after)
            .bind(r.tier_code)
            .bind(r.tier_changed)
            .bind(r.staff_id)
            .bind(ts(r.created_at))
            .fetch_one(c)
            .await
    })
}

/// A recorded return or redemption: its content hash and first answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReturnRow {
    pub body_hash: String,
    pub points_reversed: i64,
    pub cash_to_collect_fen: i64,
    pub balance_after: i64,
}

pub async fn find_return(
    db: &Db,
    store_id: i64,
    return_no: &str,
) -> Result<Option<ReturnRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select body_hash, points_reversed, cash_to_collect_fen, balance_after \
             from point_returns where store_id = $1 and return_no = $2",
        )
        .bind(store_id)
        .bind(return_no)
        .fetch_optional(p)
        .await?
    }))
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_return(
    tx: &mut Tx,
    store_id: i64,
    return_no: &str,
    receipt_id: i64,
    till_id: Option<&str>,
    lines: &str,
    body_hash: &str,
    row: &ReturnRow,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into point_returns (store_id, return_no, receipt_id, till_id, lines, body_hash, \
             points_reversed, cash_to_collect_fen, balance_after, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(store_id)
        .bind(return_no)
        .bind(receipt_id)
        .bind(till_id)
        .bind(lines)
        .bind(body_hash)
        .bind(row.points_reversed)
        .bind(row.cash_to_collect_fen)
        .bind(row.balance_after)
        .bind(ts(at))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RedemptionRow {
    pub body_hash: String,
    pub points: i64,
    pub value_fen: i64,
    pub balance_after: i64,
}

pub async fn find_redemption(
    db: &Db,
    store_id: i64,
    receipt_no: &str,
) -> Result<Option<RedemptionRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select body_hash, points, value_fen, balance_after from point_redemptions \
             where store_id = $1 and receipt_no = $2",
        )
        .bind(store_id)
        .bind(receipt_no)
        .fetch_optional(p)
        .await?
    }))
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_redemption(
    tx: &mut Tx,
    store_id: i64,
    receipt_no: &str,
    till_id: Option<&str>,
    member_id: i64,
    row: &RedemptionRow,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into point_redemptions (store_id, receipt_no, till_id, member_id, points, \
             value_fen, balance_after, body_hash, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(store_id)
        .bind(receipt_no)
        .bind(till_id)
        .bind(member_id)
        .bind(row.points)
        .bind(row.value_fen)
        .bind(row.balance_after)
        .bind(&row.body_hash)
        .bind(ts(at))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Whether a return (`point_returns`) or redemption (`point_redemptions`) with this number was
/// recorded, inside a write after the lock that orders its twins.
pub async fn recorded_in(
    tx: &mut Tx,
    table: Recorded,
    store_id: i64,
    no: &str,
) -> Result<bool, DbError> {
    let sql = match table {
        Recorded::Return => {
            "select cast(count(*) as bigint) from point_returns where store_id = $1 and return_no = $2"
        }
        Recorded::Redemption => {
            "select cast(count(*) as bigint) from point_redemptions where store_id = $1 and receipt_no = $2"
        }
    };
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(sql)
            .bind(store_id)
            .bind(no)
            .fetch_one(c)
            .await?
    });
    Ok(n > 0)
}

#[derive(Debug, Clone, Copy)]
pub enum Recorded {
    Return,
    Redemption,
}
