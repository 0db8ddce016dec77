//! Group-buy settings: the prepaid-card limits (E12), cheque clearing days (E6), the report time
//! (E7), the wrong-code limit (E13), rebate tiers and unit (E9), and which stores' tills may skip
//! the check code. Cached with the loyalty settings; changed on `/admin/groupbuy` (audited).

use std::collections::HashSet;

use chrono::NaiveTime;
use patron_core::Permission;
use patron_core::money::Fen;
use patron_core::vouchers::{PrepaidLimits, RebateTier};
use serde::{Deserialize, Serialize};

use super::GroupBuyError;
use super::store::settings as store;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError};
use crate::kernel::validation::Invalid;

pub use super::store::settings::Row;

/// Everything the group-buy rules read, loaded together.
#[derive(Debug, Clone)]
pub struct GroupBuySettings {
    pub row: Row,
    pub tiers: Vec<RebateTier>,
    /// Stores whose tills may redeem without the check code.
    pub check_code_off: HashSet<i64>,
}

impl GroupBuySettings {
    pub fn limits(&self) -> PrepaidLimits {
        PrepaidLimits {
            cash_limit_organisation: Fen(self.row.cash_limit_organisation_fen),
            cash_limit_person: Fen(self.row.cash_limit_person_fen),
            real_name_from: Fen(self.row.real_name_from_fen),
            anonymous_max_face: Fen(self.row.anonymous_max_face_fen),
            anonymous_min_validity_months: u32::try_from(self.row.anonymous_min_validity_months)
                .unwrap_or(36),
        }
    }

    pub fn report_time(&self) -> NaiveTime {
        NaiveTime::parse_from_str(&self.row.report_time, "%H:%M")
            .unwrap_or(NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default())
    }
}

pub async fn load(db: &Db) -> Result<GroupBuySettings, DbError> {
    let row = store::row(db).await?;
    let tiers = store::tiers(db).await?;
    let off = store::check_code_off(db).await?;
    Ok(GroupBuySettings {
        row,
        tiers: tiers
            .into_iter()
            .map(|(min, rate)| RebateTier {
                min_purchase: Fen(min),
                rate_permille: rate,
            })
            .collect(),
        check_code_off: off.into_iter().collect(),
    })
}

/// The settings form, as typed (amounts in yuan).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SettingsForm {
    pub cash_limit_organisation: String,
    pub cash_limit_person: String,
    pub real_name_from: String,
    pub anonymous_max_face: String,
    pub anonymous_min_validity_months: String,
    pub cheque_clear_days: String,
    pub report_time: String,
    pub wrong_codes_per_minute: String,
    pub rebate_unit: String,
    /// One tier a line: `10000 2%` or `10000 20‰` (purchase in yuan, rate).
    pub rebate_tiers: String,
}

impl SettingsForm {
    pub fn from_settings(s: &GroupBuySettings) -> SettingsForm {
        let y = |f: i64| Fen(f).plain().replace(',', "");
        SettingsForm {
            cash_limit_organisation: y(s.row.cash_limit_organisation_fen),
            cash_limit_person: y(s.row.cash_limit_person_fen),
            real_name_from: y(s.row.real_name_from_fen),
            anonymous_max_face: y(s.row.anonymous_max_face_fen),
            anonymous_min_validity_months: s.row.anonymous_min_validity_months.to_string(),
            cheque_clear_days: s.row.cheque_clear_days.to_string(),
            report_time: s.row.report_time.clone(),
            wrong_codes_per_minute: s.row.wrong_codes_per_minute.to_string(),
            rebate_unit: y(s.row.rebate_unit_fen),
            rebate_tiers: s
                .tiers
                .iter()
                .map(|t| format!("{} {}‰", y(t.min_purchase.0), t.rate_permille))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

fn money(bad: &mut Invalid, field: &str, text: &str) -> i64 {
    match Fen::parse_yuan(text) {
        Ok(f) if f.0 > 0 => f.0,
        _ => {
            bad.add(field, "invalid.amount");
            0
        }
    }
}

fn count(bad: &mut Invalid, field: &str, text: &str, max: i64) -> i64 {
    match text.trim().parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => n,
        _ => {
            bad.add(field, "invalid.number");
            0
        }
    }
}

/// `10000 2%`, `10000 20‰` or `10000 20` (per mille).
fn parse_tiers(text: &str) -> Result<Vec<RebateTier>, &'static str> {
    let mut out: Vec<RebateTier> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.split_whitespace();
        let (Some(amount), Some(rate), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err("invalid.rebate_tiers");
        };
        let min = Fen::parse_yuan(amount).map_err(|_| "invalid.rebate_tiers")?;
        let rate_permille = if let Some(p) = rate.strip_suffix('%') {
            p.parse::<i64>().map(|p| p * 10)
        } else {
            rate.trim_end_matches('‰').parse::<i64>()
        }
        .map_err(|_| "invalid.rebate_tiers")?;
        if min.0 <= 0
            || !(1..1000).contains(&rate_permille)
            || out.iter().any(|t| t.min_purchase == min)
        {
            return Err("invalid.rebate_tiers");
        }
        out.push(RebateTier {
            min_purchase: min,
            rate_permille,
        });
    }
    out.sort_by_key(|t| t.min_purchase);
    Ok(out)
}

