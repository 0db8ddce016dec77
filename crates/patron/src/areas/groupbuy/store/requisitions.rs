//! SQL of requisitions: the request report, its decision, the ranges finance sets aside, the
//! hand-over and the department's signature.

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::vouchers::SerialRange;
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct RequisitionRow {
    pub id: i64,
    pub req_no: String,
    pub store_id: i64,
    pub lines: String,
    pub total_count: i64,
    pub total_fen: i64,
    pub purpose: String,
    pub state: String,
    pub approval_id: Option<i64>,
    pub pickup_on: Option<NaiveDate>,
    pub ranges: String,
    pub prepared_by: Option<i64>,
    pub prepared_at: Option<DateTime<Utc>>,
    pub handed_by: Option<i64>,
    pub handed_at: Option<DateTime<Utc>>,
    pub received_by: Option<i64>,
    pub received_at: Option<DateTime<Utc>>,
    pub serials_checked: bool,
    pub seal_checked: bool,
    pub quantity_checked: bool,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, req_no, store_id, lines, total_count, total_fen, purpose, state, approval_id, \
     pickup_on, ranges, prepared_by, prepared_at, handed_by, handed_at, received_by, received_at, \
     serials_checked, seal_checked, quantity_checked, created_by, created_at";

/// One requisition, read from the pool or inside a write (`&mut *tx`).
pub async fn get(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<RequisitionRow>, DbError> {
    let sql = format!("select {COLUMNS} from gb_requisitions where id = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn list(db: &Db, store_id: Option<i64>) -> Result<Vec<RequisitionRow>, DbError> {
    let sql = format!(
        "select {COLUMNS} from gb_requisitions where ($1 = 0 or store_id = $1) order by id desc limit 500"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id.unwrap_or(0))
            .fetch_all(p)
            .await?
    }))
}

/// A new request report, pending approval.
pub struct NewRequisition<'a> {
    pub req_no: &'a str,
    pub store_id: i64,
    /// The wanted lines as JSON.
    pub lines: String,
    pub total_count: i64,
    pub total_fen: i64,
    pub purpose: &'a str,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, r: &NewRequisition<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gb_requisitions (req_no, store_id, lines, total_count, total_fen, purpose, state, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) returning id",
        )
        .bind(r.req_no)
        .bind(r.store_id)
        .bind(&r.lines)
        .bind(r.total_count)
        .bind(r.total_fen)
        .bind(r.purpose)
        .bind(r.created_by)
        .bind(ts(r.created_at))
        .fetch_one(c)
        .await?
    }))
}

/// A pending requisition's decision (`approved`, `rejected` or `withdrawn`).
pub async fn set_decided(tx: &mut Tx, id: i64, state: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update gb_requisitions set state = $1 where id = $2 and state = 'pending'")
            .bind(state)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// Sets aside a range at finance for a requisition: the face values of the vouchers taken
/// (only those at finance and not yet set aside).
pub async fn set_aside(tx: &mut Tx, r: SerialRange, id: i64) -> Result<Vec<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "update vouchers set requisition_id = $3 where serial_no between $1 and $2 \
             and state = 'finance' and requisition_id is null returning face_value_fen",
        )
        .bind(r.first.0)
        .bind(r.last.0)
        .bind(id)
        .fetch_all(c)
        .await?
    }))
}

/// Finance's preparation of an approved requisition: 1 if it was still approved, else 0.
pub async fn mark_prepared(
    tx: &mut Tx,
    id: i64,
    ranges: &str,
    pickup_on: NaiveDate,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update gb_requisitions set state = 'prepared', ranges = $1, pickup_on = $2, \
             prepared_by = $3, prepared_at = $4 where id = $5 and state = 'approved'",
        )
        .bind(ranges)
        .bind(pickup_on)
        .bind(by)
        .bind(ts(at))
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    }))
}

pub async fn mark_handed(
    tx: &mut Tx,
    id: i64,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update gb_requisitions set state = 'handed', handed_by = $1, handed_at = $2 where id = $3",
        )
        .bind(by)
        .bind(ts(at))
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// The department's signature, with its three checks.
pub async fn mark_received(
    tx: &mut Tx,
    id: i64,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update gb_requisitions set state = 'received', received_by = $1, received_at = $2, \
             serials_checked = true, seal_checked = true, quantity_checked = true where id = $3",
        )
        .bind(by)
        .bind(ts(at))
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}
