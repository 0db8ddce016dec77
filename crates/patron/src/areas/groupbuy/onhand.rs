//! What the desk has on hand (E1, E4): the stamped vouchers a store's department may sell, shown
//! as runs per face value on the sale screen, and for a typed range every run that is not on
//! hand and why (never printed, still at finance, not stamped, reserved, sold, redeemed, written
//! off, or held by another store's desk).

use patron_core::vouchers::SerialRange;
use serde::Serialize;
use utoipa::ToSchema;

use super::store::onhand;
use crate::kernel::db::{Db, DbError};
use crate::web::said::Said;

pub use onhand::OnHandRun;

/// A run of a typed range that cannot be sold here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OffHand {
    /// The form field the range was typed in, e.g. `lines[0].range`.
    pub field: String,
    /// The line of the sale form, from 1.
    pub line: usize,
    pub range: String,
    pub count: i64,
    /// Why: `missing` (never printed), `elsewhere` (stamped at another store's desk) or the
    /// vouchers' state (`finance`, `received`, `reserved`, `sold`, `redeemed`, `exchanged`,
    /// `void`, `damaged`, `lost`).
    pub why: String,
}

impl OffHand {
    /// The catalog key of the reason.
    pub fn why_key(&self) -> String {
        format!("gb.why.{}", self.why)
    }

    /// The run as the desk is told it: line, serials, count and why.
    pub fn said(&self) -> Said {
        Said::new("gb.not_on_hand_run")
            .text("line", self.line)
            .text("range", &self.range)
            .text("n", self.count)
            .label("why", self.why_key())
    }
}

/// The runs of `range` that are not stamped vouchers held by `store_id`'s department, in serial
/// order; empty when all of it is on hand.
pub async fn off_hand(
    db: &Db,
    (line, field): (usize, &str),
    range: SerialRange,
    store_id: i64,
) -> Result<Vec<OffHand>, DbError> {
    let mut runs: Vec<(i64, i64, String)> = onhand::off_runs(db, range, store_id)
        .await?
        .into_iter()
        .map(|r| {
            let why = if r.state == "stamped" && !r.here {
                "elsewhere".to_string()
            } else {
                r.state
            };
            (r.first_serial, r.last_serial, why)
        })
        .collect();
    // The gaps between the printed runs were never printed.
    let mut next = range.first.0;
    for p in onhand::printed_runs(db, range).await? {
        if p.first.0 > next {
            runs.push((next, p.first.0 - 1, "missing".into()));
        }
        next = p.last.0 + 1;
    }
    if next <= range.last.0 {
        runs.push((next, range.last.0, "missing".into()));
    }
    runs.sort_by_key(|r| r.0);
    Ok(runs
        .into_iter()
        .map(|(a, b, why)| {
            let r = SerialRange::new(a, b);
            OffHand {
                field: field.to_string(),
                line,
                range: r.to_string(),
                count: r.count(),
                why,
            }
        })
        .collect())
}

/// The stamped vouchers a store's department may sell, as runs by face value.
pub async fn runs(db: &Db, store_id: i64) -> Result<Vec<OnHandRun>, DbError> {
    onhand::runs(db, store_id).await
}
