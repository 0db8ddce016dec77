//! SQL of sales: buyers, the sale and its lines, the register's reads, and a cheque sale's
//! release or bounce.

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::vouchers::SerialRange;
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// A sale as lists and print views show it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct SaleRow {
    pub id: i64,
    pub sale_no: String,
    pub store_id: i64,
    pub buyer_id: i64,
    pub organisation: String,
    pub contact: String,
    #[serde(skip)]
    pub phone_enc: Option<String>,
    pub buyer_kind: String,
    pub payment: String,
    pub state: String,
    pub count: i64,
    pub amount_fen: i64,
    pub biz_date: NaiveDate,
    pub expires_on: NaiveDate,
    pub cheque_no: Option<String>,
    pub bank: Option<String>,
    pub account_name: Option<String>,
    pub account_no: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub counter_slip_no: Option<String>,
    pub released_on: Option<NaiveDate>,
    pub release_reason: Option<String>,
    pub bounce_reason: Option<String>,
    pub real_name: Option<String>,
    pub deposit_id: Option<i64>,
    pub rebate_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// Cash (E5): the amount the clerk counted (none before this was recorded).
    pub counted_fen: Option<i64>,
    /// Cash (E5): the three seals were checked.
    pub seals_checked: bool,
}

pub(super) const SALE_COLUMNS: &str = "s.id, s.sale_no, s.store_id, s.buyer_id, b.organisation, b.contact, b.phone_enc, \
     s.buyer_kind, s.payment, s.state, s.count, s.amount_fen, s.biz_date, s.expires_on, s.cheque_no, s.bank, \
     s.account_name, s.account_no, s.due_on, s.counter_slip_no, s.released_on, s.release_reason, \
     s.bounce_reason, s.real_name, s.deposit_id, s.rebate_id, s.created_at, s.counted_fen, s.seals_checked \
     from gb_sales s join gb_buyers b on b.id = s.buyer_id";

pub async fn get(db: &Db, id: i64) -> Result<Option<SaleRow>, DbError> {
    let sql = format!("select {SALE_COLUMNS} where s.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// Sales of a store, newest first; `state` filters (`reserved` lists the cheques pending).
pub async fn list(
    db: &Db,
    store_id: i64,
    state: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SaleRow>, DbError> {
    let sql = format!(
        "select {SALE_COLUMNS} where s.store_id = $1 and ($2 = '' or s.state = $2) \
         and s.biz_date between $3 and $4 order by s.id desc limit 2000"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(state.unwrap_or(""))
            .bind(from)
            .bind(to)
            .fetch_all(p)
            .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct SaleLineRow {
    pub line_no: i64,
    pub first_serial: i64,
    pub last_serial: i64,
    pub count: i64,
    pub series_face_fen: i64,
    pub face_value_fen: i64,
    pub amount_fen: i64,
    pub change_reason: String,
}

impl SaleLineRow {
    pub fn range(&self) -> SerialRange {
        SerialRange::new(self.first_serial, self.last_serial)
    }
}

/// A sale's lines, read from the pool or inside a write (`&mut *tx`).
pub async fn lines(ex: impl Into<Exec<'_>>, sale_id: i64) -> Result<Vec<SaleLineRow>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select line_no, first_serial, last_serial, count, series_face_fen, face_value_fen, amount_fen, \
             change_reason from gb_sale_lines where sale_id = $1 order by line_no",
        )
        .bind(sale_id)
        .fetch_all(c)
        .await?
    }))
}

/// A known buyer's kind (`organisation` or `person`).
pub async fn buyer_kind(db: &Db, id: i64) -> Result<Option<String>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select kind from gb_buyers where id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// A buyer the desk may pick again (rebates add up one buyer's purchases).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BuyerChoice {
    pub id: i64,
    pub kind: String,
    pub organisation: String,
    pub contact: String,
}

pub async fn buyers(db: &Db) -> Result<Vec<BuyerChoice>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, kind, organisation, contact from gb_buyers order by organisation, contact limit 500",
        )
        .fetch_all(p)
        .await?
    }))
}

/// A new buyer in the register; the phone encrypted and its lookup hash.
pub struct NewBuyer<'a> {
    pub kind: &'a str,
    pub organisation: &'a str,
    pub contact: &'a str,
    pub phone: Option<&'a (String, String)>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
}

/// The organisation's folded name (`patron_core::identity::organisation_key`), by which the
/// customers area links sales to customer files; none for a person buying for themselves.
fn org_key(organisation: &str) -> Option<String> {
    Some(patron_core::identity::organisation_key(organisation)).filter(|k| !k.is_empty())
}

pub async fn insert_buyer(tx: &mut Tx, b: &NewBuyer<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gb_buyers (kind, organisation, contact, phone_enc, phone_hash, created_at, \
             created_by, org_key) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(b.kind)
        .bind(b.organisation)
        .bind(b.contact)
        .bind(b.phone.map(|p| p.0.as_str()))
        .bind(b.phone.map(|p| p.1.as_str()))
        .bind(ts(b.created_at))
        .bind(b.created_by)
        .bind(org_key(b.organisation))
        .fetch_one(c)
        .await?
    }))
}

