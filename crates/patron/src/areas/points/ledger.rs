//! Debits and credits of one member's points from other areas (reward slips, the exchange
//! catalogue, event points, returned slip points), inside the caller's write. Each is one
//! `point_entries` row with the balance and lots changed in the same transaction, so the ledger,
//! the balance and the lots agree whatever area wrote them.

use chrono::{DateTime, NaiveDate, Utc};

use super::store::{self, NewEntry};
use super::{PointsError, receipts::spend_lots};
use crate::kernel::db::Tx;

/// One change of a member's points made by another area.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub member_id: i64,
    /// Always positive: `debit_in` takes it, `credit_in` adds it.
    pub points: i64,
    /// The ledger entry kind (`reward`, `reward_return`, `exchange`, `event`, …).
    pub kind: &'a str,
    pub store_id: Option<i64>,
    /// The document the change belongs to (a slip number, an event code).
    pub source_ref: &'a str,
    pub staff_id: Option<i64>,
    pub note: &'a str,
    /// The business date (lots past their date are expired first; a credit's lot expiry).
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// Takes `points` from the member: locks the member row, expires lots past their date, takes
/// the balance (refusing with `InsufficientPoints` if it is short), spends the oldest lots and
/// writes the entry. Returns the balance after.
pub async fn debit_in(tx: &mut Tx, c: &Change<'_>) -> Result<i64, PointsError> {
    if c.points <= 0 {
        return Err(crate::kernel::validation::Invalid::one("points", "invalid.points").into());
    }
    store::lock_balance(tx, c.member_id).await?;
    super::expiry::expire_member_in(tx, c.member_id, c.today, c.now).await?;
    let available = store::lock_balance(tx, c.member_id).await?;
    let balance = store::take_balance(tx, c.member_id, c.points)
        .await?
        .ok_or(PointsError::InsufficientPoints { available })?;
    spend_lots(tx, c.member_id, c.points).await?;
    entry(tx, c, -c.points, balance).await?;
    Ok(balance)
}

/// Gives `points` to the member as a new lot earned `today` (it expires like points earned
/// from a receipt that day) and writes the entry. Returns the balance after.
pub async fn credit_in(
    tx: &mut Tx,
    c: &Change<'_>,
    points_valid_months: u32,
) -> Result<i64, PointsError> {
    if c.points <= 0 {
        return Err(crate::kernel::validation::Invalid::one("points", "invalid.points").into());
    }
    let balance = store::add_balance(tx, c.member_id, c.points).await?;
    let expires = patron_core::points::lot_expiry(c.today, points_valid_months);
    store::add_to_lot(tx, c.member_id, expires, c.points).await?;
    entry(tx, c, c.points, balance).await?;
    Ok(balance)
}

async fn entry(tx: &mut Tx, c: &Change<'_>, points: i64, balance: i64) -> Result<(), PointsError> {
    store::insert_entry(
        tx,
        &NewEntry {
            member_id: c.member_id,
            at: c.now,
            kind: c.kind,
            points,
            balance_after: balance,
            store_id: c.store_id,
            source_ref: Some(c.source_ref),
            till_id: None,
            staff_id: c.staff_id,
            approved_by: None,
            note: c.note,
        },
    )
    .await?;
    Ok(())
}
