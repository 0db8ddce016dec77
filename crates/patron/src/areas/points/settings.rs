//! Loyalty settings and tiers (SPEC B7–B8, C6–C7): one settings row and the tier table, both
//! configurable in the console (audited) and cached for the tills (`crate::kernel::cache`).

use patron_core::money::Fen;
use patron_core::points::Ratio;
use patron_core::tiers::TierRule;
use serde::Serialize;

use crate::kernel::db::{Db, DbError};
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

/// A change to the loyalty settings, as the form sends it (money in yuan).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SettingsForm {
    pub card_valid_months: String,
    pub points_valid_months: String,
    pub tier_window_months: String,
    pub birthday_multiplier_percent: String,
    pub redeem_points: String,
    pub redeem_value: String,
    pub missed_points_approval: String,
    #[serde(default)]
    pub annual_downgrade: Option<String>,
    pub portal_max_failures: String,
    pub portal_lock_minutes: String,
    pub expiry_reminder_days: String,
}

fn int_in(bad: &mut Invalid, field: &str, s: &str, lo: i64, hi: i64) -> i64 {
    match s.trim().replace(',', "").parse::<i64>() {
        Ok(v) if (lo..=hi).contains(&v) => v,
        _ => {
            bad.add(field, "invalid.number_range");
            0
        }
    }
}

fn yuan(bad: &mut Invalid, field: &str, s: &str) -> i64 {
    match Fen::parse_yuan(s) {
        Ok(f) if f.0 >= 0 => f.0,
        _ => {
            bad.add(field, "invalid.amount");
            0
        }
    }
}

impl SettingsForm {
    pub fn from_settings(s: &Settings) -> SettingsForm {
        SettingsForm {
            card_valid_months: s.card_valid_months.to_string(),
            points_valid_months: s.points_valid_months.to_string(),
            tier_window_months: s.tier_window_months.to_string(),
            birthday_multiplier_percent: s.birthday_multiplier_percent.to_string(),
            redeem_points: s.redeem_points.to_string(),
            redeem_value: Fen(s.redeem_value_fen).plain(),
            missed_points_approval: Fen(s.missed_points_approval_fen).plain(),
            annual_downgrade: s.annual_downgrade.then(|| "on".into()),
            portal_max_failures: s.portal_max_failures.to_string(),
            portal_lock_minutes: s.portal_lock_minutes.to_string(),
            expiry_reminder_days: s.expiry_reminder_days.to_string(),
        }
    }

    pub fn parse(&self) -> Result<Settings, Invalid> {
        let mut bad = Invalid::new();
        let s = Settings {
            card_valid_months: int_in(
                &mut bad,
                "card_valid_months",
                &self.card_valid_months,
                1,
                120,
            ),
            points_valid_months: int_in(
                &mut bad,
                "points_valid_months",
                &self.points_valid_months,
                1,
                120,
            ),
            tier_window_months: int_in(
                &mut bad,
                "tier_window_months",
                &self.tier_window_months,
                1,
                36,
            ),
            birthday_multiplier_percent: int_in(
                &mut bad,
                "birthday_multiplier_percent",
                &self.birthday_multiplier_percent,
                100,
                1000,
            ),
            redeem_points: int_in(&mut bad, "redeem_points", &self.redeem_points, 1, 1_000_000),
            redeem_value_fen: yuan(&mut bad, "redeem_value", &self.redeem_value),
            missed_points_approval_fen: yuan(
                &mut bad,
                "missed_points_approval",
                &self.missed_points_approval,
            ),
            annual_downgrade: self.annual_downgrade.is_some(),
            portal_max_failures: int_in(
                &mut bad,
                "portal_max_failures",
                &self.portal_max_failures,
                0,
                100,
            ),
            portal_lock_minutes: int_in(
                &mut bad,
                "portal_lock_minutes",
                &self.portal_lock_minutes,
                1,
                10_000,
            ),
            expiry_reminder_days: int_in(
                &mut bad,
                "expiry_reminder_days",
                &self.expiry_reminder_days,
                0,
                365,
            ),
        };
        bad.into_result().map(|()| s)
    }
}

