//! Birthday gifts: the gift per tier (`birthday_gift_settings`) and the members' yearly
//! entitlements (`birthday_entitlements`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// A tier and its birthday gift.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TierGift {
    pub tier_code: String,
    pub tier_zh: String,
    pub tier_en: String,
    pub gift_code: Option<String>,
    pub gift_zh: Option<String>,
    pub gift_en: Option<String>,
    pub qty: Option<i64>,
}

/// Every tier with its birthday gift, if it has one.
pub async fn settings(db: &Db) -> Result<Vec<TierGift>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select t.code as tier_code, t.name_zh as tier_zh, t.name_en as tier_en, g.code as gift_code, \
             g.name_zh as gift_zh, g.name_en as gift_en, s.qty from tiers t \
             left join birthday_gift_settings s on s.tier_code = t.code \
             left join gifts g on g.id = s.gift_id order by t.rank",
        )
        .fetch_all(p)
        .await?
    }))
}

/// Whether a tier with this code exists.
pub async fn tier_exists(tx: &mut Tx, tier: &str) -> Result<bool, DbError> {
    let known: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar("select code from tiers where code = $1")
            .bind(tier)
            .fetch_optional(c)
            .await?
    });
    Ok(known.is_some())
}

/// The tier has no birthday gift from now on.
pub async fn clear_setting(tx: &mut Tx, tier: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("delete from birthday_gift_settings where tier_code = $1")
            .bind(tier)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Sets the tier's birthday gift.
pub async fn set_setting(tx: &mut Tx, tier: &str, gift_id: i64, qty: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into birthday_gift_settings (tier_code, gift_id, qty) values ($1, $2, $3) \
             on conflict (tier_code) do update set gift_id = $2, qty = $3",
        )
        .bind(tier)
        .bind(gift_id)
        .bind(qty)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Creates the entitlement of `year` of every active member born on `md` or `also` (`MM-DD`)
/// whose tier has a birthday gift, once per member and year; returns how many it made.
pub async fn entitle(
    tx: &mut Tx,
    year: i64,
    month: i64,
    md: &str,
    also: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "insert into birthday_entitlements (member_id, year, birth_month, tier_code, gift_id, qty, created_at) \
             select m.id, $1, $2, m.tier_code, s.gift_id, s.qty, $3 from members m \
             join birthday_gift_settings s on s.tier_code = m.tier_code \
             where m.birth_md in ($4, $5) and m.status = 'active' \
             on conflict (member_id, year) do nothing",
        )
        .bind(year)
        .bind(month)
        .bind(ts(now))
        .bind(md)
        .bind(also)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// An entitlement as the desk's list shows it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct EntitlementRow {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub card_no: Option<String>,
    pub year: i64,
    pub birth_month: i64,
    pub tier_code: String,
    pub gift_code: String,
    pub gift_zh: String,
    pub gift_en: String,
    pub qty: i64,
    pub created_at: DateTime<Utc>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claimed_store_id: Option<i64>,
    /// The handover's number (`SRHQ20261203-001`), given when the gift is claimed.
    pub claim_no: String,
}

/// The prefix of a birthday gift handover's number (生日礼).
pub const CLAIM_PREFIX: &str = "SR";

impl EntitlementRow {
    /// The handover's number, or a dash while the gift is unclaimed.
    pub fn no(&self) -> &str {
        if self.claim_no.is_empty() {
            "—"
        } else {
            &self.claim_no
        }
    }
}

const ENTITLEMENT: &str = "select b.id, b.member_id, m.name as member_name, c.card_no, b.year, \
     b.birth_month, b.tier_code, g.code as gift_code, g.name_zh as gift_zh, g.name_en as gift_en, \
     b.qty, b.created_at, b.claimed_at, b.claimed_store_id, b.claim_no from birthday_entitlements b \
     join members m on m.id = b.member_id join gifts g on g.id = b.gift_id \
     left join cards c on c.member_id = b.member_id and c.state in ('issued', 'active', 'frozen')";

pub async fn get(db: &Db, id: i64) -> Result<Option<EntitlementRow>, DbError> {
    let sql = format!("{ENTITLEMENT} where b.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// The entitlements of a birthday month of the members whose card belongs to `store_id`.
pub async fn month_list(
    db: &Db,
    store_id: i64,
    year: i64,
    month: i64,
) -> Result<Vec<EntitlementRow>, DbError> {
    let sql = format!(
        "{ENTITLEMENT} where b.year = $1 and b.birth_month = $2 and c.store_id = $3 order by b.id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(year)
            .bind(month)
            .bind(store_id)
            .fetch_all(p)
            .await?
    }))
}

/// A member's unclaimed entitlement of `year` in birth month `month`.
pub async fn open_for(
    db: &Db,
    member_id: i64,
    year: i64,
    month: i64,
) -> Result<Option<EntitlementRow>, DbError> {
    let sql = format!(
        "{ENTITLEMENT} where b.member_id = $1 and b.year = $2 and b.birth_month = $3 and b.claimed_at is null"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(member_id)
            .bind(year)
            .bind(month)
            .fetch_optional(p)
            .await?
    }))
}

/// A member's entitlement of a year as the claim needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entitlement {
    pub id: i64,
    pub birth_month: i64,
    pub gift_id: i64,
    pub qty: i64,
    pub claimed_at: Option<DateTime<Utc>>,
}

pub async fn of_member(
    tx: &mut Tx,
    member_id: i64,
    year: i64,
) -> Result<Option<Entitlement>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "select id, birth_month, gift_id, qty, claimed_at from birthday_entitlements \
             where member_id = $1 and year = $2",
        )
        .bind(member_id)
        .bind(year)
        .fetch_optional(c)
        .await?
    }))
}

/// Marks an entitlement handed over with one guarded update; false when it was already.
pub async fn mark_claimed(
    tx: &mut Tx,
    id: i64,
    store_id: i64,
    staff_id: Option<i64>,
    (at, claim_no): (DateTime<Utc>, &str),
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update birthday_entitlements set claimed_at = $1, claimed_store_id = $2, claimed_by = $3, \
             claim_no = $5 where id = $4 and claimed_at is null",
        )
        .bind(ts(at))
        .bind(store_id)
        .bind(staff_id)
        .bind(id)
        .bind(claim_no)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
