//! The SQL of the care area: its settings and members' advisors here; schedules and the job in
//! `schedules.rs`, tasks in `tasks.rs`, receptions in `receptions.rs`, the figures and the
//! top-member file's purchases in `figures.rs`.
//!
//! Read-only reads of other areas' tables, for lists and figures only: `members` (name, status,
//! store, tier, consent, masked phone), `cards` (a card number's member, the live card),
//! `staff` / `staff_roles` (names; who may be an advisor), `receipts` (points: purchases).
//! Nothing here writes another area's table.

pub mod figures;
pub mod receptions;
pub mod schedules;
pub mod tasks;

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// The care tiers, comma-separated.
pub async fn care_tiers(ex: impl Into<Exec<'_>>) -> Result<String, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_scalar("select care_tiers from care_settings where id = 1")
            .fetch_one(c)
            .await?
    }))
}

pub async fn set_care_tiers(tx: &mut Tx, tiers: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update care_settings set care_tiers = $1 where id = 1")
            .bind(tiers)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// What the care pages need of a member (the members area's table, read-only).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberBrief {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub store_id: i64,
    pub tier_code: String,
    pub phone_masked: Option<String>,
    pub card_no: Option<String>,
}

const BRIEF: &str = "select m.id, m.name, m.status, m.store_id, m.tier_code, m.phone_masked, \
     c.card_no from members m left join cards c on c.member_id = m.id \
     and c.state in ('issued', 'active', 'frozen')";

pub async fn member(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<MemberBrief>, DbError> {
    let sql = format!("{BRIEF} where m.id = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

/// The member a card number belongs to (any state of the card: an old card still names its
/// member).
/// Card numbers are upper case on file; one typed in lower case (or with spaces round it) is
/// the same card, for every caller.
pub async fn member_of_card(db: &Db, card_no: &str) -> Result<Option<i64>, DbError> {
    let card_no = card_no.trim().to_ascii_uppercase();
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select member_id from cards where card_no = $1")
            .bind(&card_no)
            .fetch_optional(p)
            .await?
    }))
}

/// A member's current advisor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdvisorRow {
    pub member_id: i64,
    pub staff_id: i64,
    pub username: String,
    pub display_name: String,
    pub since: DateTime<Utc>,
}

pub async fn advisor(
    ex: impl Into<Exec<'_>>,
    member_id: i64,
) -> Result<Option<AdvisorRow>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select a.member_id, a.staff_id, s.username, s.display_name, a.since \
             from care_advisors a join staff s on s.id = a.staff_id where a.member_id = $1",
        )
        .bind(member_id)
        .fetch_optional(c)
        .await?
    }))
}

/// Sets (or, with `None`, removes) the member's advisor and records the change. Returns the
/// advisor before.
pub async fn set_advisor(
    tx: &mut Tx,
    member_id: i64,
    to: Option<i64>,
    by: Option<i64>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    let now = ts(now);
    Ok(on_tx!(tx, |c| {
        let before: Option<i64> =
            sqlx::query_scalar("select staff_id from care_advisors where member_id = $1")
                .bind(member_id)
                .fetch_optional(&mut *c)
                .await?;
        match to {
            Some(staff_id) => {
                sqlx::query(
                    "insert into care_advisors (member_id, staff_id, since, set_by) \
                     values ($1, $2, $3, $4) on conflict (member_id) do update set \
                     staff_id = excluded.staff_id, since = excluded.since, set_by = excluded.set_by",
                )
                .bind(member_id)
                .bind(staff_id)
                .bind(now)
                .bind(by)
                .execute(&mut *c)
                .await?;
            }
            None => {
                sqlx::query("delete from care_advisors where member_id = $1")
                    .bind(member_id)
                    .execute(&mut *c)
                    .await?;
            }
        }
        sqlx::query(
            "insert into care_advisor_history (member_id, from_staff_id, to_staff_id, at, \
             by_staff_id, reason) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(member_id)
        .bind(before)
        .bind(to)
        .bind(now)
        .bind(by)
        .bind(reason)
        .execute(&mut *c)
        .await?;
        before
    }))
}

/// One change of a member's advisor.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdvisorChange {
    pub at: DateTime<Utc>,
    pub from_name: Option<String>,
    pub to_name: Option<String>,
    pub by_name: Option<String>,
    pub reason: String,
}

pub async fn advisor_history(db: &Db, member_id: i64) -> Result<Vec<AdvisorChange>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select h.at, f.display_name as from_name, t.display_name as to_name, \
             b.display_name as by_name, h.reason from care_advisor_history h \
             left join staff f on f.id = h.from_staff_id left join staff t on t.id = h.to_staff_id \
             left join staff b on b.id = h.by_staff_id where h.member_id = $1 order by h.id desc",
        )
        .bind(member_id)
        .fetch_all(p)
        .await?
    }))
}

/// A staff member and one role they hold at a store (who may be an advisor is decided from
/// the role by the permission matrix).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRole {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub store_id: i64,
}

/// Every enabled staff member's roles at `store_id` (all stores with `None`).
pub async fn staff_roles(db: &Db, store_id: Option<i64>) -> Result<Vec<StaffRole>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.id, s.username, s.display_name, r.role, r.store_id from staff s \
             join staff_roles r on r.staff_id = s.id where not s.disabled \
             and ($1 is null or r.store_id = $1) order by s.display_name, s.id",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

/// Up to `limit` active members of tier `tier` at store `store_code` with an active card issued
/// before `issued_before` and valid on `on` (the demo picks its top members here).
pub async fn members_of_tier(
    db: &Db,
    tier: &str,
    store_code: &str,
    (issued_before, on): (chrono::NaiveDate, chrono::NaiveDate),
    limit: i64,
) -> Result<Vec<(i64, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select m.id, c.card_no from members m join cards c on c.member_id = m.id \
             join stores s on s.id = m.store_id where m.status = 'active' and m.tier_code = $1 \
             and s.code = $2 and c.state = 'active' and c.expires_on >= $3 and c.store_id = m.store_id \
             and c.issued_on < $4 order by m.id limit $5",
        )
        .bind(tier)
        .bind(store_code)
        .bind(on)
        .bind(issued_before)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}
