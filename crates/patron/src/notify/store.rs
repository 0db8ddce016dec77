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
    pub to_store_id: Option<i64>,
    pub to_staff_id: Option<i64>,
    pub dedupe_key: String,
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

/// Inserts a message unless its dedupe key is queued already; whether it was new. `to` is the
/// store and the staff member it goes to, if it goes to either.
pub async fn insert(
    tx: &mut Tx,
    m: &NewMessage<'_>,
    to: (Option<i64>, Option<i64>),
) -> Result<bool, DbError> {
    let payload = m.payload.to_string();
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into outbox (member_id, kind, channel, dedupe_key, payload, marketing, status, \
             next_attempt_at, created_at, to_store_id, to_staff_id) \
             values ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $8, $9) \
             on conflict (dedupe_key) do nothing",
        )
        .bind(m.member_id)
        .bind(m.kind)
        .bind(m.channel)
        .bind(&m.dedupe_key)
        .bind(&payload)
        .bind(m.marketing)
        .bind(ts(m.at))
        .bind(to.0)
        .bind(to.1)
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
            "select id, member_id, kind, channel, payload, marketing, attempts, to_store_id, \
             to_staff_id, dedupe_key from outbox where status = 'pending' and next_attempt_at <= $1 order by id limit $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// The member a message goes to; `marketing_consent` is their answer for the message's channel
/// (`marketing_consents`, else the application's answer).
pub async fn recipient(
    db: &Db,
    member_id: i64,
    channel: &str,
) -> Result<Option<Recipient>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select name, phone_enc, phone_masked, email, \
             coalesce((select k.consent from marketing_consents k where k.member_id = members.id \
             and k.channel = $2), marketing_consent) as marketing_consent, status \
             from members where id = $1",
        )
        .bind(member_id)
        .bind(channel)
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

/// A store as a notice's addressee: its name and notice e-mail address ('' when none).
pub async fn store_address(db: &Db, id: i64) -> Result<Option<(String, String)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select name, email from stores where id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// A staff member as a notice's addressee: name, and whether the account is disabled.
pub async fn staff_addressee(db: &Db, id: i64) -> Result<Option<(String, bool)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select display_name, disabled from staff where id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    pub event: String,
    pub lang: String,
    pub subject: String,
    pub body: String,
}

/// Every edited message text.
pub async fn templates(db: &Db) -> Result<Vec<TemplateRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select event, lang, subject, body from message_templates")
            .fetch_all(p)
            .await?
    }))
}

/// The edited text of one event and language, read inside a write (the audit's "before").
pub async fn template_in(
    tx: &mut Tx,
    event: &str,
    lang: &str,
) -> Result<Option<TemplateRow>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "select event, lang, subject, body from message_templates where event = $1 and lang = $2",
        )
        .bind(event)
        .bind(lang)
        .fetch_optional(c)
        .await?
    }))
}

/// Stores the edited text of one event and language.
pub async fn save_template(
    tx: &mut Tx,
    row: &TemplateRow,
    staff_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into message_templates (event, lang, subject, body, updated_by, updated_at) \
             values ($1, $2, $3, $4, $5, $6) on conflict (event, lang) do update set \
             subject = excluded.subject, body = excluded.body, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        )
        .bind(&row.event)
        .bind(&row.lang)
        .bind(&row.subject)
        .bind(&row.body)
        .bind(staff_id)
        .bind(ts(at))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Forgets the edited text of one event and language (the built-in one is used again).
pub async fn delete_template(tx: &mut Tx, event: &str, lang: &str) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query("delete from message_templates where event = $1 and lang = $2")
            .bind(event)
            .bind(lang)
            .execute(c)
            .await?
            .rows_affected()
    }))
}

/// The notices a staff member sees: to them, or to a store they hold a role at.
const MINE: &str = "o.channel in ('store', 'staff') and (o.to_staff_id = $1 or o.to_store_id in \
     (select store_id from staff_roles where staff_id = $1))";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub created_at: DateTime<Utc>,
    pub to_store_id: Option<i64>,
    pub addressee: String,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of one staff member's notices, newest first.
