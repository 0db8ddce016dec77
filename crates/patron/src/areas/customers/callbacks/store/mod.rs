//! The SQL of callbacks: the log (`customer_callbacks`, append-only), the cadence and the
//! overdue list (from `customers.last_contact_at`, never by scanning the log), escalations;
//! the holiday campaigns with their calls in `campaigns.rs`.

mod campaigns;

pub use campaigns::*;

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// What logging a callback needs to know of its customer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subject {
    pub id: i64,
    pub name: String,
    pub state: String,
    pub store_id: i64,
    pub owner_staff_id: Option<i64>,
}

pub async fn subject(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<Subject>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select id, name, state, store_id, owner_staff_id from customers where id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await?
    }))
}

/// A callback as logged.
pub struct NewCallback<'a> {
    pub customer_id: i64,
    pub at: DateTime<Utc>,
    pub way: &'a str,
    pub summary: &'a str,
    pub outcome: &'a str,
    pub next_step: &'a str,
    pub caller_staff_id: i64,
    pub owner_staff_id: Option<i64>,
    pub store_id: i64,
    pub biz_date: NaiveDate,
    pub request_key: Option<&'a str>,
    pub created_at: DateTime<Utc>,
}

/// Logs a callback; none when its request key was used already (a repeat sent at the same
/// moment as the first: the unique key decides inside the write).
pub async fn insert_callback(tx: &mut Tx, c: &NewCallback<'_>) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_callbacks (customer_id, at, way, summary, outcome, next_step, \
             caller_staff_id, owner_staff_id, store_id, biz_date, request_key, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             on conflict (request_key) do nothing returning id",
        )
        .bind(c.customer_id)
        .bind(ts(c.at))
        .bind(c.way)
        .bind(c.summary)
        .bind(c.outcome)
        .bind(c.next_step)
        .bind(c.caller_staff_id)
        .bind(c.owner_staff_id)
        .bind(c.store_id)
        .bind(c.biz_date)
        .bind(c.request_key)
        .bind(ts(c.created_at))
        .fetch_optional(x)
        .await?
    }))
}

/// The customer was contacted at `at`: the last contact moves forward (never back, a callback
/// may be logged late) and the warning that it would return to the pool is cleared.
pub async fn touch_customer(tx: &mut Tx, id: i64, at: DateTime<Utc>) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customers set last_contact_at = case when last_contact_at is null \
             or last_contact_at < $1 then $1 else last_contact_at end, pool_warned_on = null \
             where id = $2",
        )
        .bind(ts(at))
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// One line of the callback log (客户回访登记本), with its escalation if it raised one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallbackRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub at: DateTime<Utc>,
    pub biz_date: NaiveDate,
    pub way: String,
    pub summary: String,
    pub outcome: String,
    pub next_step: String,
    pub caller: String,
    pub caller_name: String,
    pub request_key: Option<String>,
    pub escalation_id: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

const CALLBACK_SELECT: &str = "select b.id, b.customer_id, c.name as customer_name, b.at, \
     b.biz_date, b.way, b.summary, b.outcome, b.next_step, s.username as caller, \
     s.display_name as caller_name, b.request_key, e.id as escalation_id, e.due_on, e.answer, \
     e.answered_at from customer_callbacks b join customers c on c.id = b.customer_id \
     join staff s on s.id = b.caller_staff_id left join customer_escalations e on e.callback_id = b.id";

/// The callback logged under `key` (a repeat of the same request).
pub async fn callback_by_key(tx: &mut Tx, key: &str) -> Result<Option<CallbackRow>, DbError> {
    let sql = format!("{CALLBACK_SELECT} where b.request_key = $1");
    Ok(on_tx!(tx, |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(key)
            .fetch_optional(x)
            .await?
    }))
}

pub async fn callback(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<CallbackRow>, DbError> {
    let sql = format!("{CALLBACK_SELECT} where b.id = $1");
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

/// Which callbacks the log shows.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub caller_staff_id: Option<i64>,
    /// Only the callbacks of customers this person owns now.
    pub owner_staff_id: Option<i64>,
    pub limit: i64,
}

/// One customer's callbacks, newest first (by its own index).
pub async fn customer_callbacks(
    db: &Db,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<CallbackRow>, DbError> {
    let sql = format!(
        "{CALLBACK_SELECT} where b.customer_id = $1 order by b.at desc, b.id desc limit $2"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(customer_id)
            .bind(limit)
            .fetch_all(p)
            .await?
    }))
}

/// The callback log, newest first.
pub async fn callbacks(db: &Db, f: &LogFilter) -> Result<Vec<CallbackRow>, DbError> {
    let sql = format!(
        "{CALLBACK_SELECT} where ($1 = 0 or b.caller_staff_id = $1) \
         and ($2 = 0 or c.owner_staff_id = $2) and b.biz_date >= $3 and b.biz_date <= $4 \
         order by b.at desc, b.id desc limit $5"
    );
    let from = f.from.unwrap_or_default();
    let to =
        f.to.or_else(|| NaiveDate::from_ymd_opt(9999, 12, 31))
            .unwrap_or_default();
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(f.caller_staff_id.unwrap_or(0))
            .bind(f.owner_staff_id.unwrap_or(0))
            .bind(from)
            .bind(to)
            .bind(f.limit)
            .fetch_all(p)
            .await?
    }))
}

