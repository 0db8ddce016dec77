//! The SQL of care schedules and the job that works them: reading new receipts (the points
//! area's `receipts`, read-only) after the cursor, storing one schedule per receipt, the
//! schedules due, moving a schedule on (guarded by the step it was at), and the tasks due
//! steps become.

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// A till receipt the care job looks at.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReceiptSeen {
    pub id: i64,
    pub member_id: i64,
    pub store_id: i64,
    pub receipt_no: String,
    pub total_fen: i64,
    pub tier_code: String,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// Where the job has read the receipts up to.
pub async fn cursor(ex: impl Into<Exec<'_>>) -> Result<i64, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_scalar("select receipt_id from care_cursor where id = 1")
            .fetch_one(c)
            .await?
    }))
}

/// Moves the cursor from `from` to `to`; false when another run moved it first.
pub async fn move_cursor(tx: &mut Tx, from: i64, to: i64) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query("update care_cursor set receipt_id = $1 where id = 1 and receipt_id = $2")
            .bind(to)
            .bind(from)
            .execute(c)
            .await?
            .rows_affected()
            == 1
    }))
}

/// Till receipts of something after receipt `after`, oldest first (the points area's table,
/// read-only; a receipt of nothing is no purchase).
pub async fn receipts_after(db: &Db, after: i64, limit: i64) -> Result<Vec<ReceiptSeen>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, member_id, store_id, receipt_no, total_fen, tier_code, occurred_at, \
             created_at from receipts where id > $1 and source = 'till' and total_fen > 0 \
             order by id limit $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// A schedule to store.
pub struct NewSchedule<'a> {
    pub r: &'a ReceiptSeen,
    pub next_due_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// Stores the schedule of a receipt; none when the receipt has one already.
pub async fn insert_schedule(tx: &mut Tx, s: &NewSchedule<'_>) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into care_schedules (member_id, receipt_id, store_id, receipt_no, total_fen, \
             tier_code, purchased_at, created_at, state, next_step, next_due_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'active', 0, $9) \
             on conflict (receipt_id) do nothing returning id",
        )
        .bind(s.r.member_id)
        .bind(s.r.id)
        .bind(s.r.store_id)
        .bind(&s.r.receipt_no)
        .bind(s.r.total_fen)
        .bind(&s.r.tier_code)
        .bind(ts(s.r.occurred_at))
        .bind(ts(s.now))
        .bind(s.next_due_at.map(ts))
        .fetch_optional(c)
        .await?
    }))
}

/// The member's latest purchase with a schedule other than `except`, when it is later than
/// `at` (a receipt that arrived late is superseded by it at once).
pub async fn later_schedule(
    tx: &mut Tx,
    member_id: i64,
    except: i64,
    at: DateTime<Utc>,
) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "select id from care_schedules where member_id = $1 and id <> $2 \
             and purchased_at > $3 order by purchased_at desc, id desc limit 1",
        )
        .bind(member_id)
        .bind(except)
        .bind(ts(at))
        .fetch_optional(c)
        .await?
    }))
}

/// The phone steps of the member's schedules for purchases up to `at` (other than `by`) are
/// superseded by schedule `by`: the ones not yet due never come, the open calls close as
/// superseded, and a schedule with only calls left is finished. Returns the schedules changed.
pub async fn supersede_calls(
    tx: &mut Tx,
    member_id: i64,
    by: i64,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let now = ts(now);
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update care_tasks set state = 'superseded', done_at = $1 where state = 'open' \
             and step like 'call%' and schedule_id in (select id from care_schedules \
             where member_id = $2 and id <> $3 and purchased_at <= $4)",
        )
        .bind(now)
        .bind(member_id)
        .bind(by)
        .bind(ts(at))
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "update care_schedules set superseded_by = $1, superseded_at = $2, \
             state = case when state = 'active' and next_step >= 3 then 'finished' else state end, \
             next_due_at = case when next_step >= 3 then null else next_due_at end \
             where member_id = $3 and id <> $1 and purchased_at <= $4 and superseded_by is null",
        )
        .bind(by)
        .bind(now)
        .bind(member_id)
        .bind(ts(at))
        .execute(&mut *c)
        .await?
        .rows_affected()
    }))
}

/// Marks schedule `id` superseded by `by` (it arrived after a later purchase's).
pub async fn mark_superseded(
    tx: &mut Tx,
    id: i64,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update care_schedules set superseded_by = $1, superseded_at = $2 where id = $3",
        )
        .bind(by)
        .bind(ts(now))
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// A schedule whose next step is due, with what the job needs of its member.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueSchedule {
    pub id: i64,
    pub member_id: i64,
    pub store_id: i64,
    pub purchased_at: DateTime<Utc>,
    pub next_step: i64,
    pub superseded: bool,
    pub member_status: String,
    pub marketing_consent: bool,
}

