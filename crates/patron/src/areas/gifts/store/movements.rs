//! The stock primitives: every change of `gift_stock` goes through `take_in` or `put_in`, inside
//! the caller's write, with one `gift_movements` row (append-only); and the reads of the stock
//! and of its movement ledger.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// One stock movement: which gift where, why, and the document it belongs to.
#[derive(Debug, Clone)]
pub struct Movement<'a> {
    pub store_id: i64,
    pub gift_id: i64,
    /// receive | slip | exchange | birthday | transfer_out | transfer_in | stocktake
    pub kind: &'a str,
    /// Always positive: `take_in` takes it, `put_in` adds it.
    pub qty: i64,
    /// The document: its kind (`delivery`, `slip`, `exchange`, `birthday`, `transfer`,
    /// `stocktake`) and number.
    pub doc_kind: &'a str,
    pub doc_no: &'a str,
    pub note: &'a str,
    pub staff_id: Option<i64>,
    pub business_date: NaiveDate,
    pub at: DateTime<Utc>,
}

/// Takes `qty` of the gift from the store's stock with one guarded update
/// (`… where on_hand >= qty`, which on PostgreSQL holds the stock row's lock until commit, so
/// parallel takes queue and re-check). Returns the stock left, or `None` (nothing written) when
/// the store has fewer than `qty`.
pub async fn take_in(tx: &mut Tx, m: &Movement<'_>) -> Result<Option<i64>, DbError> {
    let left: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "update gift_stock set on_hand = on_hand - $3 \
             where store_id = $1 and gift_id = $2 and on_hand >= $3 returning on_hand",
        )
        .bind(m.store_id)
        .bind(m.gift_id)
        .bind(m.qty)
        .fetch_optional(c)
        .await?
    });
    let Some(left) = left else { return Ok(None) };
    record(tx, m, -m.qty, left).await?;
    Ok(Some(left))
}

/// Adds `qty` of the gift to the store's stock. Returns the stock after.
pub async fn put_in(tx: &mut Tx, m: &Movement<'_>) -> Result<i64, DbError> {
    let after: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gift_stock (store_id, gift_id, on_hand) values ($1, $2, $3) \
             on conflict (store_id, gift_id) do update set on_hand = gift_stock.on_hand + $3 \
             returning on_hand",
        )
        .bind(m.store_id)
        .bind(m.gift_id)
        .bind(m.qty)
        .fetch_one(c)
        .await?
    });
    record(tx, m, m.qty, after).await?;
    Ok(after)
}

/// The stock of a gift at a store now (0 if it never had any), from the read pool or inside a
/// write.
pub async fn on_hand(ex: impl Into<Exec<'_>>, store_id: i64, gift_id: i64) -> Result<i64, DbError> {
    let n: Option<i64> = on_exec!(ex.into(), |c| {
        sqlx::query_scalar("select on_hand from gift_stock where store_id = $1 and gift_id = $2")
            .bind(store_id)
            .bind(gift_id)
            .fetch_optional(c)
            .await?
    });
    Ok(n.unwrap_or(0))
}

async fn record(tx: &mut Tx, m: &Movement<'_>, qty: i64, after: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into gift_movements (store_id, gift_id, kind, qty, on_hand_after, doc_kind, \
             doc_no, note, staff_id, business_date, at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(m.store_id)
        .bind(m.gift_id)
        .bind(m.kind)
        .bind(qty)
        .bind(after)
        .bind(m.doc_kind)
        .bind(m.doc_no)
        .bind(m.note)
        .bind(m.staff_id)
        .bind(m.business_date)
        .bind(ts(m.at))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Stock per store and gift: (store_id, gift_id, on_hand).
pub async fn stock_all(db: &Db) -> Result<Vec<(i64, i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, gift_id, on_hand from gift_stock order by store_id, gift_id",
        )
        .fetch_all(p)
        .await?
    }))
}

/// One row of the movement ledger.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct MovementRow {
    pub id: i64,
    pub store_id: i64,
    pub gift_id: i64,
    pub gift_code: String,
    pub kind: String,
    pub qty: i64,
    pub on_hand_after: i64,
    pub doc_kind: String,
    pub doc_no: String,
    pub note: String,
    pub staff_id: Option<i64>,
    pub business_date: NaiveDate,
    pub at: DateTime<Utc>,
}

/// The movements at a store, of one gift (0: every gift), newest first.
pub async fn movements(
    db: &Db,
    store_id: i64,
    gift_id: i64,
    limit: i64,
) -> Result<Vec<MovementRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id, m.store_id, m.gift_id, g.code as gift_code, m.kind, m.qty, m.on_hand_after, \
             m.doc_kind, m.doc_no, m.note, m.staff_id, m.business_date, m.at \
             from gift_movements m join gifts g on g.id = m.gift_id \
             where m.store_id = $1 and ($2 = 0 or m.gift_id = $2) order by m.id desc limit $3",
        )
        .bind(store_id)
        .bind(gift_id)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}