/// A person who may appear in the caller filter.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// Staff who logged at least one callback.
pub async fn callers(db: &Db) -> Result<Vec<Person>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select id, username, display_name from staff s where exists \
             (select 1 from customer_callbacks b where b.caller_staff_id = s.id) order by display_name",
        )
        .fetch_all(p)
        .await?
    }))
}

/// The callback cadence in days per grade (A, B, C).
pub async fn cadence(db: &Db) -> Result<(i64, i64, i64), DbError> {
    let row: Option<(i64, i64, i64)> = on_db!(db, |p| {
        sqlx::query_as(
            "select cadence_a_days, cadence_b_days, cadence_c_days from customer_settings where id = 1",
        )
        .fetch_optional(p)
        .await?
    });
    Ok(row.unwrap_or((14, 14, 14)))
}

/// A customer whose callback is due: its last contact (or since when it is owned).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueRow {
    pub customer_id: i64,
    pub name: String,
    pub grade: String,
    pub owner_staff_id: i64,
    pub owner: String,
    pub owner_name: String,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub since: DateTime<Utc>,
}

/// Active owned customers not contacted since the limit of their grade (`limits` for A, B, C),
/// of one owner or all, longest-waiting first. One pass over `customers` (its last contact is
/// kept with it), never over the log; one owner's list reads the owner index (the dashboard
/// asks for it on every visit).
pub async fn due(
    db: &Db,
    limits: [DateTime<Utc>; 3],
    owner_staff_id: Option<i64>,
) -> Result<Vec<DueRow>, DbError> {
    let sql = format!(
        "select c.id as customer_id, c.name, c.grade, c.owner_staff_id, s.username as owner, \
         s.display_name as owner_name, c.last_contact_at, \
         coalesce(c.last_contact_at, c.owned_since, c.created_at) as since \
         from customers c join staff s on s.id = c.owner_staff_id \
         where c.state = 'active' and {} \
         and coalesce(c.last_contact_at, c.owned_since, c.created_at) < \
         case c.grade when 'A' then $1 when 'B' then $2 else $3 end \
         order by since, c.id",
        if owner_staff_id.is_some() {
            "c.owner_staff_id = $4"
        } else {
            "c.owner_staff_id is not null"
        }
    );
    Ok(on_db!(db, |p| {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(ts(limits[0]))
            .bind(ts(limits[1]))
            .bind(ts(limits[2]));
        match owner_staff_id {
            Some(id) => q.bind(id).fetch_all(p).await?,
            None => q.fetch_all(p).await?,
        }
    }))
}

/// An escalation as inserted.
pub struct NewEscalation<'a> {
    pub callback_id: i64,
    pub customer_id: i64,
    pub store_id: i64,
    pub problem: &'a str,
    pub raised_by: i64,
    pub raised_at: DateTime<Utc>,
    pub due_on: NaiveDate,
}

pub async fn insert_escalation(tx: &mut Tx, e: &NewEscalation<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into customer_escalations (callback_id, customer_id, store_id, problem, \
             raised_by, raised_at, due_on) values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(e.callback_id)
        .bind(e.customer_id)
        .bind(e.store_id)
        .bind(e.problem)
        .bind(e.raised_by)
        .bind(ts(e.raised_at))
        .bind(e.due_on)
        .fetch_one(x)
        .await?
    }))
}

/// An escalation with its customer, who raised it and who answered it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EscalationRow {
    pub id: i64,
    pub callback_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub store_id: i64,
    pub problem: String,
    pub raised_by: String,
    pub raised_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub answer: String,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

const ESCALATION_SELECT: &str = "select e.id, e.callback_id, e.customer_id, c.name as customer_name, \
     e.store_id, e.problem, r.display_name as raised_by, e.raised_at, e.due_on, e.answer, \
     a.display_name as answered_by, e.answered_at from customer_escalations e \
     join customers c on c.id = e.customer_id join staff r on r.id = e.raised_by \
     left join staff a on a.id = e.answered_by";

/// Escalations, open ones (by due date) or the latest answered ones.
pub async fn escalations(db: &Db, open: bool, limit: i64) -> Result<Vec<EscalationRow>, DbError> {
    let sql = if open {
        format!("{ESCALATION_SELECT} where e.answered_at is null order by e.due_on, e.id limit $1")
    } else {
        format!(
            "{ESCALATION_SELECT} where e.answered_at is not null order by e.answered_at desc, e.id desc limit $1"
        )
    };
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(limit)
            .fetch_all(p)
            .await?
    }))
}

pub async fn escalation(
    ex: impl Into<Exec<'_>>,
    id: i64,
) -> Result<Option<EscalationRow>, DbError> {
    let sql = format!("{ESCALATION_SELECT} where e.id = $1");
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

/// Answers an open escalation; 0 when it was answered already.
pub async fn answer_escalation(
    tx: &mut Tx,
    id: i64,
    answer: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update customer_escalations set answer = $1, answered_by = $2, answered_at = $3 \
             where id = $4 and answered_at is null",
        )
        .bind(answer)
        .bind(by)
        .bind(ts(at))
        .bind(id)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// Open escalations (and how many of them are past their due date on `today`).
pub async fn open_escalation_counts(db: &Db, today: NaiveDate) -> Result<(i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select cast(count(*) as bigint), cast(coalesce(sum(case when due_on < $1 then 1 else 0 end), 0) as bigint) \
             from customer_escalations where answered_at is null",
        )
        .bind(today)
        .fetch_one(p)
        .await?
    }))
}
