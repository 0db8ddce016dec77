//! The stock documents (`gift_documents`): delivery notes, transfers and stock-takes, each with
//! its lines as JSON.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// A document line as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocLine {
    pub gift_id: i64,
    #[serde(default)]
    pub qty: i64,
    #[serde(default)]
    pub expected: i64,
    #[serde(default)]
    pub counted: i64,
    #[serde(default)]
    pub explanation: String,
}

impl DocLine {
    pub fn difference(&self) -> i64 {
        self.counted - self.expected
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct DocRow {
    pub id: i64,
    /// The department's number, e.g. `SHHQ20261203-001` (kernel/docno.rs).
    pub doc_no: String,
    pub kind: String,
    pub store_id: i64,
    pub to_store_id: Option<i64>,
    pub note_no: String,
    pub supplier: String,
    pub month: String,
    pub lines: String,
    pub note: String,
    pub state: String,
    pub approval_id: Option<i64>,
    pub business_date: NaiveDate,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A document kind's number prefix: SH (收货) delivery, DB (调拨) transfer, PD (盘点) stock-take.
pub fn doc_prefix(kind: &str) -> &'static str {
    match kind {
        "delivery" => "SH",
        "transfer" => "DB",
        _ => "PD",
    }
}

impl DocRow {
    pub fn no(&self) -> &str {
        &self.doc_no
    }

    pub fn doc_lines(&self) -> Vec<DocLine> {
        serde_json::from_str(&self.lines).unwrap_or_default()
    }
}

const DOC: &str = "select id, doc_no, kind, store_id, to_store_id, note_no, supplier, month, lines, note, \
     state, approval_id, business_date, created_by, created_at from gift_documents";

pub async fn get(db: &Db, id: i64) -> Result<Option<DocRow>, DbError> {
    let sql = format!("{DOC} where id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// The documents touching a store (as sender or receiver), newest first.
pub async fn for_store(db: &Db, store_id: i64) -> Result<Vec<DocRow>, DbError> {
    let sql = format!("{DOC} where store_id = $1 or to_store_id = $1 order by id desc limit 200");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .fetch_all(p)
            .await?
    }))
}

/// A document to record.
pub struct NewDoc<'a> {
    /// The number taken from the document counter in the same write.
    pub doc_no: &'a str,
    pub kind: &'a str,
    pub store_id: i64,
    pub to_store_id: Option<i64>,
    pub note_no: &'a str,
    pub supplier: &'a str,
    pub month: &'a str,
    pub lines: &'a [DocLine],
    pub note: &'a str,
    pub state: &'a str,
    pub day: NaiveDate,
    pub created_by: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Records a document; returns its id.
pub async fn insert(tx: &mut Tx, d: &NewDoc<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into gift_documents (doc_no, kind, store_id, to_store_id, note_no, supplier, \
             month, lines, note, state, business_date, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
        )
        .bind(d.doc_no)
        .bind(d.kind)
        .bind(d.store_id)
        .bind(d.to_store_id)
        .bind(d.note_no)
        .bind(d.supplier)
        .bind(d.month)
        .bind(serde_json::to_string(d.lines).unwrap_or_default())
        .bind(d.note)
        .bind(d.state)
        .bind(d.day)
        .bind(d.created_by)
        .bind(ts(d.at))
        .fetch_one(c)
        .await?
    }))
}

/// Links a document to the approval request it waits for.
pub async fn set_approval(tx: &mut Tx, id: i64, approval_id: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update gift_documents set approval_id = $1 where id = $2")
            .bind(approval_id)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A pending document just decided: where it was counted, its lines as stored, its number.
#[derive(Debug, sqlx::FromRow)]
pub struct Decided {
    pub store_id: i64,
    pub lines: String,
    pub doc_no: String,
}

/// Moves a pending document to `state` with one guarded update; `None` when it was not
/// pending (decided already).
pub async fn decide(tx: &mut Tx, id: i64, state: &str) -> Result<Option<Decided>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "update gift_documents set state = $1 where id = $2 and state = 'pending' \
             returning store_id, lines, doc_no",
        )
        .bind(state)
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

/// A document's number, inside a write.
pub async fn number(tx: &mut Tx, id: i64) -> Result<Option<String>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar("select doc_no from gift_documents where id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}
