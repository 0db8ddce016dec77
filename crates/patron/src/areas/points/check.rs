//! `patron check` for points (SPEC C8): every member's stored balance is recomputed from the
//! ledger and from the lots; any difference is reported.

use super::store;
pub use super::store::BalanceDiff;
use crate::kernel::db::{Db, DbError};

/// How many balances were checked, and those that disagree (at most `limit`).
pub async fn verify_balances(db: &Db, limit: i64) -> Result<(i64, Vec<BalanceDiff>), DbError> {
    let checked = store::count_members(db).await?;
    let diffs = store::balance_diffs(db, limit).await?;
    Ok((checked, diffs))
}
