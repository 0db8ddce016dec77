//! Tier rules (SPEC B7–B8): which tier a member's spending in the rolling window qualifies for,
//! what an accrual may change on its own (upgrades; platinum only through an approval), what the
//! annual review does, and what the member still needs.

use serde::Serialize;

use crate::money::Fen;

/// One tier's threshold as the rules see it. Tiers are passed lowest rank first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRule {
    pub code: String,
    pub rank: i64,
    /// Spend within the window that reaches this tier (0 with `min_count` 0: everyone).
    pub min_spend: Fen,
    /// Purchases within the window that reach this tier (0: not used).
    pub min_count: i64,
    /// Reaching this tier needs a manager's approval (经公司评估).
    pub needs_approval: bool,
}

impl TierRule {
    pub fn reached_by(&self, spend: Fen, count: i64) -> bool {
        let by_spend = spend >= self.min_spend;
        let by_count = self.min_count > 0 && count >= self.min_count;
        by_spend || by_count
    }
}

/// The highest tier the window's spend and count reach (the lowest tier if none).
pub fn qualifying(rules: &[TierRule], spend: Fen, count: i64) -> Option<&TierRule> {
    rules
        .iter()
        .filter(|r| r.reached_by(spend, count))
        .max_by_key(|r| r.rank)
        .or_else(|| rules.iter().min_by_key(|r| r.rank))
}

/// What an accrual changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upgrade {
    /// The tier the member moves to at once, if higher than now.
    pub to: Option<String>,
    /// A higher tier reached that needs an approval first.
    pub approval_for: Option<String>,
}

/// Upgrades only: an accrual never lowers a tier. A tier that needs approval is not entered
/// automatically; the member moves to the best tier below it that does not, and the approval is
/// asked for.
pub fn on_accrual(rules: &[TierRule], current_rank: i64, spend: Fen, count: i64) -> Upgrade {
    let reached: Vec<&TierRule> = rules
        .iter()
        .filter(|r| r.rank > current_rank && r.reached_by(spend, count))
        .collect();
    let auto = reached
        .iter()
        .filter(|r| !r.needs_approval)
        .max_by_key(|r| r.rank)
        .map(|r| r.code.clone());
    let approval_for = reached
        .iter()
        .filter(|r| r.needs_approval)
        .max_by_key(|r| r.rank)
        .map(|r| r.code.clone());
    Upgrade {
        to: auto,
        approval_for,
    }
}

/// The annual review (B7): the tier the member keeps. With `downgrade` on, a member whose window
/// no longer reaches the current tier moves to the tier it does reach (a tier that needed an
/// approval is kept while its threshold is met); with it off, nothing changes.
pub fn on_review(
    rules: &[TierRule],
    current_rank: i64,
    spend: Fen,
    count: i64,
    downgrade: bool,
) -> Option<&TierRule> {
    let current = rules.iter().find(|r| r.rank == current_rank)?;
    if !downgrade || current.reached_by(spend, count) {
        return Some(current);
    }
    let q = qualifying(rules, spend, count)?;
    if q.rank < current.rank {
        Some(q)
    } else {
        Some(current)
    }
}

/// What a member still needs within the window to reach `target` (or keep it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Needed {
    pub spend: Fen,
    /// Purchases still needed, when the tier can also be reached by count.
    pub count: Option<i64>,
}

pub fn needed_for(target: &TierRule, spend: Fen, count: i64) -> Needed {
    Needed {
        spend: Fen((target.min_spend.0 - spend.0).max(0)),
        count: (target.min_count > 0).then(|| (target.min_count - count).max(0)),
    }
}

