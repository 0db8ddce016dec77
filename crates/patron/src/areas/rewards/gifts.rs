//! The stock primitives: every change of `gift_stock` goes through `take_in` or `put_in`, inside
//! the caller's write, with one `gift_movements` row (append-only).

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{DbError, Tx, ts};
use crate::on_tx;

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

/// The stock of a gift at a store now (0 if it never had any).
pub async fn on_hand_in(tx: &mut Tx, store_id: i64, gift_id: i64) -> Result<i64, DbError> {
    let n: Option<i64> = on_tx!(tx, |c| {
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
