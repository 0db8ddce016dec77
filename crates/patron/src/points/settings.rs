//! Loyalty settings and tiers (SPEC B7–B8, C6–C7): one settings row and the tier table, both
//! configurable in the console (audited) and cached for the tills (`crate::cache`).

use patron_core::money::Fen;
use patron_core::points::Ratio;
use patron_core::tiers::TierRule;
use serde::Serialize;

use crate::db::{Db, DbError};
use crate::on_db;

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

impl Settings {
    pub fn ratio(&self) -> Ratio {
        Ratio {
            points: self.redeem_points,
            value: Fen(self.redeem_value_fen),
        }
    }
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

impl Tier {
    pub fn rule(&self) -> TierRule {
        TierRule {
            code: self.code.clone(),
            rank: self.rank,
            min_spend: Fen(self.min_spend_fen),
            min_count: self.min_count,
            needs_approval: self.needs_approval,
        }
    }

    pub fn name(&self, lang: crate::web::i18n::Lang) -> &str {
        match lang {
            crate::web::i18n::Lang::ZhCn => &self.name_zh,
            crate::web::i18n::Lang::En => &self.name_en,
        }
    }
}

/// Settings and tiers together, tiers lowest rank first.
#[derive(Debug, Clone)]
pub struct Loyalty {
    pub settings: Settings,
    pub tiers: Vec<Tier>,
}

impl Loyalty {
    pub fn tier(&self, code: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.code == code)
    }

    pub fn rules(&self) -> Vec<TierRule> {
        self.tiers.iter().map(Tier::rule).collect()
    }

    pub fn lowest(&self) -> Option<&Tier> {
        self.tiers.first()
    }

    /// The next tier above `code`, if any.
    pub fn next_above(&self, code: &str) -> Option<&Tier> {
        let rank = self.tier(code)?.rank;
        self.tiers.iter().find(|t| t.rank > rank)
    }
}

pub const SETTINGS_COLUMNS: &str = "card_valid_months, points_valid_months, tier_window_months, \
     birthday_multiplier_percent, redeem_points, redeem_value_fen, missed_points_approval_fen, \
     annual_downgrade, portal_max_failures, portal_lock_minutes, expiry_reminder_days";

pub const TIER_COLUMNS: &str = "code, rank, name_zh, name_en, points_per_yuan, discount_percent, \
     min_spend_fen, min_count, needs_approval, referral_points, perks";

pub async fn load(db: &Db) -> Result<Loyalty, DbError> {
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
    Ok(Loyalty { settings, tiers })
}
