//! Reward settings (D1, D4): the thresholds (返礼标准), each naming its gift; how long a slip is
//! valid, the follow-up period before it lapses, and whether an expired slip gives its points
//! back. Changed on `/admin/rewards` (ManageRewardSettings, audited).

use patron_core::Permission;
use serde::{Deserialize, Serialize};

use super::RewardsError;
use super::store::settings as store;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Exec};
use crate::kernel::validation::Invalid;

pub use super::store::settings::{RewardSettings, Rules, Threshold};

/// The settings, from the read pool (`ctx.db()`) or as the transaction sees them (`&mut *tx`).
pub async fn load(ex: impl Into<Exec<'_>>) -> Result<RewardSettings, DbError> {
    store::load(ex).await
}

/// The settings form as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SettingsForm {
    /// One threshold a line: `5000 REWARD-200` (points, gift code).
    pub thresholds: String,
    pub slip_valid_months: String,
    pub follow_up_months: String,
    /// Whether points come back when a slip expires.
    #[serde(default)]
    pub return_points_on_expiry: bool,
}

impl SettingsForm {
    pub fn from_settings(s: &RewardSettings) -> SettingsForm {
        SettingsForm {
            thresholds: s
                .thresholds
                .iter()
                .map(|t| format!("{} {}", t.points, t.gift_code))
                .collect::<Vec<_>>()
                .join("\n"),
            slip_valid_months: s.rules.slip_valid_months.to_string(),
            follow_up_months: s.rules.follow_up_months.to_string(),
            return_points_on_expiry: s.rules.return_points_on_expiry,
        }
    }
}

fn months(text: &str, min: i64, max: i64) -> Result<i64, &'static str> {
    match patron_core::typed::parse_int(text).ok_or(()) {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err("reward.invalid.months"),
    }
}

/// Parses the threshold lines into (points, gift code), ascending, without duplicates.
pub fn parse_thresholds(text: &str) -> Result<Vec<(i64, String)>, &'static str> {
    let mut out: Vec<(i64, String)> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut parts = line.split_whitespace();
        let points = parts
            .next()
            .and_then(patron_core::typed::parse_int)
            .filter(|p| *p > 0 && *p <= 100_000_000)
            .ok_or("reward.invalid.thresholds")?;
        let code = parts
            .next()
            .map(|c| c.trim().to_ascii_uppercase())
            .ok_or("reward.invalid.thresholds")?;
        if parts.next().is_some() || out.iter().any(|(p, _)| *p == points) {
            return Err("reward.invalid.thresholds");
        }
        out.push((points, code));
    }
    if out.is_empty() {
        return Err("reward.invalid.thresholds");
    }
    out.sort();
    Ok(out)
}

/// Saves the settings (ManageRewardSettings, audited with before and after).
pub async fn save(ctx: &Ctx, form: &SettingsForm) -> Result<(), RewardsError> {
    ctx.require(Permission::ManageRewardSettings)?;
    let mut bad = Invalid::new();
    let valid = bad.check("slip_valid_months", months(&form.slip_valid_months, 1, 24));
    let follow = bad.check("follow_up_months", months(&form.follow_up_months, 0, 12));
    let lines = bad.check("thresholds", parse_thresholds(&form.thresholds));
    bad.into_result()?;
    let (valid, follow, lines) = (
        valid.unwrap_or(3),
        follow.unwrap_or(1),
        lines.unwrap_or_default(),
    );
    let before = load(ctx.db()).await?;
    let before_json = serde_json::json!({ "rules": before.rules, "thresholds": before.thresholds.iter().map(|t| (t.points, t.gift_code.clone())).collect::<Vec<_>>() });
    let rules = Rules {
        slip_valid_months: valid,
        follow_up_months: follow,
        return_points_on_expiry: form.return_points_on_expiry,
    };
    let ctx2 = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (ctx, lines, before_json, rules) = (
                ctx2.clone(),
                lines.clone(),
                before_json.clone(),
                rules.clone(),
            );
            Box::pin(async move {
                let mut thresholds = Vec::new();
                for (points, code) in &lines {
                    match crate::areas::gifts::catalogue::gift_by_code(&mut *tx, code).await? {
                        Some(g) => thresholds.push((*points, g.id)),
                        None => {
                            return Err(
                                Invalid::one("thresholds", "reward.invalid.gift_code").into()
                            );
                        }
                    }
                }
                store::save_rules(tx, &rules).await?;
                store::replace_thresholds(tx, &thresholds).await?;
                tx.audit(
                    ctx.audit("reward.audit.settings", "reward_settings", 1)
                        .before(&before_json)
                        .after(&serde_json::json!({
                            "rules": { "slip_valid_months": valid, "follow_up_months": follow, "return_points_on_expiry": rules.return_points_on_expiry },
                            "thresholds": lines,
                        })),
                );
                Ok::<_, RewardsError>(())
            })
        })
        .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn threshold_lines_parse_sorted_and_refuse_nonsense() {
        assert_eq!(
            parse_thresholds("8,000 reward-500\n5000 REWARD-200\n").unwrap(),
            vec![(5000, "REWARD-200".into()), (8000, "REWARD-500".into())]
        );
        assert!(parse_thresholds("").is_err());
        assert!(parse_thresholds("5000").is_err());
        assert!(parse_thresholds("-5 X").is_err());
        assert!(parse_thresholds("5000 A\n5000 B").is_err());
    }
}
