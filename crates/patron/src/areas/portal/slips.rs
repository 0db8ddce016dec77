//! The member's reward slips and thresholds in the portal (B10, D1–D2): each slip with its number,
//! gift, last valid day, where to claim it and whether it was claimed; and where the balance
//! stands against the thresholds — the highest one reached, or the points still missing for the
//! next — with the month the card expires (the month-end list of D2 takes the cards expiring
//! next month that reach a threshold). The thresholds and the "reached" rule are the rewards
//! area's (`rewards::settings`), not a copy.

use chrono::NaiveDate;

use super::PortalError;
use super::store::rights::{self as store, SlipRow};
use crate::areas::rewards::settings::{self, Threshold};
use crate::kernel::ctx::App;

/// Where the member's balance stands against the thresholds.
pub struct Standing {
    pub balance: i64,
    /// The highest threshold the balance reaches.
    pub reached: Option<Threshold>,
    /// The next threshold up and the points still missing for it.
    pub next: Option<(Threshold, i64)>,
    /// The month the member's card expires (`2027-09`).
    pub card_expires_month: Option<String>,
}

/// The balance `balance` against the thresholds.
pub fn standing_of(
    s: &settings::RewardSettings,
    balance: i64,
    card_expires_on: Option<NaiveDate>,
) -> Standing {
    let next = s
        .thresholds
        .iter()
        .find(|t| t.points > balance)
        .map(|t| (t.clone(), t.points - balance));
    Standing {
        balance,
        reached: s.reached(balance).cloned(),
        next,
        card_expires_month: card_expires_on.map(|d| d.format("%Y-%m").to_string()),
    }
}

/// The member's slips (newest first) and where they stand.
pub async fn mine(app: &App, member_id: i64) -> Result<(Vec<SlipRow>, Standing), PortalError> {
    let m = crate::areas::members::store::get_member(&app.db, member_id)
        .await?
        .ok_or(PortalError::NotFound)?;
    let s = settings::load(&app.db).await?;
    let slips = store::slips(&app.db, member_id).await?;
    Ok((slips, standing_of(&s, m.points_balance, m.card_expires_on)))
}