pub async fn notices(
    db: &Db,
    staff_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<NoticeRow>, DbError> {
    let sql = format!(
        "select o.id, o.kind, o.payload, o.created_at, o.to_store_id, \
         coalesce(s.name, st.display_name, '') as addressee, r.read_at \
         from outbox o left join stores s on s.id = o.to_store_id \
         left join staff st on st.id = o.to_staff_id \
         left join notice_reads r on r.outbox_id = o.id and r.staff_id = $1 \
         where {MINE} order by o.id desc limit $2 offset $3"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(staff_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?
    }))
}

/// How many of a staff member's notices they have not read, and how many there are.
pub async fn notice_counts(db: &Db, staff_id: i64) -> Result<(i64, i64), DbError> {
    let sql = format!(
        "select cast(count(*) - count(r.outbox_id) as bigint), cast(count(*) as bigint) \
         from outbox o left join notice_reads r on r.outbox_id = o.id and r.staff_id = $1 \
         where {MINE}"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(staff_id)
            .fetch_one(p)
            .await?
    }))
}

/// Marks notices read for a staff member: one (`Some(id)`), or every one of theirs. Only their
/// own notices can be marked; how many were newly read.
pub async fn mark_read(
    tx: &mut Tx,
    staff_id: i64,
    id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<u64, DbError> {
    let sql = format!(
        "insert into notice_reads (outbox_id, staff_id, read_at) \
         select o.id, $1, $2 from outbox o where {MINE} and ($3 is null or o.id = $3) \
         on conflict (outbox_id, staff_id) do nothing"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(staff_id)
            .bind(ts(at))
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    }))
}

/// A row of the outbox as the console lists it (addresses are masked by the caller).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub channel: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub member_id: Option<i64>,
    pub member_name: Option<String>,
    pub phone_masked: Option<String>,
    pub member_email: Option<String>,
    pub store_name: Option<String>,
    pub store_email: Option<String>,
    pub staff_name: Option<String>,
}

/// What the outbox page selects: a state (`queued`, `retried`, or a status; '' for all) and
/// created in [from, until).
pub struct OutboxFilter {
    pub state: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

const OUTBOX_WHERE: &str = "($1 = '' \
     or ($1 = 'queued' and o.status = 'pending' and o.attempts = 0) \
     or ($1 = 'retried' and o.status = 'pending' and o.attempts > 0) \
     or ($1 not in ('queued', 'retried') and o.status = $1)) \
     and o.created_at >= $2 and o.created_at < $3";

/// A page of the outbox, newest first, and how many rows the filter selects.
pub async fn outbox(
    db: &Db,
    f: &OutboxFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OutboxRow>, i64), DbError> {
    let sql = format!(
        "select o.id, o.kind, o.channel, o.status, o.attempts, o.created_at, o.sent_at, \
         o.next_attempt_at, o.last_error, o.member_id, m.name as member_name, m.phone_masked, \
         m.email as member_email, s.name as store_name, s.email as store_email, \
         st.display_name as staff_name \
         from outbox o left join members m on m.id = o.member_id \
         left join stores s on s.id = o.to_store_id left join staff st on st.id = o.to_staff_id \
         where {OUTBOX_WHERE} order by o.id desc limit $4 offset $5"
    );
    let count = format!("select cast(count(*) as bigint) from outbox o where {OUTBOX_WHERE}");
    let rows = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(&f.state)
            .bind(ts(f.from))
            .bind(ts(f.until))
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?
    });
    let total: i64 = on_db!(db, |p| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(count.clone()))
            .bind(&f.state)
            .bind(ts(f.from))
            .bind(ts(f.until))
            .fetch_one(p)
            .await?
    });
    Ok((rows, total))
}

/// Marks a pending notice delivered to the inbox, inside a write; whether it was still pending.
pub async fn mark_delivered(tx: &mut Tx, id: i64, at: DateTime<Utc>) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update outbox set status = 'sent', sent_at = $2, attempts = attempts + 1, \
             last_error = null where id = $1 and status = 'pending'",
        )
        .bind(id)
        .bind(ts(at))
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Puts a message left in `sending` (a crash between hand-over and record) back in the queue,
/// or marks it failed, as a person decided; false when it was no longer `sending`.
pub async fn settle_stuck(
    tx: &mut Tx,
    id: i64,
    resend: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update outbox set status = $1, last_error = $2, next_attempt_at = $3 \
             where id = $4 and status = 'sending'",
        )
        .bind(if resend { "pending" } else { "failed" })
        .bind(if resend {
            "put back in the queue by staff"
        } else {
            "marked failed by staff"
        })
        .bind(ts(now))
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}