/// A tier as its form sends it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TierForm {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub points_per_yuan: String,
    pub discount_percent: String,
    pub min_spend: String,
    pub min_count: String,
    #[serde(default)]
    pub needs_approval: Option<String>,
    pub referral_points: String,
    #[serde(default)]
    pub perks: String,
}

impl TierForm {
    pub fn parse(&self, current: &Tier) -> Result<Tier, Invalid> {
        let mut bad = Invalid::new();
        let name_zh = bad.check("name_zh", required_text(&self.name_zh, 20));
        let name_en = bad.check("name_en", required_text(&self.name_en, 40));
        let t = Tier {
            code: current.code.clone(),
            rank: current.rank,
            name_zh: name_zh.unwrap_or_default(),
            name_en: name_en.unwrap_or_default(),
            points_per_yuan: int_in(&mut bad, "points_per_yuan", &self.points_per_yuan, 0, 100),
            discount_percent: int_in(&mut bad, "discount_percent", &self.discount_percent, 1, 100),
            min_spend_fen: yuan(&mut bad, "min_spend", &self.min_spend),
            min_count: int_in(&mut bad, "min_count", &self.min_count, 0, 10_000),
            needs_approval: self.needs_approval.is_some(),
            referral_points: int_in(
                &mut bad,
                "referral_points",
                &self.referral_points,
                0,
                1_000_000,
            ),
            perks: self.perks.trim().chars().take(200).collect(),
        };
        bad.into_result().map(|()| t)
    }
}

use crate::kernel::validation::{Invalid, required_text};

/// Saves the settings (audited, before and after).
pub async fn save_settings(
    ctx: &crate::kernel::ctx::Ctx,
    form: &SettingsForm,
) -> Result<(), super::PointsError> {
    ctx.require(patron_core::Permission::ManageLoyalty)?;
    let new = form.parse()?;
    let before = load(ctx.db()).await?.settings;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, new, before) = (c.clone(), new.clone(), before.clone());
            Box::pin(async move {
                crate::on_tx!(tx, |conn| {
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
                tx.audit(c.audit("loyalty.settings_audit", "loyalty_settings", 1).before(&before).after(&new));
                Ok::<_, super::PointsError>(())
            })
        })
        .await?;
    ctx.app.cache.invalidate();
    Ok(())
}

/// Saves one tier; thresholds must still rise with the rank.
pub async fn save_tier(
    ctx: &crate::kernel::ctx::Ctx,
    form: &TierForm,
) -> Result<(), super::PointsError> {
    ctx.require(patron_core::Permission::ManageLoyalty)?;
    let all = load(ctx.db()).await?;
    let current = all
        .tier(&form.code)
        .cloned()
        .ok_or_else(|| Invalid::one("code", "invalid.tier"))?;
    let new = form.parse(&current)?;
    let below = all
        .tiers
        .iter()
        .filter(|t| t.rank < new.rank)
        .map(|t| t.min_spend_fen)
        .max();
    let above = all
        .tiers
        .iter()
        .filter(|t| t.rank > new.rank)
        .map(|t| t.min_spend_fen)
        .min();
    if below.is_some_and(|b| new.min_spend_fen <= b && new.rank > 0)
        || above.is_some_and(|a| new.min_spend_fen >= a)
    {
        return Err(Invalid::one("min_spend", "invalid.tier_order").into());
    }
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, new, before) = (c.clone(), new.clone(), current.clone());
            Box::pin(async move {
                crate::on_tx!(tx, |conn| {
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
                tx.audit(c.audit("loyalty.tier", "tier", &new.code).before(&before).after(&new));
                Ok::<_, super::PointsError>(())
            })
        })
        .await?;
    ctx.app.cache.invalidate();
    Ok(())
}

