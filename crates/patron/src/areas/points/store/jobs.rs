//! SQL of the points area's timed work and checks: lots past their date (C6), reminders of lots
//! about to expire, the annual tier review (B7), and the balance check (C8).

use chrono::NaiveDate;
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A lot past its expiry date with points left.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueLot {
    pub member_id: i64,
    pub expires_on: NaiveDate,
    pub remaining: i64,
}

/// How many lots expired before `today` still hold points.
pub async fn count_due_lots(db: &Db, today: NaiveDate) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from point_lots where expires_on < $1 and remaining > 0",
        )
        .bind(today)
        .fetch_one(p)
        .await?
    }))
}

/// The next `limit` lots expired before `today` that still hold points, oldest first.
pub async fn due_lots(db: &Db, today: NaiveDate, limit: i64) -> Result<Vec<DueLot>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select member_id, expires_on, remaining from point_lots \
             where expires_on < $1 and remaining > 0 order by expires_on, member_id limit $2",
        )
        .bind(today)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// What is left of one lot now, inside a write.
pub async fn lot_remaining(
    tx: &mut Tx,
    member_id: i64,
    expires_on: NaiveDate,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select remaining from point_lots where member_id = $1 and expires_on = $2",
        )
        .bind(member_id)
        .bind(expires_on)
        .fetch_optional(c)
        .await?
    }))
}

/// Zeroes a lot if it still holds `left` points (guarded against a concurrent change).
pub async fn zero_lot_holding(
    tx: &mut Tx,
    member_id: i64,
    expires_on: NaiveDate,
    left: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update point_lots set remaining = 0 \
             where member_id = $1 and expires_on = $2 and remaining = $3",
        )
        .bind(member_id)
        .bind(expires_on)
        .bind(left)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A member's lots expired before `today` with points left, inside a write.
pub async fn member_due_lots(
    tx: &mut Tx,
    member_id: i64,
    today: NaiveDate,
) -> Result<Vec<(NaiveDate, i64)>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "select expires_on, remaining from point_lots \
             where member_id = $1 and expires_on < $2 and remaining > 0",
        )
        .bind(member_id)
        .bind(today)
        .fetch_all(c)
        .await?
    }))
}

/// Zeroes one lot of a member (whose row the caller has locked).
pub async fn zero_lot(tx: &mut Tx, member_id: i64, expires_on: NaiveDate) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update point_lots set remaining = 0 where member_id = $1 and expires_on = $2")
            .bind(member_id)
            .bind(expires_on)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A lot of an active member expiring within the reminder period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Expiring {
    pub member_id: i64,
    pub expires_on: NaiveDate,
    pub remaining: i64,
}

/// The next `limit` lots expiring from `today` to `until`, after the (expiry date, member) key
/// `after`, in that order.
pub async fn expiring_lots(
    db: &Db,
    today: NaiveDate,
    until: NaiveDate,
    after: (NaiveDate, i64),
    limit: i64,
) -> Result<Vec<Expiring>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select l.member_id, l.expires_on, l.remaining from point_lots l \
             join members m on m.id = l.member_id \
             where l.expires_on >= $1 and l.expires_on <= $2 and l.remaining > 0 \
               and m.status = 'active' \
               and (l.expires_on > $3 or (l.expires_on = $3 and l.member_id > $4)) \
             order by l.expires_on, l.member_id limit $5",
        )
        .bind(today)
        .bind(until)
        .bind(after.0)
        .bind(after.1)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// How many active members are above the tier `lowest`.
pub async fn count_above_tier(db: &Db, lowest: &str) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select cast(count(*) as bigint) from members where tier_code <> $1 and status = 'active'",
        )
        .bind(lowest)
        .fetch_one(p)
        .await?
    }))
}

/// The next `limit` active members above the tier `lowest` after member `after`: id, tier, and
/// spend and purchases from the month `from` on.
pub async fn review_batch(
    db: &Db,
    (from, to): (&str, &str),
    after: i64,
    lowest: &str,
    limit: i64,
) -> Result<Vec<(i64, String, i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id, m.tier_code, \
             cast(coalesce(sum(s.amount_fen), 0) as bigint), cast(coalesce(sum(s.purchases), 0) as bigint) \
             from members m left join member_spend s on s.member_id = m.id \
             and s.month >= $1 and s.month <= $5 \
             where m.id > $2 and m.tier_code <> $3 and m.status = 'active' \
             group by m.id, m.tier_code order by m.id limit $4",
        )
        .bind(from)
        .bind(after)
        .bind(lowest)
        .bind(limit)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// A member whose stored balance disagrees with the ledger or the lots.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct BalanceDiff {
    pub member_id: i64,
    pub stored: i64,
    pub ledger: i64,
    pub lots: i64,
}

pub async fn count_members(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select cast(count(*) as bigint) from members")
            .fetch_one(p)
            .await?
    }))
}

/// Members whose balance differs from the sum of their entries or of their lots (at most
/// `limit`).
pub async fn balance_diffs(db: &Db, limit: i64) -> Result<Vec<BalanceDiff>, DbError> {
    Ok(on_db!(db, |p| {
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
    }))
}
