//! Where a member stands (B7, B10, C6): tier, spend in the rolling window, what the next tier
//! (or keeping this one) needs, and points by expiry date. The member page and the portal both
//! show it.

use chrono::NaiveDate;
use patron_core::money::Fen;
use patron_core::tiers::{Needed, needed_for};

use super::settings::{Loyalty, Tier};
use crate::kernel::db::{Db, DbError, Exec};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Standing {
    pub tier: Tier,
    /// Spend (fen) and purchases in the window.
    pub window: (i64, i64),
    pub next: Option<(Tier, Needed)>,
    /// What keeping the current tier needs (tiers with a threshold).
    pub keep: Option<Needed>,
    /// Points left by expiry date, earliest first.
    pub lots: Vec<(NaiveDate, i64)>,
    /// Points expiring within the reminder period.
    pub expiring_soon: i64,
}

/// The first month (`YYYY-MM`) of the rolling window ending in `day`'s month.
pub fn window_start(day: NaiveDate, window_months: i64) -> String {
    let months = u32::try_from(window_months.max(1) - 1).unwrap_or(0);
    day.checked_sub_months(chrono::Months::new(months))
        .unwrap_or(day)
        .format("%Y-%m")
        .to_string()
}

/// Spend (fen) and purchases in the rolling window that ends at business date `today`.
pub async fn window_spend(
    ex: impl Into<Exec<'_>>,
    member_id: i64,
    today: NaiveDate,
    window_months: i64,
) -> Result<(i64, i64), DbError> {
    let from = window_start(today, window_months);
    let to = crate::kernel::dates::month_key(today);
    super::store::window_spend(ex, member_id, &from, &to).await
}

pub async fn standing(
    db: &Db,
    loyalty: &Loyalty,
    member_id: i64,
    tier_code: &str,
    today: NaiveDate,
) -> Result<Option<Standing>, DbError> {
    let Some(tier) = loyalty.tier(tier_code).cloned() else {
        return Ok(None);
    };
    let window = window_spend(db, member_id, today, loyalty.settings.tier_window_months).await?;
    let next = loyalty.next_above(&tier.code).cloned().map(|t| {
        let needed = needed_for(&t.rule(), Fen(window.0), window.1);
        (t, needed)
    });
    let keep = (tier.min_spend_fen > 0).then(|| needed_for(&tier.rule(), Fen(window.0), window.1));
    let lots = super::store::lots(db, member_id).await?;
    let horizon = today + chrono::Duration::days(loyalty.settings.expiry_reminder_days);
    let expiring_soon = lots
        .iter()
        .filter(|(d, _)| *d <= horizon)
        .map(|(_, p)| p)
        .sum();
    Ok(Some(Standing {
        tier,
        window,
        next,
        keep,
        lots,
        expiring_soon,
    }))
}
