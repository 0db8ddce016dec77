//! Loyalty settings and tiers (SPEC B7–B8, C6–C7): one settings row and the tier table, both
//! configurable in the console (audited) and cached for the tills (`crate::kernel::cache`).

use patron_core::money::Fen;
use patron_core::points::Ratio;
use patron_core::tiers::TierRule;
use serde::Serialize;

use super::store;
pub use super::store::{CardRule, SETTINGS_COLUMNS, Settings, TIER_COLUMNS, Tier};
use crate::kernel::db::{Db, DbError};

impl Settings {
    pub fn ratio(&self) -> Ratio {
        Ratio {
            points: self.redeem_points,
            value: Fen(self.redeem_value_fen),
        }
    }
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

pub async fn load(db: &Db) -> Result<Loyalty, DbError> {
    let (settings, tiers) = store::load_settings(db).await?;
    Ok(Loyalty { settings, tiers })
}

impl CardRule {
    pub fn default_for(store_id: i64) -> CardRule {
        CardRule {
            store_id,
            min_receipt_fen: 100_000,
            counter_min_fen: None,
            counters: String::new(),
        }
    }

    /// Whether a receipt of `amount` (at `counter`, if any) qualifies.
    pub fn qualifies(&self, amount: Fen, counter: &str) -> bool {
        if amount.0 >= self.min_receipt_fen {
            return true;
        }
        let at_listed = !counter.trim().is_empty()
            && self
                .counters
                .split(',')
                .any(|c| c.trim().eq_ignore_ascii_case(counter.trim()));
        at_listed && self.counter_min_fen.is_some_and(|m| amount.0 >= m)
    }
}

/// The store's eligibility rule (B3), or the default one.
pub async fn card_rule(db: &Db, store_id: i64) -> Result<CardRule, DbError> {
    Ok(store::find_card_rule(db, store_id)
        .await?
        .unwrap_or_else(|| CardRule::default_for(store_id)))
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
    match patron_core::typed::parse_int(s).ok_or(()) {
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
                store::update_settings(tx, &new).await?;
                tx.audit(
                    c.audit("loyalty.settings_audit", "loyalty_settings", 1)
                        .before(&before)
                        .after(&new),
                );
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
                store::update_tier(tx, &new).await?;
                tx.audit(
                    c.audit("loyalty.tier", "tier", &new.code)
                        .before(&before)
                        .after(&new),
                );
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
                store::upsert_card_rule(
                    tx,
                    &CardRule {
                        store_id,
                        min_receipt_fen: min,
                        counter_min_fen: cmin,
                        counters: counters.clone(),
                    },
                )
                .await?;
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
    let t = store::liability_totals(ctx.db()).await?;
    Ok(Liability {
        members_with_points: t.members_with_points,
        outstanding_points: t.outstanding_points,
        value_fen: loyalty
            .settings
            .ratio()
            .value_of(patron_core::Points(t.outstanding_points))
            .0,
        issued: t.issued,
        spent: t.spent,
        expired: t.expired,
        expiring: t.expiring,
    })
}

impl crate::kernel::cache::Cached for Loyalty {
    async fn load(db: &Db) -> Result<Self, DbError> {
        load(db).await
    }
}