/// A new sale; a cash sale is released (handed over) at once.
pub struct NewSale<'a> {
    pub sale_no: &'a str,
    pub store_id: i64,
    pub buyer_id: i64,
    pub buyer_kind: &'a str,
    pub payment: &'a str,
    pub state: &'a str,
    pub count: i64,
    pub amount_fen: i64,
    pub biz_date: NaiveDate,
    pub expires_on: NaiveDate,
    pub cheque_no: &'a str,
    pub bank: &'a str,
    pub account_name: &'a str,
    pub account_no: &'a str,
    pub due_on: Option<NaiveDate>,
    pub released_at: Option<DateTime<Utc>>,
    pub released_by: Option<i64>,
    pub released_on: Option<NaiveDate>,
    pub release_reason: Option<&'a str>,
    pub real_name: &'a str,
    pub id_number_enc: Option<&'a str>,
    /// Cash (E5): what the clerk counted, and the three seals checked.
    pub counted_fen: Option<i64>,
    pub seals_checked: bool,
    pub request_key: Option<&'a str>,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

/// Inserts a sale; a repeated request key is a unique violation.
pub async fn insert_sale(tx: &mut Tx, s: &NewSale<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gb_sales (sale_no, store_id, buyer_id, buyer_kind, payment, state, count, amount_fen, \
             biz_date, expires_on, cheque_no, bank, account_name, account_no, due_on, released_at, released_by, \
             released_on, release_reason, real_name, id_number_enc, request_key, created_by, created_at, \
             counted_fen, seals_checked) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
             $21, $22, $23, $24, $25, $26) returning id",
        )
        .bind(s.sale_no)
        .bind(s.store_id)
        .bind(s.buyer_id)
        .bind(s.buyer_kind)
        .bind(s.payment)
        .bind(s.state)
        .bind(s.count)
        .bind(s.amount_fen)
        .bind(s.biz_date)
        .bind(s.expires_on)
        .bind(s.cheque_no)
        .bind(s.bank)
        .bind(s.account_name)
        .bind(s.account_no)
        .bind(s.due_on)
        .bind(s.released_at.map(ts))
        .bind(s.released_by)
        .bind(s.released_on)
        .bind(s.release_reason)
        .bind(s.real_name)
        .bind(s.id_number_enc)
        .bind(s.request_key)
        .bind(s.created_by)
        .bind(ts(s.created_at))
        .bind(s.counted_fen)
        .bind(s.seals_checked)
        .fetch_one(c)
        .await?
    }))
}

/// One line of a sale, as stored.
pub struct NewLine<'a> {
    pub line_no: i64,
    pub range: SerialRange,
    pub series_face_fen: i64,
    pub face_value_fen: i64,
    pub amount_fen: i64,
    pub change_reason: &'a str,
}

pub async fn insert_line(tx: &mut Tx, sale_id: i64, l: &NewLine<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into gb_sale_lines (sale_id, line_no, first_serial, last_serial, count, series_face_fen, \
             face_value_fen, amount_fen, change_reason) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(sale_id)
        .bind(l.line_no)
        .bind(l.range.first.0)
        .bind(l.range.last.0)
        .bind(l.range.count())
        .bind(l.series_face_fen)
        .bind(l.face_value_fen)
        .bind(l.amount_fen)
        .bind(l.change_reason)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

pub async fn set_sale_no(tx: &mut Tx, id: i64, sale_no: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update gb_sales set sale_no = $1 where id = $2")
            .bind(sale_no)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// A sale recorded under a request key: id, number, state, count, amount, due date.
pub type KeyedSale = (i64, String, String, i64, i64, Option<NaiveDate>);

pub async fn by_request_key(db: &Db, key: &str) -> Result<Option<KeyedSale>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, sale_no, state, count, amount_fen, due_on from gb_sales where request_key = $1",
        )
        .bind(key)
        .fetch_optional(p)
        .await?
    }))
}

/// Who entered a sale.
pub async fn created_by(db: &Db, id: i64) -> Result<Option<i64>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select created_by from gb_sales where id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// A sale's state as a release or bounce reads it inside its transaction.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SaleState {
    pub store_id: i64,
    pub sale_no: String,
    pub state: String,
    pub due_on: Option<NaiveDate>,
    pub count: i64,
    pub amount_fen: i64,
    pub deposit_id: Option<i64>,
}

pub async fn sale_state(tx: &mut Tx, id: i64) -> Result<Option<SaleState>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "select store_id, sale_no, state, due_on, count, amount_fen, deposit_id from gb_sales where id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

/// A reserved sale's release.
pub struct Released<'a> {
    pub at: DateTime<Utc>,
    pub by: Option<i64>,
    pub on: NaiveDate,
    pub reason: &'a str,
    pub counter_slip_no: Option<&'a str>,
}

pub async fn mark_released(tx: &mut Tx, id: i64, r: &Released<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update gb_sales set state = 'sold', released_at = $1, released_by = $2, released_on = $3, \
             release_reason = $4, counter_slip_no = $5 where id = $6 and state = 'reserved'",
        )
        .bind(ts(r.at))
        .bind(r.by)
        .bind(r.on)
        .bind(r.reason)
        .bind(r.counter_slip_no)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

pub async fn mark_bounced(
    tx: &mut Tx,
    id: i64,
    at: DateTime<Utc>,
    by: Option<i64>,
    reason: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update gb_sales set state = 'bounced', bounced_at = $1, bounced_by = $2, bounce_reason = $3 \
             where id = $4 and state = 'reserved'",
        )
        .bind(ts(at))
        .bind(by)
        .bind(reason)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}
