//! SQL of the points area. Balances change only through guarded updates in the same
//! transaction as their ledger entry; on PostgreSQL the member row's lock (taken by the first
//! update) orders everything that touches one member's balance and lots.

mod jobs;
mod receipts;
mod settings;

pub use jobs::*;
pub use receipts::*;
pub use settings::*;

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// A card with its member, as the till and the desk see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardMember {
    pub card_no: String,
    pub member_id: i64,
    pub card_state: String,
    pub card_store_id: i64,
    pub expires_on: NaiveDate,
    pub opening_receipt_no: Option<String>,
    pub name: String,
    pub birthday: Option<NaiveDate>,
    pub tier_code: String,
    pub joined_on: NaiveDate,
    pub member_status: String,
    pub points_balance: i64,
}

const CARD_MEMBER: &str = "select c.card_no, c.member_id, c.state as card_state, \
     c.store_id as card_store_id, c.expires_on, c.opening_receipt_no, m.name, m.birthday, \
     m.tier_code, m.joined_on, m.status as member_status, m.points_balance \
     from cards c join members m on m.id = c.member_id";

/// The card with this number and its member, from the read pool or inside a write.
pub async fn card_member(
    ex: impl Into<Exec<'_>>,
    card_no: &str,
) -> Result<Option<CardMember>, DbError> {
    let sql = format!("{CARD_MEMBER} where c.card_no = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(card_no)
            .fetch_optional(c)
            .await?
    }))
}

/// The member's live card (issued, active or frozen), found by the phone's lookup hash.
pub async fn card_member_by_phone(
    db: &Db,
    phone_hash: &str,
) -> Result<Option<CardMember>, DbError> {
    let sql = format!(
        "{CARD_MEMBER} where m.phone_hash = $1 and c.state in ('issued', 'active', 'frozen')"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(phone_hash)
            .fetch_optional(p)
            .await?
    }))
}

/// What the points desk needs of a member: home store, name, tier and balance.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberBrief {
    pub id: i64,
    pub store_id: i64,
    pub name: String,
    pub tier_code: String,
    pub points_balance: i64,
}

pub async fn member_brief(
    ex: impl Into<Exec<'_>>,
    member_id: i64,
) -> Result<Option<MemberBrief>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select id, store_id, name, tier_code, points_balance from members where id = $1",
        )
        .bind(member_id)
        .fetch_optional(c)
        .await?
    }))
}

/// Adds (or, negative, removes) points; the check constraint refuses a negative balance.
pub async fn add_balance(tx: &mut Tx, member_id: i64, delta: i64) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "update members set points_balance = points_balance + $1 where id = $2 returning points_balance",
        )
        .bind(delta)
        .bind(member_id)
        .fetch_one(c)
        .await?
    }))
}

/// Takes `points` if the balance covers them: the new balance, or `None`.
pub async fn take_balance(
    tx: &mut Tx,
    member_id: i64,
    points: i64,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "update members set points_balance = points_balance - $1 \
             where id = $2 and points_balance >= $1 returning points_balance",
        )
        .bind(points)
        .bind(member_id)
        .fetch_optional(c)
        .await?
    }))
}

/// Locks the member row (PostgreSQL) and reads the balance.
pub async fn lock_balance(tx: &mut Tx, member_id: i64) -> Result<i64, DbError> {
    add_balance(tx, member_id, 0).await
}

/// One ledger entry.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub member_id: i64,
    pub at: DateTime<Utc>,
    pub kind: &'a str,
    pub points: i64,
    pub balance_after: i64,
    pub store_id: Option<i64>,
    pub source_ref: Option<&'a str>,
    pub till_id: Option<&'a str>,
    /// The staff member who entered it (the clerk, not the approver).
    pub staff_id: Option<i64>,
    /// Who approved it, when an approval carried it.
    pub approved_by: Option<i64>,
    pub note: &'a str,
}