/// Saves a store's card eligibility rule (B3).
pub async fn save_card_rule(
    ctx: &crate::kernel::ctx::Ctx,
    store_id: i64,
    min_receipt: &str,
    counter_min: &str,
    counters: &str,
) -> Result<(), super::PointsError> {
    ctx.require(patron_core::Permission::ManageLoyalty)?;
    let mut bad = Invalid::new();
    let min = yuan(&mut bad, "min_receipt", min_receipt);
    let cmin = if counter_min.trim().is_empty() {
        None
    } else {
        Some(yuan(&mut bad, "counter_min", counter_min))
    };
    bad.into_result()?;
    let counters: String = counters
        .split([',', '，', ' '])
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(",");
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, counters) = (c.clone(), counters.clone());
            Box::pin(async move {
                crate::on_tx!(tx, |conn| {
                    sqlx::query(
                        "insert into card_rules (store_id, min_receipt_fen, counter_min_fen, counters) values ($1, $2, $3, $4) \
                         on conflict (store_id) do update set min_receipt_fen = excluded.min_receipt_fen, \
                         counter_min_fen = excluded.counter_min_fen, counters = excluded.counters",
                    )
                    .bind(store_id)
                    .bind(min)
                    .bind(cmin)
                    .bind(&counters)
                    .execute(conn)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                tx.audit(
                    c.audit("loyalty.card_rule", "store", store_id)
                        .after(&serde_json::json!({ "min_receipt_fen": min, "counter_min_fen": cmin, "counters": counters })),
                );
                Ok::<_, super::PointsError>(())
            })
        })
        .await
}

/// Outstanding points and their money value (C8, M2): what finance carries as a liability.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Liability {
    pub members_with_points: i64,
    pub outstanding_points: i64,
    pub value_fen: i64,
    /// Issued, spent and expired this month and in all.
    pub issued: i64,
    pub spent: i64,
    pub expired: i64,
    /// Points expiring by month-end date, next twelve lots.
    pub expiring: Vec<(chrono::NaiveDate, i64)>,
}

pub async fn liability(ctx: &crate::kernel::ctx::Ctx) -> Result<Liability, super::PointsError> {
    ctx.require(patron_core::Permission::ViewPointsLiability)?;
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let (members, points): (i64, Option<i64>) = on_db!(ctx.db(), |p| {
        sqlx::query_as(
            "select cast(count(*) as bigint), cast(sum(points_balance) as bigint) from members where points_balance > 0",
        )
        .fetch_one(p)
        .await?
    });
    let (issued, spent, expired): (Option<i64>, Option<i64>, Option<i64>) = on_db!(ctx.db(), |p| {
        sqlx::query_as(
            "select cast(sum(case when points > 0 then points else 0 end) as bigint), \
             cast(sum(case when points < 0 and kind <> 'expiry' then -points else 0 end) as bigint), \
             cast(sum(case when kind = 'expiry' then -points else 0 end) as bigint) from point_entries",
        )
        .fetch_one(p)
        .await?
    });
    let expiring: Vec<(chrono::NaiveDate, Option<i64>)> = on_db!(ctx.db(), |p| {
        sqlx::query_as(
            "select expires_on, cast(sum(remaining) as bigint) from point_lots where remaining > 0 \
             group by expires_on order by expires_on limit 12",
        )
        .fetch_all(p)
        .await?
    });
    let points = points.unwrap_or(0);
    Ok(Liability {
        members_with_points: members,
        outstanding_points: points,
        value_fen: loyalty
            .settings
            .ratio()
            .value_of(patron_core::Points(points))
            .0,
        issued: issued.unwrap_or(0),
        spent: spent.unwrap_or(0),
        expired: expired.unwrap_or(0),
        expiring: expiring
            .into_iter()
            .map(|(d, p)| (d, p.unwrap_or(0)))
            .collect(),
    })
}

impl crate::kernel::cache::Cached for Loyalty {
    async fn load(db: &Db) -> Result<Self, DbError> {
        load(db).await
    }
}
