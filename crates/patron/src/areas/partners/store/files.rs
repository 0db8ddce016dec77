//! Scanned contract files (`partner_files`, migration 0029): kept in the database so that a
//! backup holds them; the list reads no bytes, one download reads one file's.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// A file as listed (without its bytes).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct FileRow {
    pub id: i64,
    pub partner_id: i64,
    pub contract_id: i64,
    pub contract_no: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by_name: Option<String>,
    pub uploaded_at: DateTime<Utc>,
}

const FILE_COLUMNS: &str = "f.id, f.partner_id, f.contract_id, k.contract_no, f.file_name, \
     f.content_type, f.size_bytes, f.sha256, s.display_name as uploaded_by_name, f.uploaded_at \
     from partner_files f join partner_contracts k on k.id = f.contract_id \
     left join staff s on s.id = f.uploaded_by";

/// A partner's files, oldest first.
pub async fn files(db: &Db, partner_id: i64) -> Result<Vec<FileRow>, DbError> {
    let sql = format!("select {FILE_COLUMNS} where f.partner_id = $1 order by f.id");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(partner_id)
            .fetch_all(p)
            .await?
    }))
}

/// One file with its bytes.
pub async fn file(db: &Db, id: i64) -> Result<Option<(FileRow, Vec<u8>)>, DbError> {
    let sql = format!("select {FILE_COLUMNS} where f.id = $1");
    let row: Option<FileRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    });
    let Some(row) = row else {
        return Ok(None);
    };
    let data: Option<Vec<u8>> = on_db!(db, |p| {
        sqlx::query_scalar("select data from partner_files where id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?
    });
    Ok(data.map(|d| (row, d)))
}

/// A file to keep.
pub struct NewFile<'a> {
    pub partner_id: i64,
    pub contract_id: i64,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub data: &'a [u8],
    pub by: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Keeps a file; its id.
pub async fn insert_file(tx: &mut Tx, f: &NewFile<'_>) -> Result<i64, DbError> {
    let size = i64::try_from(f.data.len()).unwrap_or(i64::MAX);
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into partner_files (partner_id, contract_id, file_name, content_type, \
             size_bytes, sha256, data, uploaded_by, uploaded_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
        )
        .bind(f.partner_id)
        .bind(f.contract_id)
        .bind(f.file_name)
        .bind(f.content_type)
        .bind(size)
        .bind(f.sha256)
        .bind(f.data)
        .bind(f.by)
        .bind(ts(f.at))
        .fetch_one(x)
        .await?
    }))
}
