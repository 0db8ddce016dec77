//! SQL of approvals.

use chrono::{DateTime, Utc};
use patron_core::approvals::ApprovalStatus;
use serde::Serialize;

use super::NewRequest;
use crate::kernel::db::{Db, DbError, Exec, Tx};
use crate::{on_db, on_exec, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ApprovalRow {
    pub id: i64,
    pub kind: String,
    pub store_id: Option<i64>,
    pub subject_kind: String,
    pub subject_id: String,
    pub summary: String,
    pub payload: String,
    pub status: String,
    /// The staff member who asked; none for a request Patron raised itself (a till accrual).
    pub requested_by: Option<i64>,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub previous_id: Option<i64>,
}

const COLUMNS: &str = "id, kind, store_id, subject_kind, subject_id, summary, payload, status, \
    requested_by, requested_at, decided_by, decided_at, reason, previous_id";

pub async fn insert(
    tx: &mut Tx,
    req: &NewRequest,
    requested_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<ApprovalRow, DbError> {
    let sql = format!(
        "insert into approvals (kind, store_id, subject_kind, subject_id, summary, payload, status, \
         requested_by, requested_at, previous_id) \
         values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9) returning {COLUMNS}"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&req.kind)
            .bind(req.store_id)
            .bind(&req.subject_kind)
            .bind(&req.subject_id)
            .bind(&req.summary)
            .bind(req.payload.to_string())
            .bind(requested_by)
            .bind(now)
            .bind(req.previous_id)
            .fetch_one(c)
            .await?
    }))
}

/// Records a request Patron raises itself, unless one of its kind about its subject is open
/// already (from anyone): `None` then. The partial unique index keeps two racing raisers to one.
pub async fn insert_system(
    tx: &mut Tx,
    req: &NewRequest,
    now: DateTime<Utc>,
) -> Result<Option<ApprovalRow>, DbError> {
    let sql = format!(
        "insert into approvals (kind, store_id, subject_kind, subject_id, summary, payload, status, \
         requested_by, requested_at, previous_id) \
         select $1, $2, $3, $4, $5, $6, 'pending', null, $7, null \
         where not exists (select 1 from approvals where kind = $1 and subject_kind = $3 \
         and subject_id = $4 and status = 'pending') \
         on conflict do nothing returning {COLUMNS}"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&req.kind)
            .bind(req.store_id)
            .bind(&req.subject_kind)
            .bind(&req.subject_id)
            .bind(&req.summary)
            .bind(req.payload.to_string())
            .bind(now)
            .fetch_optional(c)
            .await?
    }))
}

/// Moves a pending request to `status`; `None` if it was no longer pending.
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: ApprovalStatus,
    decided_by: i64,
    now: DateTime<Utc>,
    reason: Option<&str>,
) -> Result<Option<ApprovalRow>, DbError> {
    let sql = format!(
        "update approvals set status = $1, decided_by = $2, decided_at = $3, reason = $4 \
         where id = $5 and status = 'pending' returning {COLUMNS}"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(status.code())
            .bind(decided_by)
            .bind(now)
            .bind(reason)
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

pub async fn pending(db: &Db) -> Result<Vec<ApprovalRow>, DbError> {
    let sql = format!("select {COLUMNS} from approvals where status = 'pending' order by id");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await?
    }))
}

/// One request, read from the pool or inside a write (`&mut *tx`).
pub async fn get(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<ApprovalRow>, DbError> {
    let sql = format!("select {COLUMNS} from approvals where id = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

/// The pending requests of one kind at one store, oldest first.
pub async fn pending_at(db: &Db, kind: &str, store_id: i64) -> Result<Vec<ApprovalRow>, DbError> {
    let sql = format!(
        "select {COLUMNS} from approvals where kind = $1 and store_id = $2 \
         and status = 'pending' order by id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(kind)
            .bind(store_id)
            .fetch_all(p)
            .await?
    }))
}

/// The pending requests of one kind about one subject.
pub async fn pending_about(
    db: &Db,
    kind: &str,
    subject_kind: &str,
    subject_id: &str,
) -> Result<Vec<ApprovalRow>, DbError> {
    let sql = format!(
        "select {COLUMNS} from approvals where kind = $1 and subject_kind = $2 \
         and subject_id = $3 and status = 'pending' order by id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(kind)
            .bind(subject_kind)
            .bind(subject_id)
            .fetch_all(p)
            .await?
    }))
}

/// Requests about one subject, newest first.
pub async fn for_subject(
    db: &Db,
    subject_kind: &str,
    subject_id: &str,
) -> Result<Vec<ApprovalRow>, DbError> {
    let sql = format!(
        "select {COLUMNS} from approvals where subject_kind = $1 and subject_id = $2 order by id desc limit 50"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(subject_kind)
            .bind(subject_id)
            .fetch_all(p)
            .await?
    }))
}

/// A request as the inbox shows it: with who asked, who decided and the store's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxEntry {
    #[sqlx(flatten)]
    pub row: ApprovalRow,
    /// None for a request Patron raised itself (a till accrual reaching platinum).
    pub requester_name: Option<String>,
    pub decider_name: Option<String>,
    pub store_code: Option<String>,
    pub store_name: Option<String>,
}

const INBOX_SELECT: &str = "select a.id, a.kind, a.store_id, a.subject_kind, a.subject_id, a.summary, \
    a.payload, a.status, a.requested_by, a.requested_at, a.decided_by, a.decided_at, a.reason, \
    a.previous_id, r.display_name as requester_name, d.display_name as decider_name, \
    s.code as store_code, s.name as store_name \
    from approvals a left join staff r on r.id = a.requested_by left join staff d on d.id = a.decided_by \
    left join stores s on s.id = a.store_id";

/// Requests waiting for a decision, oldest first.
pub async fn inbox_pending(db: &Db) -> Result<Vec<InboxEntry>, DbError> {
    let sql = format!("{INBOX_SELECT} where a.status = 'pending' order by a.id");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await?
    }))
}

/// The last `limit` requests decided (approved, rejected or withdrawn), newest decision first.
pub async fn inbox_decided(db: &Db, limit: i64) -> Result<Vec<InboxEntry>, DbError> {
    let sql = format!(
        "{INBOX_SELECT} where a.status <> 'pending' order by a.decided_at desc, a.id desc limit $1"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(limit)
            .fetch_all(p)
            .await?
    }))
}