/// Referral points (C5, S3 推荐积分): the referrer earns by the tier the new member joins with —
/// 推荐普通会员 100, 银卡 300, 金卡 500, 白金卡 800 by default. `table` is (tier code, points),
/// lowest tier first; a tier the table does not name earns what the lowest tier names.
pub fn referral_points(table: &[(&str, i64)], joined_tier: &str) -> i64 {
    table
        .iter()
        .find(|(code, _)| *code == joined_tier)
        .or_else(|| table.first())
        .map_or(0, |(_, points)| (*points).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rules() -> Vec<TierRule> {
        let t = |code: &str, rank, yuan: i64, count, needs_approval| TierRule {
            code: code.into(),
            rank,
            min_spend: Fen(yuan * 100),
            min_count: count,
            needs_approval,
        };
        vec![
            t("normal", 0, 0, 0, false),
            t("silver", 1, 10_000, 12, false),
            t("gold", 2, 50_000, 0, false),
            t("platinum", 3, 200_000, 0, true),
        ]
    }

    #[test]
    fn spend_or_purchase_count_reaches_a_tier() {
        let r = rules();
        assert_eq!(qualifying(&r, Fen(999_999), 0).map(|t| t.rank), Some(0));
        assert_eq!(qualifying(&r, Fen(1_000_000), 0).map(|t| t.rank), Some(1));
        assert_eq!(qualifying(&r, Fen(100), 12).map(|t| t.rank), Some(1));
        assert_eq!(qualifying(&r, Fen(5_000_000), 0).map(|t| t.rank), Some(2));
    }

    #[test]
    fn referral_points_follow_the_tier_the_new_member_joins_with() {
        let table = [
            ("normal", 100),
            ("silver", 300),
            ("gold", 500),
            ("platinum", 800),
        ];
        assert_eq!(referral_points(&table, "normal"), 100);
        assert_eq!(referral_points(&table, "silver"), 300);
        assert_eq!(referral_points(&table, "gold"), 500);
        assert_eq!(referral_points(&table, "platinum"), 800);
        // A tier removed since: the lowest tier's points.
        assert_eq!(referral_points(&table, "diamond"), 100);
        assert_eq!(referral_points(&[], "normal"), 0);
    }

    #[test]
    fn an_accrual_upgrades_but_platinum_waits_for_an_approval() {
        let r = rules();
        let u = on_accrual(&r, 0, Fen(30_000_000), 0);
        assert_eq!(u.to.as_deref(), Some("gold"));
        assert_eq!(u.approval_for.as_deref(), Some("platinum"));
        let u = on_accrual(&r, 2, Fen(100), 0);
        assert_eq!(
            u,
            Upgrade {
                to: None,
                approval_for: None
            }
        );
    }

    #[test]
    fn the_review_downgrades_only_when_configured() {
        let r = rules();
        assert_eq!(
            on_review(&r, 2, Fen(1_000_000), 0, true).map(|t| t.rank),
            Some(1)
        );
        assert_eq!(
            on_review(&r, 2, Fen(1_000_000), 0, false).map(|t| t.rank),
            Some(2)
        );
        assert_eq!(
            on_review(&r, 2, Fen(5_000_000), 0, true).map(|t| t.rank),
            Some(2)
        );
    }

    #[test]
    fn the_member_is_told_what_is_still_needed() {
        let r = rules();
        assert_eq!(
            needed_for(&r[1], Fen(400_000), 5),
            Needed {
                spend: Fen(600_000),
                count: Some(7)
            }
        );
        assert_eq!(needed_for(&r[2], Fen(9_000_000), 0).spend, Fen(0));
    }

    proptest! {
        #[test]
        fn an_accrual_never_lowers_a_tier_nor_enters_an_approval_tier(
            current in 0i64..4, spend in 0i64..40_000_000, count in 0i64..30,
        ) {
            let r = rules();
            let u = on_accrual(&r, current, Fen(spend), count);
            if let Some(to) = u.to {
                let t = r.iter().find(|t| t.code == to).expect("tier");
                prop_assert!(t.rank > current);
                prop_assert!(!t.needs_approval);
            }
        }
    }
}
