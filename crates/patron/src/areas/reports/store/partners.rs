//! SQL of the partner merchants report (M4). Reads, read-only: `partners` (each partner's stage
//! now and since when), `partner_stages` (the dated history of stage changes),
//! `partner_contracts` (start, end, state and the stores each applies in) and
//! `partner_callbacks` (the callbacks' days).

use chrono::NaiveDate;

use crate::kernel::db::{Db, DbError};
use crate::on_db;

/// Every partner's stage now, and the day it got there.
pub async fn stages_now(db: &Db) -> Result<Vec<(i64, String, NaiveDate)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select id, stage, stage_on from partners")
            .fetch_all(p)
            .await?
    }))
}

/// A stage change: the partner, the stage it came from (none: screened as new), the stage it
/// went to and the day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MoveRow {
    pub partner_id: i64,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub on_date: NaiveDate,
}

pub async fn moves(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<MoveRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select partner_id, from_stage, to_stage, on_date from partner_stages \
             where on_date >= $1 and on_date <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// A contract that runs on some day up to `to`: start, end, state, its stores (codes, comma
/// separated; empty: every store).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContractRow {
    pub partner_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub state: String,
    pub stores: String,
}

/// The contracts starting by `to` and ending on or after `from`.
pub async fn contracts(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ContractRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select partner_id, starts_on, ends_on, state, stores from partner_contracts \
             where starts_on <= $2 and ends_on >= $1",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}

/// The callbacks made from `from` to `to`: partner and day.
pub async fn callbacks(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, NaiveDate)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select partner_id, on_date from partner_callbacks \
             where on_date >= $1 and on_date <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await?
    }))
}
