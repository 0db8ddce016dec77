//! The reward settings (`reward_settings`, one row) and the thresholds (`reward_thresholds`).

use serde::{Deserialize, Serialize};

use crate::kernel::db::{DbError, Exec, Tx};
use crate::{on_exec, on_tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct Rules {
    pub slip_valid_months: i64,
    pub follow_up_months: i64,
    pub return_points_on_expiry: bool,
}

/// One threshold: from `points` on, this gift.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct Threshold {
    pub points: i64,
    pub gift_id: i64,
    pub gift_code: String,
    pub gift_name_zh: String,
    pub gift_name_en: String,
    pub value_fen: i64,
}

#[derive(Debug, Clone)]
pub struct RewardSettings {
    pub rules: Rules,
    /// Lowest first.
    pub thresholds: Vec<Threshold>,
}

impl RewardSettings {
    /// The highest threshold `points` reach.
    pub fn reached(&self, points: i64) -> Option<&Threshold> {
        self.thresholds.iter().rev().find(|t| points >= t.points)
    }

    pub fn threshold(&self, points: i64) -> Option<&Threshold> {
        self.thresholds.iter().find(|t| t.points == points)
    }
}

const RULES_SQL: &str = "select slip_valid_months, follow_up_months, return_points_on_expiry from reward_settings where id = 1";
const THRESHOLDS_SQL: &str = "select t.points, t.gift_id, g.code as gift_code, g.name_zh as gift_name_zh, \
     g.name_en as gift_name_en, g.value_fen from reward_thresholds t join gifts g on g.id = t.gift_id \
     order by t.points";

/// The settings, from the read pool or as the transaction sees them.
pub async fn load(ex: impl Into<Exec<'_>>) -> Result<RewardSettings, DbError> {
    let mut ex = ex.into();
    let rules: Rules = on_exec!(&mut ex, |c| sqlx::query_as(RULES_SQL).fetch_one(c).await?);
    let thresholds: Vec<Threshold> = on_exec!(&mut ex, |c| sqlx::query_as(THRESHOLDS_SQL)
        .fetch_all(c)
        .await?);
    Ok(RewardSettings { rules, thresholds })
}

/// Replaces the slip rules.
pub async fn save_rules(tx: &mut Tx, rules: &Rules) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update reward_settings set slip_valid_months = $1, follow_up_months = $2, \
             return_points_on_expiry = $3 where id = 1",
        )
        .bind(rules.slip_valid_months)
        .bind(rules.follow_up_months)
        .bind(rules.return_points_on_expiry)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Replaces the thresholds with `(points, gift_id)`.
pub async fn replace_thresholds(tx: &mut Tx, thresholds: &[(i64, i64)]) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("delete from reward_thresholds")
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for (points, gift_id) in thresholds {
        on_tx!(tx, |c| {
            sqlx::query("insert into reward_thresholds (points, gift_id) values ($1, $2)")
                .bind(*points)
                .bind(*gift_id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}
