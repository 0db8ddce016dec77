//! SQL of checking a presented bearer key: the live till key or API token with that hash, and
//! when it was last used. Issuing and revoking keys is the staff area's (`areas/staff/store/keys.rs`).

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

/// A live till key, as authentication reads it.
#[derive(sqlx::FromRow)]
pub struct TillAuth {
    pub id: i64,
    pub store_id: i64,
    pub till_id: String,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A live API token, as authentication reads it.
#[derive(sqlx::FromRow)]
pub struct TokenAuth {
    pub id: i64,
    pub staff_id: i64,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

pub async fn live_till_key(db: &Db, key_hash: &str) -> Result<Option<TillAuth>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, store_id, till_id, last_used_at from till_keys where key_hash = $1 and revoked_at is null",
        )
        .bind(key_hash)
        .fetch_optional(p)
        .await?
    }))
}

pub async fn live_token(db: &Db, token_hash: &str) -> Result<Option<TokenAuth>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, staff_id, expires_at, last_used_at from api_tokens where token_hash = $1 and revoked_at is null",
        )
        .bind(token_hash)
        .fetch_optional(p)
        .await?
    }))
}

/// Which table a presented key came from.
#[derive(Debug, Clone, Copy)]
pub enum KeyKind {
    Till,
    Token,
}

/// Records that a key was used at `now`.
pub async fn record_use(
    tx: &mut Tx,
    kind: KeyKind,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let sql = match kind {
        KeyKind::Till => "update till_keys set last_used_at = $1 where id = $2",
        KeyKind::Token => "update api_tokens set last_used_at = $1 where id = $2",
    };
    on_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(now)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
