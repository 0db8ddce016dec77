//! The rewards demo's own SQL (seeding only): the reward gifts' stock at a store, the cards
//! expiring in a month, and back-dating a slip (the demo's clock only moves forward).

use chrono::NaiveDate;

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// (gift id, stock at `store`) of every reward gift (`REWARD-…`).
pub async fn reward_gift_stock(db: &Db, store: i64) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select g.id, COALESCE((select s.on_hand from gift_stock s where s.store_id = $1 and s.gift_id = g.id), 0) \
             from gifts g where g.code like 'REWARD-%'",
        )
        .bind(store)
        .fetch_all(p)
        .await?
    }))
}

/// (member id, balance) of up to 8 members whose live card expires between `first` and `last`,
/// highest balance first.
pub async fn expiring(
    db: &Db,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id, m.points_balance from cards c join members m on m.id = c.member_id \
             where c.expires_on >= $1 and c.expires_on <= $2 and c.state = 'active' and m.status = 'active' \
             order by m.points_balance desc, m.id limit 8",
        )
        .bind(first)
        .bind(last)
        .fetch_all(p)
        .await?
    }))
}

/// Moves a slip's dates.
pub async fn backdate(
    tx: &mut Tx,
    slip_no: &str,
    issued: NaiveDate,
    until: NaiveDate,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update reward_slips set issued_on = $1, valid_until = $2 where slip_no = $3")
            .bind(issued)
            .bind(until)
            .bind(slip_no)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
