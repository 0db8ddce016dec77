//! `patron check` for vouchers (E1, E10): every state's count is recomputed from the movement
//! ledger and compared with the vouchers; each department's stock is recomputed per store; every
//! closed month's figures are recomputed and compared with what both sides signed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::store::check as store;
use crate::kernel::db::{Db, DbError};

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
    let held = store::held_by_state(db).await?;
    let ledger = store::ledger_by_state(db).await?;
    out.movements = store::movement_count(db).await?;
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
    let stock = store::stock_per_store(db).await?;
    out.stock_diffs = stock.into_iter().filter(|(_, a, b)| a != b).collect();
    let closed = store::closed_months(db).await?;
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
