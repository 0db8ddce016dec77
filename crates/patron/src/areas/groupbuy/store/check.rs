//! What `patron check` reads: vouchers by state, the movement ledger's view of the same, each
//! department's stock both ways, and the closed months with the figures both sides signed.

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// (state, vouchers in it) as the vouchers are.
pub async fn held_by_state(db: &Db) -> Result<Vec<(String, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select state, count(*) from vouchers group by state")
            .fetch_all(p)
            .await?
    }))
}

/// (state, vouchers in it) as the movement ledger says.
pub async fn ledger_by_state(db: &Db) -> Result<Vec<(String, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select state, cast(sum(n) as bigint) from ( \
               select to_state as state, count as n from voucher_movements \
               union all select from_state, -count from voucher_movements where from_state <> 'none' \
             ) t group by state",
        )
        .fetch_all(p)
        .await?
    }))
}

pub async fn movement_count(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select count(*) from voucher_movements")
            .fetch_one(p)
            .await?
    }))
}

/// (store id, held in stock, what the ledger says) for every store.
pub async fn stock_per_store(db: &Db) -> Result<Vec<(i64, i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select st.id, \
               (select count(*) from vouchers v where v.store_id = st.id and v.state in ('received', 'stamped', 'reserved')), \
               cast(coalesce((select sum(case when m.to_state in ('received', 'stamped', 'reserved') then m.count else 0 end) \
                 - sum(case when m.from_state in ('received', 'stamped', 'reserved') then m.count else 0 end) \
                 from voucher_movements m where m.store_id = st.id), 0) as bigint) \
             from stores st order by st.id",
        )
        .fetch_all(p)
        .await?
    }))
}

/// (store id, month, signed figures) of every closed month.
pub async fn closed_months(db: &Db) -> Result<Vec<(i64, String, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as::<_, (i64, String, String)>(
            "select store_id, month, figures from gb_reconciliations where closed order by store_id, month",
        )
        .fetch_all(p)
        .await?
    }))
}
