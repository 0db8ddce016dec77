//! SQL of till keys and API tokens as the staff area administers them (issue, list, revoke).
//! What checks a presented key is in `auth/store/keys.rs`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TillKeyRow {
    pub id: i64,
    pub store_id: i64,
    pub store_code: String,
    pub till_id: String,
    pub label: String,
    pub key_prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub staff_id: i64,
    pub username: String,
    pub token_prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A new till key as it is stored (the key itself only as its hash).
pub struct NewTillKey<'a> {
    pub store_id: i64,
    pub till_id: &'a str,
    pub label: &'a str,
    pub key_prefix: &'a str,
    pub key_hash: &'a str,
    pub created_by: &'a str,
    pub created_at: DateTime<Utc>,
}

/// Inserts a till key; a live key for the same till is a unique violation.
pub async fn insert_till_key(tx: &mut Tx, k: &NewTillKey<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into till_keys (store_id, till_id, label, key_prefix, key_hash, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(k.store_id)
        .bind(k.till_id)
        .bind(k.label)
        .bind(k.key_prefix)
        .bind(k.key_hash)
        .bind(k.created_by)
        .bind(k.created_at)
        .fetch_one(c)
        .await?
    }))
}

const TILL_COLUMNS: &str = "k.id, k.store_id, s.code as store_code, k.till_id, k.label, \
    k.key_prefix, k.created_by, k.created_at, k.revoked_at, k.revoked_by, k.last_used_at";

pub async fn till_key(db: &Db, id: i64) -> Result<Option<TillKeyRow>, DbError> {
    let sql = format!(
        "select {TILL_COLUMNS} from till_keys k join stores s on s.id = k.store_id where k.id = $1"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

pub async fn list_till_keys(db: &Db) -> Result<Vec<TillKeyRow>, DbError> {
    let sql = format!(
        "select {TILL_COLUMNS} from till_keys k join stores s on s.id = k.store_id \
         order by s.code, k.till_id, k.id desc"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await?
    }))
}

/// A new API token as it is stored (the token itself only as its hash).
pub struct NewToken<'a> {
    pub name: &'a str,
    pub staff_id: i64,
    pub token_prefix: &'a str,
    pub token_hash: &'a str,
    pub created_by: &'a str,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert_token(tx: &mut Tx, t: &NewToken<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into api_tokens (name, staff_id, token_prefix, token_hash, created_by, created_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(t.name)
        .bind(t.staff_id)
        .bind(t.token_prefix)
        .bind(t.token_hash)
        .bind(t.created_by)
        .bind(t.created_at)
        .bind(t.expires_at)
        .fetch_one(c)
        .await?
    }))
}

pub async fn list_tokens(db: &Db) -> Result<Vec<TokenRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select t.id, t.name, t.staff_id, s.username, t.token_prefix, t.created_by, t.created_at, \
             t.expires_at, t.revoked_at, t.last_used_at \
             from api_tokens t join staff s on s.id = t.staff_id order by t.id desc",
        )
        .fetch_all(p)
        .await?
    }))
}

/// The two tables of bearer keys.
#[derive(Debug, Clone, Copy)]
pub enum KeyTable {
    TillKeys,
    ApiTokens,
}

impl KeyTable {
    fn name(self) -> &'static str {
        match self {
            KeyTable::TillKeys => "till_keys",
            KeyTable::ApiTokens => "api_tokens",
        }
    }
}

/// Marks a live key revoked; returns the rows changed (0 if unknown or already revoked).
pub async fn revoke(
    tx: &mut Tx,
    table: KeyTable,
    id: i64,
    by: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let sql = format!(
        "update {} set revoked_at = $1, revoked_by = $2 where id = $3 and revoked_at is null",
        table.name()
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(by)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    }))
}

/// Whether key `id` exists (live or revoked).
pub async fn exists(tx: &mut Tx, table: KeyTable, id: i64) -> Result<bool, DbError> {
    let sql = format!(
        "select cast(count(*) as bigint) from {} where id = $1",
        table.name()
    );
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(c)
            .await?
    });
    Ok(n > 0)
}

/// Revokes every live API token of a staff member (their account is being disabled).
pub async fn revoke_tokens_of(
    tx: &mut Tx,
    staff_id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update api_tokens set revoked_at = $1, revoked_by = 'disabled' \
             where staff_id = $2 and revoked_at is null",
        )
        .bind(at)
        .bind(staff_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())?
    });
    Ok(())
}
