//! SQL of rebates: the slips, the purchases they claim, the decision, the notice, the payment in
//! vouchers and the buyers with purchases not yet rebated.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct RebateRow {
    pub id: i64,
    pub rebate_no: String,
    pub store_id: i64,
    pub buyer_id: i64,
    pub organisation: String,
    pub contact: String,
    pub purchase_fen: i64,
    pub rate_permille: i64,
    pub rebate_fen: i64,
    pub state: String,
    pub approval_id: Option<i64>,
    pub recon_no: Option<String>,
    pub notified_at: Option<DateTime<Utc>>,
    pub notified_how: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_on: Option<NaiveDate>,
    pub signed_name: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "r.id, r.rebate_no, r.store_id, r.buyer_id, b.organisation, b.contact, r.purchase_fen, \
     r.rate_permille, r.rebate_fen, r.state, r.approval_id, r.recon_no, r.notified_at, r.notified_how, \
     r.paid_at, r.paid_on, r.signed_name, r.expires_on, r.created_at \
     from gb_rebates r join gb_buyers b on b.id = r.buyer_id";

pub async fn get(db: &Db, id: i64) -> Result<Option<RebateRow>, DbError> {
    let sql = format!("select {COLUMNS} where r.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

pub async fn list(db: &Db, store_id: i64) -> Result<Vec<RebateRow>, DbError> {
    let sql = format!("select {COLUMNS} where r.store_id = $1 order by r.id desc limit 1000");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .fetch_all(p)
            .await?
    }))
}

/// What a buyer's sold, not yet rebated purchases at a store come to: (sales, amount). Read
/// from the pool or inside a write (`&mut *tx`).
pub async fn open_purchases(
    ex: impl Into<Exec<'_>>,
    store_id: i64,
    buyer_id: i64,
) -> Result<(i64, i64), DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select count(*), cast(coalesce(sum(amount_fen), 0) as bigint) from gb_sales \
             where store_id = $1 and buyer_id = $2 and state = 'sold' and rebate_id is null",
        )
        .bind(store_id)
        .bind(buyer_id)
        .fetch_one(c)
        .await?
    }))
}

/// A new rebate slip, pending approval.
pub struct NewRebate<'a> {
    pub rebate_no: &'a str,
    pub store_id: i64,
    pub buyer_id: i64,
    pub purchase_fen: i64,
    pub rate_permille: i64,
    pub rebate_fen: i64,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, r: &NewRebate<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gb_rebates (rebate_no, store_id, buyer_id, purchase_fen, rate_permille, rebate_fen, \
             state, created_by, created_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) returning id",
        )
        .bind(r.rebate_no)
        .bind(r.store_id)
        .bind(r.buyer_id)
        .bind(r.purchase_fen)
        .bind(r.rate_permille)
        .bind(r.rebate_fen)
        .bind(r.created_by)
        .bind(ts(r.created_at))
        .fetch_one(c)
        .await?
    }))
}

/// The buyer's open purchases become the rebate's: how many were claimed.
pub async fn claim_sales(
    tx: &mut Tx,
    rebate_id: i64,
    store_id: i64,
    buyer_id: i64,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update gb_sales set rebate_id = $1 where store_id = $2 and buyer_id = $3 \
             and state = 'sold' and rebate_id is null",
        )
        .bind(rebate_id)
        .bind(store_id)
        .bind(buyer_id)
        .execute(c)
        .await?
        .rows_affected()
    }))
}

/// Approval: the pending slip gets its reconciliation number.
pub async fn approve(tx: &mut Tx, id: i64, recon_no: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update gb_rebates set state = 'approved', recon_no = $1 where id = $2 and state = 'pending'",
        )
        .bind(recon_no)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// A rejected or withdrawn slip lets its purchases go for a later request.
pub async fn close_and_free(tx: &mut Tx, id: i64, state: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update gb_rebates set state = $1 where id = $2 and state = 'pending'")
            .bind(state)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    on_tx!(tx, |c| {
        sqlx::query("update gb_sales set rebate_id = null where rebate_id = $1")
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// The customer was told: 1 if the slip was approved (and so could be), else 0.
pub async fn mark_notified(
    tx: &mut Tx,
    id: i64,
    at: DateTime<Utc>,
    by: Option<i64>,
    how: &str,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update gb_rebates set notified_at = $1, notified_by = $2, notified_how = $3 \
             where id = $4 and state = 'approved'",
        )
        .bind(ts(at))
        .bind(by)
        .bind(how)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    }))
}

/// A slip's state, inside a write.
pub async fn state(tx: &mut Tx, id: i64) -> Result<String, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select state from gb_rebates where id = $1")
            .bind(id)
            .fetch_one(c)
            .await?
    }))
}

/// The payment as the register records it.
pub struct Paid<'a> {
    pub at: DateTime<Utc>,
    pub by: Option<i64>,
    pub on: NaiveDate,
    pub signed_name: &'a str,
    pub expires_on: Option<NaiveDate>,
}

/// 1 if the slip was approved and is now paid, else 0.
pub async fn mark_paid(tx: &mut Tx, id: i64, p: &Paid<'_>) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update gb_rebates set state = 'paid', paid_at = $1, paid_by = $2, paid_on = $3, \
             signed_name = $4, expires_on = $5 where id = $6 and state = 'approved'",
        )
        .bind(ts(p.at))
        .bind(p.by)
        .bind(p.on)
        .bind(p.signed_name)
        .bind(p.expires_on)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    }))
}

/// (first, last) serial of the ranges paid out for a rebate.
pub async fn paid_ranges(db: &Db, id: i64) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select first_serial, last_serial from voucher_movements where doc_kind = 'rebate' and doc_id = $1 order by id",
        )
        .bind(id)
        .fetch_all(p)
        .await?
    }))
}

/// A buyer whose sold purchases are not yet rebated.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenBuyer {
    pub buyer_id: i64,
    pub name: String,
    pub sales: i64,
    pub amount_fen: i64,
}

/// The buyers of a store with open purchases, the largest first.
pub async fn open_buyers(db: &Db, store_id: i64) -> Result<Vec<OpenBuyer>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select b.id as buyer_id, case when b.organisation = '' then b.contact else b.organisation end as name, \
             count(*) as sales, cast(sum(s.amount_fen) as bigint) as amount_fen \
             from gb_sales s join gb_buyers b on b.id = s.buyer_id \
             where s.store_id = $1 and s.state = 'sold' and s.rebate_id is null \
             group by b.id, b.organisation, b.contact order by amount_fen desc limit 200",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}
