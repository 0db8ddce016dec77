//! SQL of voucher stock: print runs (series and their vouchers), write-offs, and what a range
//! holds in a state.

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::vouchers::{SerialRange, VoucherState};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx, TxConn, ts};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SeriesRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub face_value_fen: i64,
    pub named: bool,
    pub expires_on: NaiveDate,
    pub first_serial: i64,
    pub last_serial: i64,
}

impl SeriesRow {
    pub fn range(&self) -> SerialRange {
        SerialRange::new(self.first_serial, self.last_serial)
    }
}

/// The serial after the highest printed so far.
pub async fn next_serial(tx: &mut Tx) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select cast(coalesce(max(last_serial), 0) as bigint) + 1 from voucher_series",
        )
        .fetch_one(c)
        .await?
    }))
}

/// How many series already hold serials of the range.
pub async fn series_overlapping(tx: &mut Tx, range: SerialRange) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select count(*) from voucher_series where first_serial <= $2 and last_serial >= $1",
        )
        .bind(range.first.0)
        .bind(range.last.0)
        .fetch_one(c)
        .await?
    }))
}

/// A new print run.
pub struct NewSeries<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub face_value_fen: i64,
    pub named: bool,
    pub expires_on: NaiveDate,
    pub range: SerialRange,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
}

/// Inserts a series; a code already used is a unique violation.
pub async fn insert_series(tx: &mut Tx, s: &NewSeries<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into voucher_series (code, name, face_value_fen, named, expires_on, first_serial, last_serial, created_at, created_by) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
        )
        .bind(s.code)
        .bind(s.name)
        .bind(s.face_value_fen)
        .bind(s.named)
        .bind(s.expires_on)
        .bind(s.range.first.0)
        .bind(s.range.last.0)
        .bind(ts(s.created_at))
        .bind(s.created_by)
        .fetch_one(c)
        .await?
    }))
}

/// One `vouchers` row per serial of the range, at finance.
pub async fn insert_vouchers(
    tx: &mut Tx,
    series_id: i64,
    range: SerialRange,
    face: i64,
) -> Result<(), DbError> {
    const SQLITE: &str = "with recursive s(n) as (select $1 union all select n + 1 from s where n < $2) \
         insert into vouchers (serial_no, series_id, face_value_fen, state) \
         select n, $3, $4, 'finance' from s";
    const PG: &str = "insert into vouchers (serial_no, series_id, face_value_fen, state) \
         select n, $3, $4, 'finance' from generate_series($1::bigint, $2::bigint) as n";
    match tx.conn() {
        TxConn::Sqlite(c) => {
            sqlx::query(SQLITE)
                .bind(range.first.0)
                .bind(range.last.0)
                .bind(series_id)
                .bind(face)
                .execute(c)
                .await?;
        }
        TxConn::Pg(c) => {
            sqlx::query(PG)
                .bind(range.first.0)
                .bind(range.last.0)
                .bind(series_id)
                .bind(face)
                .execute(c)
                .await?;
        }
    }
    Ok(())
}

pub async fn list_series(db: &Db) -> Result<Vec<SeriesRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, code, name, face_value_fen, named, expires_on, first_serial, last_serial \
             from voucher_series order by first_serial",
        )
        .fetch_all(p)
        .await?
    }))
}

pub async fn get_series(db: &Db, id: i64) -> Result<Option<SeriesRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, code, name, face_value_fen, named, expires_on, first_serial, last_serial \
             from voucher_series where id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct WriteOffRow {
    pub id: i64,
    pub store_id: i64,
    pub kind: String,
    pub ranges: String,
    pub count: i64,
    pub amount_fen: i64,
    pub reason: String,
    pub state: String,
    pub approval_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A new write-off request, pending approval.
pub struct NewWriteOff<'a> {
    pub store_id: i64,
    pub kind: &'a str,
    pub ranges: &'a str,
    pub count: i64,
    pub amount_fen: i64,
    pub reason: &'a str,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_writeoff(tx: &mut Tx, w: &NewWriteOff<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gb_writeoffs (store_id, kind, ranges, count, amount_fen, reason, state, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) returning id",
        )
        .bind(w.store_id)
        .bind(w.kind)
        .bind(w.ranges)
        .bind(w.count)
        .bind(w.amount_fen)
        .bind(w.reason)
        .bind(w.created_by)
        .bind(ts(w.created_at))
        .fetch_one(c)
        .await?
    }))
}

/// One write-off, inside a write.
pub async fn writeoff(tx: &mut Tx, id: i64) -> Result<WriteOffRow, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "select id, store_id, kind, ranges, count, amount_fen, reason, state, approval_id, created_at \
             from gb_writeoffs where id = $1",
        )
        .bind(id)
        .fetch_one(c)
        .await?
    }))
}

/// A pending write-off's decision (`approved`, `rejected` or `withdrawn`).
pub async fn set_writeoff_state(tx: &mut Tx, id: i64, state: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update gb_writeoffs set state = $1 where id = $2 and state = 'pending'")
            .bind(state)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}

pub async fn list_writeoffs(db: &Db, store_id: i64) -> Result<Vec<WriteOffRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, store_id, kind, ranges, count, amount_fen, reason, state, approval_id, created_at \
             from gb_writeoffs where store_id = $1 order by id desc limit 200",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

/// (vouchers, face value) of a range held by a store in one of `states`.
pub async fn count_in(
    db: &Db,
    r: SerialRange,
    store_id: i64,
    states: &[VoucherState],
) -> Result<(i64, i64), DbError> {
    let list = states
        .iter()
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "select count(*), cast(coalesce(sum(face_value_fen), 0) as bigint) from vouchers \
         where serial_no between $1 and $2 and store_id = $3 and state in ({list})"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(r.first.0)
            .bind(r.last.0)
            .bind(store_id)
            .fetch_one(p)
            .await?
    }))
}
