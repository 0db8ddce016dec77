//! SQL of the loyalty settings: the settings row, the tier table, the stores' card eligibility
//! rules (B3), and finance's totals of outstanding points.

use chrono::NaiveDate;
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Settings {
    pub card_valid_months: i64,
    pub points_valid_months: i64,
    pub tier_window_months: i64,
    pub birthday_multiplier_percent: i64,
    pub redeem_points: i64,
    pub redeem_value_fen: i64,
    pub missed_points_approval_fen: i64,
    pub annual_downgrade: bool,
    pub portal_max_failures: i64,
    pub portal_lock_minutes: i64,
    pub expiry_reminder_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct Tier {
    pub code: String,
    pub rank: i64,
    pub name_zh: String,
    pub name_en: String,
    pub points_per_yuan: i64,
    pub discount_percent: i64,
    pub min_spend_fen: i64,
    pub min_count: i64,
    pub needs_approval: bool,
    pub referral_points: i64,
    pub perks: String,
}

/// A store's card eligibility rule (B3).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct CardRule {
    pub store_id: i64,
    pub min_receipt_fen: i64,
    pub counter_min_fen: Option<i64>,
    /// Comma-separated counter codes where `counter_min_fen` applies.
    pub counters: String,
}

pub const SETTINGS_COLUMNS: &str = "card_valid_months, points_valid_months, tier_window_months, \
     birthday_multiplier_percent, redeem_points, redeem_value_fen, missed_points_approval_fen, \
     annual_downgrade, portal_max_failures, portal_lock_minutes, expiry_reminder_days";

pub const TIER_COLUMNS: &str = "code, rank, name_zh, name_en, points_per_yuan, discount_percent, \
     min_spend_fen, min_count, needs_approval, referral_points, perks";

/// The settings row and the tiers, lowest rank first.
pub async fn load_settings(db: &Db) -> Result<(Settings, Vec<Tier>), DbError> {
    let settings_sql = format!("select {SETTINGS_COLUMNS} from loyalty_settings where id = 1");
    let tiers_sql = format!("select {TIER_COLUMNS} from tiers order by rank");
    let settings: Settings = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(settings_sql))
            .fetch_one(p)
            .await?
    });
    let tiers: Vec<Tier> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(tiers_sql))
            .fetch_all(p)
            .await?
    });
    Ok((settings, tiers))
}

pub async fn update_settings(tx: &mut Tx, new: &Settings) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "update loyalty_settings set card_valid_months = $1, points_valid_months = $2, \
             tier_window_months = $3, birthday_multiplier_percent = $4, redeem_points = $5, \
             redeem_value_fen = $6, missed_points_approval_fen = $7, annual_downgrade = $8, \
             portal_max_failures = $9, portal_lock_minutes = $10, expiry_reminder_days = $11 where id = 1",
        )
        .bind(new.card_valid_months)
        .bind(new.points_valid_months)
        .bind(new.tier_window_months)
        .bind(new.birthday_multiplier_percent)
        .bind(new.redeem_points)
        .bind(new.redeem_value_fen)
        .bind(new.missed_points_approval_fen)
        .bind(new.annual_downgrade)
        .bind(new.portal_max_failures)
        .bind(new.portal_lock_minutes)
        .bind(new.expiry_reminder_days)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Saves a tier's editable fields (its code and rank stay).
pub async fn update_tier(tx: &mut Tx, new: &Tier) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "update tiers set name_zh = $1, name_en = $2, points_per_yuan = $3, discount_percent = $4, \
             min_spend_fen = $5, min_count = $6, needs_approval = $7, referral_points = $8, perks = $9 \
             where code = $10",
        )
        .bind(&new.name_zh)
        .bind(&new.name_en)
        .bind(new.points_per_yuan)
        .bind(new.discount_percent)
        .bind(new.min_spend_fen)
        .bind(new.min_count)
        .bind(new.needs_approval)
        .bind(new.referral_points)
        .bind(&new.perks)
        .bind(&new.code)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The store's own card rule, if it has one.
pub async fn find_card_rule(db: &Db, store_id: i64) -> Result<Option<CardRule>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select store_id, min_receipt_fen, counter_min_fen, counters from card_rules where store_id = $1",
        )
        .bind(store_id)
        .fetch_optional(p)
        .await?
    }))
}

pub async fn upsert_card_rule(tx: &mut Tx, rule: &CardRule) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "insert into card_rules (store_id, min_receipt_fen, counter_min_fen, counters) values ($1, $2, $3, $4) \
             on conflict (store_id) do update set min_receipt_fen = excluded.min_receipt_fen, \
             counter_min_fen = excluded.counter_min_fen, counters = excluded.counters",
        )
        .bind(rule.store_id)
        .bind(rule.min_receipt_fen)
        .bind(rule.counter_min_fen)
        .bind(&rule.counters)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Outstanding points as the ledger's projections hold them (C8, M2).
#[derive(Debug, Clone, Default)]
pub struct LiabilityTotals {
    pub members_with_points: i64,
    pub outstanding_points: i64,
    pub issued: i64,
    pub spent: i64,
    pub expired: i64,
    /// Points expiring by month-end date, next twelve lots.
    pub expiring: Vec<(NaiveDate, i64)>,
}

pub async fn liability_totals(db: &Db) -> Result<LiabilityTotals, DbError> {
    let (members, points): (i64, Option<i64>) = on_db!(db, |p| {
        sqlx::query_as(
            "select cast(count(*) as bigint), cast(sum(points_balance) as bigint) from members where points_balance > 0",
        )
        .fetch_one(p)
        .await?
    });
    let (issued, spent, expired): (Option<i64>, Option<i64>, Option<i64>) = on_db!(db, |p| {
        sqlx::query_as(
            "select cast(sum(case when points > 0 then points else 0 end) as bigint), \
             cast(sum(case when points < 0 and kind <> 'expiry' then -points else 0 end) as bigint), \
             cast(sum(case when kind = 'expiry' then -points else 0 end) as bigint) from point_entries",
        )
        .fetch_one(p)
        .await?
    });
    let expiring: Vec<(NaiveDate, Option<i64>)> = on_db!(db, |p| {
        sqlx::query_as(
            "select expires_on, cast(sum(remaining) as bigint) from point_lots where remaining > 0 \
             group by expires_on order by expires_on limit 12",
        )
        .fetch_all(p)
        .await?
    });
    Ok(LiabilityTotals {
        members_with_points: members,
        outstanding_points: points.unwrap_or(0),
        issued: issued.unwrap_or(0),
        spent: spent.unwrap_or(0),
        expired: expired.unwrap_or(0),
        expiring: expiring
            .into_iter()
            .map(|(d, p)| (d, p.unwrap_or(0)))
            .collect(),
    })
}
