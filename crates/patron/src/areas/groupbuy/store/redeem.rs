//! SQL of redemption at the tills: the voucher as a till sees it, the wrong-code counter, and
//! the guarded use of a sold voucher.

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::vouchers::Serial;

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VoucherRow {
    pub face_value_fen: i64,
    pub state: String,
    pub expires_on: NaiveDate,
    pub redeemed_at: Option<DateTime<Utc>>,
    pub redeemed_store_id: Option<i64>,
    pub redeemed_till: Option<String>,
    pub redeemed_receipt: Option<String>,
}

const VOUCHER: &str = "select v.face_value_fen, v.state, s.expires_on, v.redeemed_at, v.redeemed_store_id, \
     v.redeemed_till, v.redeemed_receipt from vouchers v join voucher_series s on s.id = v.series_id \
     where v.serial_no = $1";

pub async fn voucher(db: &Db, serial: Serial) -> Result<Option<VoucherRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(VOUCHER)
            .bind(serial.0)
            .fetch_optional(p)
            .await?
    }))
}

/// Wrong codes a till key gave in one minute (`2026-11-22T10:05`).
pub async fn failures(db: &Db, key_id: i64, minute: &str) -> Result<Option<i64>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select failures from voucher_code_failures where till_key_id = $1 and minute = $2",
        )
        .bind(key_id)
        .bind(minute)
        .fetch_optional(p)
        .await?
    }))
}

pub async fn count_failure(tx: &mut Tx, key_id: i64, minute: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into voucher_code_failures (till_key_id, minute, failures) values ($1, $2, 1) \
             on conflict (till_key_id, minute) do update set failures = voucher_code_failures.failures + 1",
        )
        .bind(key_id)
        .bind(minute)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// Where a voucher was used.
pub struct UsedAt<'a> {
    pub at: DateTime<Utc>,
    pub store_id: i64,
    pub till: &'a str,
    pub receipt_no: &'a str,
}

/// Uses a sold voucher: its face value, or `None` if it was not sold (any more).
pub async fn redeem(tx: &mut Tx, serial: Serial, u: &UsedAt<'_>) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "update vouchers set state = 'redeemed', redeemed_at = $2, redeemed_store_id = $3, \
             redeemed_till = $4, redeemed_receipt = $5 where serial_no = $1 and state = 'sold' \
             returning face_value_fen",
        )
        .bind(serial.0)
        .bind(u.at)
        .bind(u.store_id)
        .bind(u.till)
        .bind(u.receipt_no)
        .fetch_optional(c)
        .await?
    }))
}
