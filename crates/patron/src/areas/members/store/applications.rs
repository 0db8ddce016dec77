//! SQL of applications (B2–B5) and the receipts that qualified them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ApplicationRow {
    pub id: i64,
    pub store_id: i64,
    pub status: String,
    pub name: String,
    pub data: String,
    pub receipt_no: Option<String>,
    pub receipt_fen: Option<i64>,
    pub counter: Option<String>,
    pub submitted_by: i64,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub member_id: Option<i64>,
}

const COLUMNS: &str = "id, store_id, status, name, data, receipt_no, receipt_fen, counter, submitted_by, \
     submitted_at, reviewed_by, reviewed_at, reason, member_id";

pub async fn get_application(db: &Db, id: i64) -> Result<Option<ApplicationRow>, DbError> {
    let sql = format!("select {COLUMNS} from member_applications where id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// Applications waiting for review, and rejected ones waiting for a correction.
pub async fn open_applications(db: &Db) -> Result<Vec<ApplicationRow>, DbError> {
    let sql = format!(
        "select {COLUMNS} from member_applications where status in ('submitted', 'rejected') order by id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

/// Takes the receipt for an application; a receipt already taken is a unique violation.
pub async fn reserve_receipt(
    tx: &mut Tx,
    store_id: i64,
    receipt_no: &str,
    application_id: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into qualifying_receipts (store_id, receipt_no, application_id) values ($1, $2, $3)",
        )
        .bind(store_id)
        .bind(receipt_no)
        .bind(application_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Frees the receipt of a rejected application (it may qualify the correction).
pub async fn release_receipt(tx: &mut Tx, application_id: i64) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("delete from qualifying_receipts where application_id = $1")
            .bind(application_id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Marks a rejected application as replaced by its correction; how many rows changed.
pub async fn mark_resubmitted(tx: &mut Tx, id: i64) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query(
            "update member_applications set status = 'resubmitted' where id = $1 and status = 'rejected'",
        )
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// An application to record (its form encrypted, phone and ID as lookup hashes).
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub store_id: i64,
    pub name: &'a str,
    pub data: &'a str,
    pub phone_hash: &'a str,
    pub id_hash: Option<&'a str>,
    pub receipt_no: &'a str,
    pub receipt_fen: i64,
    pub counter: &'a str,
    pub submitted_by: i64,
    pub submitted_at: DateTime<Utc>,
}

pub async fn insert_application(tx: &mut Tx, a: &NewApplication<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "insert into member_applications (store_id, status, name, data, phone_hash, id_hash, \
             receipt_no, receipt_fen, counter, submitted_by, submitted_at) \
             values ($1, 'submitted', $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
        )
        .bind(a.store_id)
        .bind(a.name)
        .bind(a.data)
        .bind(a.phone_hash)
        .bind(a.id_hash)
        .bind(a.receipt_no)
        .bind(a.receipt_fen)
        .bind(a.counter)
        .bind(a.submitted_by)
        .bind(a.submitted_at)
        .fetch_one(conn)
        .await?
    }))
}

/// Records the decision on a submitted application; how many rows changed (0: not submitted).
pub async fn decide_application(
    tx: &mut Tx,
    id: i64,
    status: &str,
    reviewer: i64,
    at: DateTime<Utc>,
    reason: Option<&str>,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |conn| {
        sqlx::query(
            "update member_applications set status = $1, reviewed_by = $2, reviewed_at = $3, reason = $4 \
             where id = $5 and status = 'submitted'",
        )
        .bind(status)
        .bind(reviewer)
        .bind(at)
        .bind(reason)
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// Links an approved application to the member it made.
pub async fn set_application_member(tx: &mut Tx, id: i64, member_id: i64) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query("update member_applications set member_id = $1 where id = $2")
            .bind(member_id)
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
