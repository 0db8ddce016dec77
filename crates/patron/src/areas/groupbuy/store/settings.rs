//! SQL of the group-buy settings: the one settings row, the rebate tiers, and which stores'
//! tills may skip the check code.

use patron_core::vouchers::RebateTier;
use serde::{Deserialize, Serialize};

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize, Deserialize)]
pub struct Row {
    pub cash_limit_organisation_fen: i64,
    pub cash_limit_person_fen: i64,
    pub real_name_from_fen: i64,
    pub anonymous_max_face_fen: i64,
    pub anonymous_min_validity_months: i64,
    pub cheque_clear_days: i64,
    pub report_time: String,
    pub wrong_codes_per_minute: i64,
    pub rebate_unit_fen: i64,
}

pub async fn row(db: &Db) -> Result<Row, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select cash_limit_organisation_fen, cash_limit_person_fen, real_name_from_fen, \
             anonymous_max_face_fen, anonymous_min_validity_months, cheque_clear_days, report_time, \
             wrong_codes_per_minute, rebate_unit_fen from gb_settings where id = 1",
        )
        .fetch_one(p)
        .await?
    }))
}

/// (minimum purchase, rate per mille), lowest first.
pub async fn tiers(db: &Db) -> Result<Vec<(i64, i64)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select min_purchase_fen, rate_permille from gb_rebate_tiers order by min_purchase_fen",
        )
        .fetch_all(p)
        .await?
    }))
}

/// The stores whose tills may redeem without the check code.
pub async fn check_code_off(db: &Db) -> Result<Vec<i64>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select id from stores where not voucher_check_code")
            .fetch_all(p)
            .await?
    }))
}

/// Replaces the settings row and the rebate tiers.
pub async fn save(tx: &mut Tx, r: &Row, tiers: &[RebateTier]) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update gb_settings set cash_limit_organisation_fen = $1, cash_limit_person_fen = $2, \
             real_name_from_fen = $3, anonymous_max_face_fen = $4, anonymous_min_validity_months = $5, \
             cheque_clear_days = $6, report_time = $7, wrong_codes_per_minute = $8, rebate_unit_fen = $9 \
             where id = 1",
        )
        .bind(r.cash_limit_organisation_fen)
        .bind(r.cash_limit_person_fen)
        .bind(r.real_name_from_fen)
        .bind(r.anonymous_max_face_fen)
        .bind(r.anonymous_min_validity_months)
        .bind(r.cheque_clear_days)
        .bind(&r.report_time)
        .bind(r.wrong_codes_per_minute)
        .bind(r.rebate_unit_fen)
        .execute(c)
        .await?
        .rows_affected()
    });
    on_tx!(tx, |c| {
        sqlx::query("delete from gb_rebate_tiers")
            .execute(c)
            .await?
            .rows_affected()
    });
    for tier in tiers {
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into gb_rebate_tiers (min_purchase_fen, rate_permille) values ($1, $2)",
            )
            .bind(tier.min_purchase.0)
            .bind(tier.rate_permille)
            .execute(c)
            .await?
            .rows_affected()
        });
    }
    Ok(())
}

/// Turns a store's till check code on or off; the number of stores changed.
pub async fn set_check_code(tx: &mut Tx, store_id: i64, on: bool) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query("update stores set voucher_check_code = $1 where id = $2")
            .bind(on)
            .bind(store_id)
            .execute(c)
            .await?
            .rows_affected()
    }))
}