pub async fn insert_entry(tx: &mut Tx, e: &NewEntry<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into point_entries (member_id, at, kind, points, balance_after, store_id, \
             source_ref, till_id, staff_id, approved_by, note) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(e.member_id)
        .bind(ts(e.at))
        .bind(e.kind)
        .bind(e.points)
        .bind(e.balance_after)
        .bind(e.store_id)
        .bind(e.source_ref)
        .bind(e.till_id)
        .bind(e.staff_id)
        .bind(e.approved_by)
        .bind(e.note)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn add_to_lot(
    tx: &mut Tx,
    member_id: i64,
    expires_on: NaiveDate,
    points: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into point_lots (member_id, expires_on, earned, remaining) values ($1, $2, $3, $3) \
             on conflict (member_id, expires_on) do update \
             set earned = point_lots.earned + excluded.earned, \
                 remaining = point_lots.remaining + excluded.remaining",
        )
        .bind(member_id)
        .bind(expires_on)
        .bind(points)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Lots with points left, earliest expiry first (including lots past expiry that the expiry
/// job has not reached yet, so callers decide).
pub async fn lots(
    ex: impl Into<Exec<'_>>,
    member_id: i64,
) -> Result<Vec<(NaiveDate, i64)>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select expires_on, remaining from point_lots where member_id = $1 and remaining > 0 \
             order by expires_on",
        )
        .bind(member_id)
        .fetch_all(c)
        .await?
    }))
}

pub async fn take_from_lot(
    tx: &mut Tx,
    member_id: i64,
    expires_on: NaiveDate,
    points: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update point_lots set remaining = remaining - $1 where member_id = $2 and expires_on = $3",
        )
        .bind(points)
        .bind(member_id)
        .bind(expires_on)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Adds a receipt's spend to its month (negative for a return).
pub async fn add_spend(
    tx: &mut Tx,
    member_id: i64,
    month: &str,
    amount_fen: i64,
    purchases: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into member_spend (member_id, month, amount_fen, purchases) values ($1, $2, $3, $4) \
             on conflict (member_id, month) do update \
             set amount_fen = member_spend.amount_fen + excluded.amount_fen, \
                 purchases = member_spend.purchases + excluded.purchases",
        )
        .bind(member_id)
        .bind(month)
        .bind(amount_fen)
        .bind(purchases)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Spend and purchases from `from_month` (`YYYY-MM`, inclusive) on.
pub async fn window_spend(
    ex: impl Into<Exec<'_>>,
    member_id: i64,
    from_month: &str,
    to_month: &str,
) -> Result<(i64, i64), DbError> {
    let row: (Option<i64>, Option<i64>) = on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select cast(sum(amount_fen) as bigint), cast(sum(purchases) as bigint) \
             from member_spend where member_id = $1 and month >= $2 and month <= $3",
        )
        .bind(member_id)
        .bind(from_month)
        .bind(to_month)
        .fetch_one(c)
        .await?
    });
    Ok((row.0.unwrap_or(0), row.1.unwrap_or(0)))
}

/// Moves a member to another tier and records why.
#[allow(clippy::too_many_arguments)]
pub async fn set_tier(
    tx: &mut Tx,
    member_id: i64,
    from: &str,
    to: &str,
    at: DateTime<Utc>,
    since: NaiveDate,
    reason: &str,
    staff_id: Option<i64>,
) -> Result<bool, DbError> {
    // Guarded: a concurrent change of this member's tier wins and this one is skipped.
    let moved = on_tx!(tx, |c| {
        sqlx::query(
            "update members set tier_code = $1, tier_since = $2 where id = $3 and tier_code = $4",
        )
        .bind(to)
        .bind(since)
        .bind(member_id)
        .bind(from)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if moved == 0 {
        return Ok(false);
    }
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into tier_changes (member_id, at, from_tier, to_tier, reason, staff_id) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(member_id)
        .bind(ts(at))
        .bind(from)
        .bind(to)
        .bind(reason)
        .bind(staff_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(true)
}
