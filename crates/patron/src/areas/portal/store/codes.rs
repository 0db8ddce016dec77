//! SQL of the one-time SMS codes (`portal_codes`) and their request limits
//! (`portal_code_limits`).

use chrono::{DateTime, Utc};

use crate::kernel::db::{DbError, Tx, ts};
use crate::on_tx;

/// Counts one more request under `subject` and answers the count in the current window (a
/// window that is over starts again at one). One statement, so parallel requests count one
/// after another.
pub async fn count(
    tx: &mut Tx,
    subject: &str,
    now: DateTime<Utc>,
    window_until: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into portal_code_limits (subject, count, window_until) values ($1, 1, $2) \
             on conflict (subject) do update set \
             count = case when portal_code_limits.window_until <= $3 then 1 else portal_code_limits.count + 1 end, \
             window_until = case when portal_code_limits.window_until <= $3 then excluded.window_until \
             else portal_code_limits.window_until end \
             returning count",
        )
        .bind(subject)
        .bind(ts(window_until))
        .bind(ts(now))
        .fetch_one(c)
        .await?
    }))
}

/// Retires the member's unused codes and stores a new one (its keyed digest).
pub async fn replace(
    tx: &mut Tx,
    member_id: i64,
    code_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<i64, DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update portal_codes set used_at = $1 where member_id = $2 and used_at is null")
            .bind(ts(now))
            .bind(member_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into portal_codes (member_id, code_hash, created_at, expires_at) \
             values ($1, $2, $3, $4) returning id",
        )
        .bind(member_id)
        .bind(code_hash)
        .bind(ts(now))
        .bind(ts(expires_at))
        .fetch_one(c)
        .await?
    }))
}

/// The member's live code: not used, not expired, not worn out by wrong tries.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveCode {
    pub id: i64,
    pub code_hash: String,
}

pub async fn live(
    tx: &mut Tx,
    member_id: i64,
    now: DateTime<Utc>,
    max_attempts: i64,
) -> Result<Option<LiveCode>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "select id, code_hash from portal_codes where member_id = $1 and used_at is null \
             and expires_at > $2 and attempts < $3 order by id desc limit 1",
        )
        .bind(member_id)
        .bind(ts(now))
        .bind(max_attempts)
        .fetch_optional(c)
        .await?
    }))
}

/// Counts a wrong try against a code.
pub async fn wrong_try(tx: &mut Tx, id: i64) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update portal_codes set attempts = attempts + 1 where id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Uses a code: one guarded update, so of two uses at once only one gets `true`.
pub async fn use_code(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update portal_codes set used_at = $1 where id = $2 and used_at is null and expires_at > $1",
        )
        .bind(ts(now))
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
