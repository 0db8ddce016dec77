//! What the group-buy demo reads directly: a returning buyer, a write-off's approval, the
//! biggest buyer not yet rebated, and the closing counts.

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// The first buyer recorded with this organisation and contact.
pub async fn known_buyer(
    db: &Db,
    organisation: &str,
    contact: &str,
) -> Result<Option<i64>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select min(id) from gb_buyers where organisation = $1 and contact = $2")
            .bind(organisation)
            .bind(contact)
            .fetch_one(p)
            .await?
    }))
}

pub async fn writeoff_approval(db: &Db, id: i64) -> Result<Option<i64>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select approval_id from gb_writeoffs where id = $1")
            .bind(id)
            .fetch_one(p)
            .await?
    }))
}

/// (buyer, total) of the buyer with the most sold purchases not yet rebated.
pub async fn biggest_open_buyer(db: &Db) -> Result<Option<(i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select buyer_id, cast(sum(amount_fen) as bigint) as total from gb_sales \
             where state = 'sold' and rebate_id is null group by buyer_id order by total desc limit 1",
        )
        .fetch_optional(p)
        .await?
    }))
}

pub async fn closed_months(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select count(*) from gb_reconciliations where closed")
            .fetch_one(p)
            .await?
    }))
}

pub async fn sales(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select count(*) from gb_sales")
            .fetch_one(p)
            .await?
    }))
}
