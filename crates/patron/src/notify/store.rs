//! The outbox's SQL: queueing, the due messages, their recipients, and state changes.

use chrono::{DateTime, Utc};

use super::NewMessage;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub member_id: Option<i64>,
    pub kind: String,
    pub channel: String,
    pub payload: String,
    pub marketing: bool,
    pub attempts: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Recipient {
    pub name: String,
    pub phone_enc: Option<String>,
    pub phone_masked: Option<String>,
    pub email: Option<String>,
    pub marketing_consent: bool,
    pub status: String,
}

/// Inserts a message unless its dedupe key is queued already; whether it was new.
pub async fn insert(tx: &mut Tx, m: &NewMessage<'_>) -> Result<bool, DbError> {
    let payload = m.payload.to_string();
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into outbox (member_id, kind, channel, dedupe_key, payload, marketing, status, \
             next_attempt_at, created_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) \
             on conflict (dedupe_key) do nothing",
        )
        .bind(m.member_id)
        .bind(m.kind)
        .bind(m.channel)
        .bind(&m.dedupe_key)
        .bind(&payload)
        .bind(m.marketing)
        .bind(ts(m.at))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The pending messages whose time has come, oldest first, at most `limit`.
pub async fn due(db: &Db, now: DateTime<Utc>, limit: i64) -> Result<Vec<Due>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, member_id, kind, channel, payload, marketing, attempts from outbox \
             where status = 'pending' and next_attempt_at <= $1 order by id limit $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// The member a message goes to.
pub async fn recipient(db: &Db, member_id: i64) -> Result<Option<Recipient>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select name, phone_enc, phone_masked, email, marketing_consent, status \
             from members where id = $1",
        )
        .bind(member_id)
        .fetch_optional(p)
        .await?
    }))
}

/// Moves a message from state `from` to `to` in its own write; whether it was still in `from`.
pub async fn set_state(
    ctx: &Ctx,
    id: i64,
    from: &'static str,
    to: &'static str,
    error: Option<String>,
    next: Option<DateTime<Utc>>,
    scrub: bool,
) -> Result<bool, DbError> {
    let now = ts(ctx.now());
    ctx.db()
        .write(move |tx| {
            let error = error.clone();
            Box::pin(async move {
                let n = on_tx!(tx, |c| {
                    sqlx::query(
                        "update outbox set status = $1, last_error = $2, \
                         next_attempt_at = coalesce($3, next_attempt_at), \
                         attempts = attempts + case when $1 = 'sending' then 1 else 0 end, \
                         claimed_until = case when $1 = 'sending' then $4 else claimed_until end, \
                         sent_at = case when $1 = 'sent' then $4 else sent_at end, \
                         payload = case when $6 then '{}' else payload end \
                         where id = $5 and status = $7",
                    )
                    .bind(to)
                    .bind(&error)
                    .bind(next.map(ts))
                    .bind(now)
                    .bind(id)
                    .bind(scrub)
                    .bind(from)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                Ok::<_, DbError>(n == 1)
            })
        })
        .await
}
