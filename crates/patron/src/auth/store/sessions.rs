//! SQL of the `sessions` table (ids stored only as keyed hashes).

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub seen_at: DateTime<Utc>,
}

pub async fn insert(
    tx: &mut Tx,
    id: &str,
    subject_kind: &str,
    subject_id: i64,
    csrf: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into sessions (id, subject_kind, subject_id, csrf_token, created_at, seen_at) \
             values ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(subject_kind)
        .bind(subject_id)
        .bind(csrf)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn find(db: &Db, id: &str, subject_kind: &str) -> Result<Option<Session>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, subject_kind, subject_id, csrf_token, created_at, seen_at from sessions \
             where id = $1 and subject_kind = $2",
        )
        .bind(id)
        .bind(subject_kind)
        .fetch_optional(p)
        .await?
    }))
}

pub async fn touch(tx: &mut Tx, id: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update sessions set seen_at = $1 where id = $2")
            .bind(now)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("delete from sessions where id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Deletes every session of a subject except the one with id `except_id` (`""` for none).
pub async fn delete_all_for(
    tx: &mut Tx,
    subject_kind: &str,
    subject_id: i64,
    except_id: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("delete from sessions where subject_kind = $1 and subject_id = $2 and id <> $3")
            .bind(subject_kind)
            .bind(subject_id)
            .bind(except_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Deletes the sessions not seen since `cutoff`.
pub async fn delete_seen_before(tx: &mut Tx, cutoff: DateTime<Utc>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("delete from sessions where seen_at < $1")
            .bind(cutoff)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
