//! SQL of the demo membership: a few direct touches the use cases do not offer (lots made to
//! expire this month, a portal password that need not be changed) and reads of what was built.

use chrono::NaiveDate;

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// Moves the lots of every seventh member to expire on `on`.
pub async fn expire_lots_of_every_seventh(tx: &mut Tx, on: NaiveDate) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update point_lots set expires_on = $1 where member_id % 7 = 0")
            .bind(on)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Every card number with its store's code, by card number.
pub async fn cards_with_store(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as::<_, (String, String)>(
            "select c.card_no, s.code from cards c join stores s on s.id = c.store_id order by c.card_no",
        )
        .fetch_all(p)
        .await?
    }))
}

/// Gives the card's member a portal password they need not change.
pub async fn set_portal_password(tx: &mut Tx, card_no: &str, hash: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update members set portal_password_hash = $1, portal_must_change = false \
             where id = (select member_id from cards where card_no = $2)",
        )
        .bind(hash)
        .bind(card_no)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The first member's id.
pub async fn first_member_id(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select min(id) from members")
            .fetch_one(p)
            .await?
    }))
}
