//! `patron check` for points (SPEC C8): every member's stored balance is recomputed from the
//! ledger and from the lots; any difference is reported.

use serde::Serialize;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// A member whose stored balance disagrees with the ledger or the lots.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct BalanceDiff {
    pub member_id: i64,
    pub stored: i64,
    pub ledger: i64,
    pub lots: i64,
}

/// How many balances were checked, and those that disagree (at most `limit`).
pub async fn verify_balances(db: &Db, limit: i64) -> Result<(i64, Vec<BalanceDiff>), DbError> {
    let checked: i64 = on_db!(db, |p| {
        sqlx::query_scalar("select cast(count(*) as bigint) from members")
            .fetch_one(p)
            .await?
    });
    let diffs: Vec<BalanceDiff> = on_db!(db, |p| {
        sqlx::query_as(
            "select m.id as member_id, m.points_balance as stored, \
             cast(coalesce(e.s, 0) as bigint) as ledger, cast(coalesce(l.s, 0) as bigint) as lots \
             from members m \
             left join (select member_id, sum(points) as s from point_entries group by member_id) e \
               on e.member_id = m.id \
             left join (select member_id, sum(remaining) as s from point_lots group by member_id) l \
               on l.member_id = m.id \
             where m.points_balance <> coalesce(e.s, 0) or m.points_balance <> coalesce(l.s, 0) \
             order by m.id limit $1",
        )
        .bind(limit)
        .fetch_all(p)
        .await?
    });
    Ok((checked, diffs))
}