pub async fn save(ctx: &Ctx, form: &SettingsForm) -> Result<(), GroupBuyError> {
    ctx.require(Permission::ManageGroupBuySettings)?;
    let mut bad = Invalid::new();
    let row = Row {
        cash_limit_organisation_fen: money(
            &mut bad,
            "cash_limit_organisation",
            &form.cash_limit_organisation,
        ),
        cash_limit_person_fen: money(&mut bad, "cash_limit_person", &form.cash_limit_person),
        real_name_from_fen: money(&mut bad, "real_name_from", &form.real_name_from),
        anonymous_max_face_fen: money(&mut bad, "anonymous_max_face", &form.anonymous_max_face),
        anonymous_min_validity_months: count(
            &mut bad,
            "anonymous_min_validity_months",
            &form.anonymous_min_validity_months,
            240,
        ),
        cheque_clear_days: count(&mut bad, "cheque_clear_days", &form.cheque_clear_days, 60),
        report_time: match NaiveTime::parse_from_str(form.report_time.trim(), "%H:%M") {
            Ok(t) => t.format("%H:%M").to_string(),
            Err(_) => {
                bad.add("report_time", "invalid.time");
                String::new()
            }
        },
        wrong_codes_per_minute: count(
            &mut bad,
            "wrong_codes_per_minute",
            &form.wrong_codes_per_minute,
            1000,
        ),
        rebate_unit_fen: money(&mut bad, "rebate_unit", &form.rebate_unit),
    };
    if row.wrong_codes_per_minute == 0 {
        bad.add("wrong_codes_per_minute", "invalid.number");
    }
    let tiers = bad.check("rebate_tiers", parse_tiers(&form.rebate_tiers));
    bad.into_result()?;
    let tiers = tiers.unwrap_or_default();
    let before = load(ctx.db()).await?;
    let ctx2 = ctx.clone();
    let r = row.clone();
    let t = tiers.clone();
    ctx.db()
        .write(move |tx| {
            let (ctx, r, t, before) = (ctx2.clone(), r.clone(), t.clone(), before.row.clone());
            Box::pin(async move {
                store::save(tx, &r, &t).await?;
                tx.audit(
                    ctx.audit("groupbuy.settings", "gb_settings", 1)
                        .before(&before)
                        .after(&serde_json::json!({ "settings": r, "rebate_tiers": t })),
                );
                Ok::<_, GroupBuyError>(())
            })
        })
        .await?;
    ctx.app.cache.invalidate();
    Ok(())
}

/// Turns the till check code on or off for a store (api/pos.md: on unless an administrator
/// turned it off).
pub async fn set_check_code(ctx: &Ctx, store_id: i64, on: bool) -> Result<(), GroupBuyError> {
    ctx.require(Permission::ManageGroupBuySettings)?;
    let ctx2 = ctx.clone();
    let n = ctx
        .db()
        .write(move |tx| {
            let ctx = ctx2.clone();
            Box::pin(async move {
                let n = store::set_check_code(tx, store_id, on).await?;
                tx.audit(
                    ctx.audit("groupbuy.check_code", "store", store_id)
                        .store(store_id)
                        .after(&serde_json::json!({ "check_code": on })),
                );
                Ok::<_, GroupBuyError>(n)
            })
        })
        .await?;
    if n == 0 {
        return Err(GroupBuyError::NotFound);
    }
    ctx.app.cache.invalidate();
    Ok(())
}

impl crate::kernel::cache::Cached for GroupBuySettings {
    async fn load(db: &Db) -> Result<Self, DbError> {
        load(db).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebate_tiers_read_percent_and_per_mille() {
        let t = parse_tiers("10000 2%\n50000 30‰\n\n100000 50").expect("tiers");
        assert_eq!(
            t.iter().map(|t| t.rate_permille).collect::<Vec<_>>(),
            [20, 30, 50]
        );
        assert_eq!(t[0].min_purchase, Fen(1_000_000));
        assert!(parse_tiers("10000").is_err());
        assert!(
            parse_tiers("10000 2%\n10000 3%").is_err(),
            "two tiers at one amount"
        );
        assert!(parse_tiers("10000 100%").is_err());
    }
}
