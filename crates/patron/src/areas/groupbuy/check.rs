//! `patron check` for vouchers (E1, E10): every state's count is recomputed from the movement
//! ledger and compared with the vouchers; each department's stock is recomputed per store; every
//! closed month's figures are recomputed and compared with what both sides signed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// What the check found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VoucherCheck {
    pub vouchers: i64,
    pub movements: i64,
    /// (state, vouchers in that state, what the ledger says).
    pub state_diffs: Vec<(String, i64, i64)>,
    /// (store id, held in stock, what the ledger says).
    pub stock_diffs: Vec<(i64, i64, i64)>,
    /// (store id, month) of closed months whose figures no longer match.
    pub month_diffs: Vec<(i64, String)>,
    pub months_checked: i64,
}

impl VoucherCheck {
    pub fn ok(&self) -> bool {
        self.state_diffs.is_empty() && self.stock_diffs.is_empty() && self.month_diffs.is_empty()
    }
}

pub async fn verify(db: &Db) -> Result<VoucherCheck, DbError> {
    let mut out = VoucherCheck::default();
    let held: Vec<(String, i64)> = on_db!(db, |p| {
        sqlx::query_as("select state, count(*) from vouchers group by state")
            .fetch_all(p)
            .await?
    });
    let ledger: Vec<(String, i64)> = on_db!(db, |p| {
        sqlx::query_as(
            "select state, cast(sum(n) as bigint) from ( \
               select to_state as state, count as n from voucher_movements \
               union all select from_state, -count from voucher_movements where from_state <> 'none' \
             ) t group by state",
        )
        .fetch_all(p)
        .await?
    });
    out.movements = on_db!(db, |p| {
        sqlx::query_scalar("select count(*) from voucher_movements")
            .fetch_one(p)
            .await?
    });
    let mut states: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (s, n) in held {
        out.vouchers += n;
        states.entry(s).or_default().0 = n;
    }
    for (s, n) in ledger {
        states.entry(s).or_default().1 = n;
    }
    out.state_diffs = states
        .into_iter()
        .filter(|(_, (a, b))| a != b)
        .map(|(s, (a, b))| (s, a, b))
        .collect();
    let stock: Vec<(i64, i64, i64)> = on_db!(db, |p| {
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
    });
    out.stock_diffs = stock.into_iter().filter(|(_, a, b)| a != b).collect();
    let closed = on_db!(db, |p| {
        sqlx::query_as::<_, (i64, String, String)>(
            "select store_id, month, figures from gb_reconciliations where closed order by store_id, month",
        )
        .fetch_all(p)
        .await?
    });
    let stores = crate::areas::staff::store::list_stores(db).await?;
    for (store_id, month, signed) in closed {
        out.months_checked += 1;
        let Some(s) = stores.iter().find(|s| s.id == store_id) else {
            continue;
        };
        let info = crate::kernel::cache::StoreInfo {
            id: s.id,
            code: s.code.clone(),
            name: s.name.clone(),
            tz: s.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai),
            active: s.active,
        };
        let now = super::reconcile::figures(db, &info, &month).await.ok();
        let then: Option<super::reconcile::MonthFigures> = serde_json::from_str(&signed).ok();
        if now.is_none() || now != then {
            out.month_diffs.push((store_id, month));
        }
    }
    Ok(out)
}