/// Active schedules whose next step is due at `now`, the longest-waiting first.
pub async fn due(db: &Db, now: DateTime<Utc>, limit: i64) -> Result<Vec<DueSchedule>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select s.id, s.member_id, s.store_id, s.purchased_at, s.next_step, \
             s.superseded_by is not null as superseded, m.status as member_status, \
             m.marketing_consent from care_schedules s join members m on m.id = s.member_id \
             where s.state = 'active' and s.next_due_at <= $1 \
             order by s.next_due_at, s.id limit $2",
        )
        .bind(ts(now))
        .bind(limit)
        .fetch_all(p)
        .await?
    }))
}

/// Moves schedule `id` on from step `from` (guarded: false when another run moved it first).
pub async fn advance(
    tx: &mut Tx,
    id: i64,
    from: i64,
    to: i64,
    next_due_at: Option<DateTime<Utc>>,
    state: &str,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update care_schedules set next_step = $1, next_due_at = $2, state = $3 \
             where id = $4 and next_step = $5 and state = 'active'",
        )
        .bind(to)
        .bind(next_due_at.map(ts))
        .bind(state)
        .bind(id)
        .bind(from)
        .execute(c)
        .await?
        .rows_affected()
            == 1
    }))
}

/// A task a due step becomes.
pub struct NewTask<'a> {
    pub schedule_id: i64,
    pub member_id: i64,
    pub step: &'a str,
    pub due_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub state: &'a str,
    pub outcome: &'a str,
}

/// Stores a task; false when the schedule has it already.
pub async fn insert_task(tx: &mut Tx, t: &NewTask<'_>) -> Result<bool, DbError> {
    let done_at = (t.state != "open").then_some(ts(t.now));
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "insert into care_tasks (schedule_id, member_id, step, due_at, created_at, state, \
             outcome, done_at) values ($1, $2, $3, $4, $5, $6, $7, $8) \
             on conflict (schedule_id, step) do nothing",
        )
        .bind(t.schedule_id)
        .bind(t.member_id)
        .bind(t.step)
        .bind(ts(t.due_at))
        .bind(ts(t.now))
        .bind(t.state)
        .bind(t.outcome)
        .bind(done_at)
        .execute(c)
        .await?
        .rows_affected()
            == 1
    }))
}

/// One of a member's schedules, as the care page and the API list them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScheduleRow {
    pub id: i64,
    pub member_id: i64,
    pub store_id: i64,
    pub receipt_no: String,
    pub total_fen: i64,
    pub tier_code: String,
    pub purchased_at: DateTime<Utc>,
    pub state: String,
    pub next_step: i64,
    pub superseded_by: Option<i64>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: String,
}

/// The member's schedules, newest purchase first.
pub async fn of_member(
    ex: impl Into<Exec<'_>>,
    member_id: i64,
) -> Result<Vec<ScheduleRow>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select id, member_id, store_id, receipt_no, total_fen, tier_code, purchased_at, \
             state, next_step, superseded_by, cancelled_at, cancel_reason from care_schedules \
             where member_id = $1 order by purchased_at desc, id desc",
        )
        .bind(member_id)
        .fetch_all(c)
        .await?
    }))
}

pub async fn schedule(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<ScheduleRow>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select id, member_id, store_id, receipt_no, total_fen, tier_code, purchased_at, \
             state, next_step, superseded_by, cancelled_at, cancel_reason from care_schedules \
             where id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

/// Cancels an active schedule: its steps not yet due never come, its open calls close.
pub async fn cancel(
    tx: &mut Tx,
    id: i64,
    by: Option<i64>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let now = ts(now);
    Ok(on_tx!(tx, |c| {
        let n = sqlx::query(
            "update care_schedules set state = 'cancelled', next_due_at = null, cancelled_at = $1, \
             cancelled_by = $2, cancel_reason = $3 where id = $4 and state = 'active'",
        )
        .bind(now)
        .bind(by)
        .bind(reason)
        .bind(id)
        .execute(&mut *c)
        .await?
        .rows_affected();
        if n == 1 {
            sqlx::query(
                "update care_tasks set state = 'cancelled', done_at = $1, done_by = $2 \
                 where schedule_id = $3 and state = 'open'",
            )
            .bind(now)
            .bind(by)
            .bind(id)
            .execute(&mut *c)
            .await?;
        }
        n == 1
    }))
}
