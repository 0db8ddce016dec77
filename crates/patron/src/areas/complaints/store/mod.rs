//! The SQL of complaints: the cases (`complaints`), their clocks (`complaint_clocks`), the
//! breaches (`complaint_breaches`, never deleted), callbacks, departments and settings; the
//! monthly analysis's counts in `analysis.rs`.
//!
//! Read-only, outside this area: `members` and `cards` (the complainant's member by card number
//! or phone lookup hash, and whether their tier is the top one, from `tiers`).

pub mod analysis;
pub mod bench;

use chrono::{DateTime, Utc};

use crate::kernel::db::{DbError, Exec, Tx, ts};
use crate::{on_exec, on_tx};

/// A case as stored, with its department's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintRow {
    pub id: i64,
    pub store_id: i64,
    pub channel: String,
    pub received_at: DateTime<Utc>,
    pub complainant: String,
    pub member_id: Option<i64>,
    pub card_no: Option<String>,
    pub phone_masked: Option<String>,
    pub top_tier: bool,
    pub content: String,
    pub category: String,
    pub wants: String,
    pub severity: String,
    pub major_reason: Option<String>,
    pub major_at: Option<DateTime<Utc>>,
    pub state: String,
    pub department: Option<String>,
    pub department_name: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub routed_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub plan: String,
    pub resolved_at: Option<DateTime<Utc>>,
    pub result: String,
    pub reported_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub satisfied: Option<bool>,
    pub rounds: i64,
    pub reopened: i64,
    pub typical: bool,
    pub typical_note: String,
    pub archived_at: Option<DateTime<Utc>>,
    pub request_key: Option<String>,
}

const SELECT: &str = "select c.id, c.store_id, c.channel, c.received_at, c.complainant, \
     c.member_id, c.card_no, c.phone_masked, c.top_tier, c.content, c.category, c.wants, \
     c.severity, c.major_reason, c.major_at, c.state, c.department, d.name as department_name, \
     c.acknowledged_at, c.routed_at, c.answered_at, c.plan, c.resolved_at, c.result, \
     c.reported_at, c.closed_at, c.satisfied, c.rounds, c.reopened, c.typical, c.typical_note, \
     c.archived_at, c.request_key \
     from complaints c left join complaint_departments d on d.code = c.department";

pub async fn complaint(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<ComplaintRow>, DbError> {
    let sql = format!("{SELECT} where c.id = $1");
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(x)
            .await?
    }))
}

pub async fn by_key(tx: &mut Tx, key: &str) -> Result<Option<ComplaintRow>, DbError> {
    let sql = format!("{SELECT} where c.request_key = $1");
    Ok(on_tx!(tx, |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(key)
            .fetch_optional(x)
            .await?
    }))
}

/// Which cases a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only the open ones (not closed), not archived: the board.
    pub open: bool,
    pub typical: bool,
    pub member_id: Option<i64>,
    /// Words in the content, the complainant, the plan or the result.
    pub text: Option<String>,
    pub store_ids: Option<Vec<i64>>,
    pub limit: i64,
}

pub async fn list(ex: impl Into<Exec<'_>>, f: &ListFilter) -> Result<Vec<ComplaintRow>, DbError> {
    let mut sql = format!("{SELECT} where 1 = 1");
    if f.open {
        sql.push_str(" and c.state <> 'closed' and c.archived_at is null");
    }
    if f.typical {
        sql.push_str(" and c.typical and c.archived_at is null");
    }
    // Both parameters are always named (PostgreSQL refuses unused ones).
    sql.push_str(
        " and ($1 is null or c.member_id = $1) and ($2 is null or c.content like $2 \
         or c.complainant like $2 or c.plan like $2 or c.result like $2 or c.typical_note like $2)",
    );
    if let Some(ids) = &f.store_ids {
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        sql.push_str(&format!(
            " and c.store_id in ({})",
            if ids.is_empty() {
                "0".into()
            } else {
                ids.join(",")
            }
        ));
    }
    sql.push_str(&format!(
        " order by c.received_at desc, c.id desc limit {}",
        f.limit.max(1)
    ));
    let like = f.text.as_ref().map(|t| format!("%{}%", t.replace('%', "")));
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(f.member_id)
            .bind(like.clone())
            .fetch_all(x)
            .await?
    }))
}

/// The member a card number or a phone's lookup hash names: (id, name, top tier).
pub async fn member_by(
    ex: impl Into<Exec<'_>>,
    card_no: Option<&str>,
    phone_hash: Option<&str>,
) -> Result<Option<(i64, String, bool)>, DbError> {
    let sql = "select m.id, m.name, cast(case when m.tier_code = \
         (select t.code from tiers t order by t.rank desc limit 1) then 1 else 0 end as bigint) as top \
         from members m where m.status <> 'closed' and \
         (m.id = (select k.member_id from cards k where k.card_no = $1) or m.phone_hash = $2) \
         order by m.id limit 1";
    let row: Option<(i64, String, i64)> = on_exec!(ex.into(), |x| {
        sqlx::query_as(sql)
            .bind(card_no)
            .bind(phone_hash)
            .fetch_optional(x)
            .await?
    });
    Ok(row.map(|(id, name, top)| (id, name, top == 1)))
}

/// Whether the member (or the phone) has another case not yet resolved: a repeated complaint.
pub async fn has_unresolved(
    tx: &mut Tx,
    member_id: Option<i64>,
    phone_hash: Option<&str>,
) -> Result<bool, DbError> {
    let n: i64 = on_tx!(tx, |x| {
        sqlx::query_scalar(
            "select count(*) from complaints where state in ('received', 'acknowledged', \
             'routed', 'answered') and ((member_id is not null and member_id = $1) \
             or (phone_hash is not null and phone_hash = $2))",
        )
        .bind(member_id)
        .bind(phone_hash)
        .fetch_one(x)
        .await?
    });
    Ok(n > 0)
}

/// A case as taken.
pub struct NewComplaint<'a> {
    pub store_id: i64,
    pub channel: &'a str,
    pub received_at: DateTime<Utc>,
    pub complainant: &'a str,
    pub member_id: Option<i64>,
    pub card_no: Option<&'a str>,
    pub phone: Option<(String, String, String)>,
    pub top_tier: bool,
    pub content: &'a str,
    pub category: &'a str,
    pub wants: &'a str,
    pub severity: &'a str,
    pub major_reason: Option<&'a str>,
    pub taken_by: Option<i64>,
    pub request_key: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Inserts a case; none when its request key was used already.
pub async fn insert(tx: &mut Tx, c: &NewComplaint<'_>) -> Result<Option<i64>, DbError> {
    let (enc, hash, masked) = match &c.phone {
        Some((e, h, m)) => (Some(e.as_str()), Some(h.as_str()), Some(m.as_str())),
        None => (None, None, None),
    };
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into complaints (store_id, channel, received_at, complainant, member_id, \
             card_no, phone_enc, phone_hash, phone_masked, top_tier, content, category, wants, \
             severity, major_reason, major_at, state, taken_by, request_key, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             case when $14 = 'major' then $3 else null end, 'received', $16, $17, $18) \
             on conflict (request_key) do nothing returning id",
        )
        .bind(c.store_id)
        .bind(c.channel)
        .bind(ts(c.received_at))
        .bind(c.complainant)
        .bind(c.member_id)
        .bind(c.card_no)
        .bind(enc)
        .bind(hash)
        .bind(masked)
        .bind(c.top_tier)
        .bind(c.content)
        .bind(c.category)
        .bind(c.wants)
        .bind(c.severity)
        .bind(c.major_reason)
        .bind(c.taken_by)
        .bind(c.request_key)
        .bind(ts(c.now))
        .fetch_optional(x)
        .await?
    }))
}

/// A step that moves a case; each update is guarded by the states it may start from, so of two
/// requests at once one moves the case and the other changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Acknowledge,
    Route,
    Answer,
    Resolve,
    Close,
    Reopen,
    Report,
}

impl Step {
    fn sql(self) -> &'static str {
        match self {
            Step::Acknowledge => {
                "update complaints set state = 'acknowledged', acknowledged_at = $2 \
                 where id = $1 and state = 'received'"
            }
            Step::Route => {
                "update complaints set state = 'routed', department = $3, routed_at = $2 \
                 where id = $1 and state in ('acknowledged', 'routed', 'answered') \
                 and (department is null or department <> $3)"
            }
            Step::Answer => {
                "update complaints set state = 'answered', plan = $3, answered_at = $2 \
                 where id = $1 and state = 'routed'"
            }
            Step::Resolve => {
                "update complaints set state = 'resolved', result = $3, resolved_at = $2, \
                 rounds = rounds + 1 where id = $1 and state in ('routed', 'answered')"
            }
            Step::Close => {
                "update complaints set state = 'closed', closed_at = $2, satisfied = true \
                 where id = $1 and state = 'resolved'"
            }
            Step::Reopen => {
                "update complaints set state = 'routed', routed_at = $2, satisfied = false, \
                 reopened = reopened + 1 where id = $1 and state = 'resolved'"
            }
            Step::Report => {
                "update complaints set reported_at = $2 where id = $1 and severity = 'major' \
                 and reported_at is null"
            }
        }
    }
}

/// Moves the case one step (`text`: the department, plan or result the step names); whether
/// this request moved it.
pub async fn step(
    tx: &mut Tx,
    step: Step,
    id: i64,
    at: DateTime<Utc>,
    text: Option<&str>,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        let q = sqlx::query(step.sql()).bind(id).bind(ts(at));
        let q = match text {
            Some(t) => q.bind(t),
            None => q,
        };
        q.execute(x).await?.rows_affected()
    }) == 1)
}

/// Marks or unmarks a typical case, with its note.
pub async fn set_typical(tx: &mut Tx, id: i64, typical: bool, note: &str) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query("update complaints set typical = $2, typical_note = $3 where id = $1")
            .bind(id)
            .bind(typical)
            .bind(note)
            .execute(x)
            .await?
            .rows_affected()
    }))
}

/// One run of a clock on a case.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClockRow {
    pub id: i64,
    pub complaint_id: i64,
    pub clock: String,
    pub round: i64,
    pub department: Option<String>,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub breached_at: Option<DateTime<Utc>>,
}

const CLOCK_SELECT: &str = "select id, complaint_id, clock, round, department, started_at, \
     due_at, met_at, stopped_at, breached_at from complaint_clocks";

pub async fn clocks(ex: impl Into<Exec<'_>>, complaint_id: i64) -> Result<Vec<ClockRow>, DbError> {
    let sql = format!("{CLOCK_SELECT} where complaint_id = $1 order by started_at, id");
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(complaint_id)
            .fetch_all(x)
            .await?
    }))
}

/// The running clocks (not met, not stopped) of the open, unarchived cases of `stores`.
pub async fn running_clocks(
    ex: impl Into<Exec<'_>>,
    store_ids: &[i64],
) -> Result<Vec<ClockRow>, DbError> {
    let ids: Vec<String> = store_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "select k.id, k.complaint_id, k.clock, k.round, k.department, k.started_at, k.due_at, \
         k.met_at, k.stopped_at, k.breached_at from complaint_clocks k \
         join complaints c on c.id = k.complaint_id where k.met_at is null \
         and k.stopped_at is null and c.archived_at is null and c.state <> 'closed' \
         and c.store_id in ({}) order by k.due_at",
        if ids.is_empty() {
            "0".into()
        } else {
            ids.join(",")
        }
    );
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(x)
            .await?
    }))
}

/// The running run of `clock` on the case, if any.
pub async fn running(
    tx: &mut Tx,
    complaint_id: i64,
    clock: &str,
) -> Result<Option<ClockRow>, DbError> {
    let sql = format!(
        "{CLOCK_SELECT} where complaint_id = $1 and clock = $2 and met_at is null \
         and stopped_at is null order by round desc limit 1"
    );
    Ok(on_tx!(tx, |x| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(complaint_id)
            .bind(clock)
            .fetch_optional(x)
            .await?
    }))
}

/// Starts the next run of `clock`; its id.
pub async fn start_clock(
    tx: &mut Tx,
    complaint_id: i64,
    clock: &str,
    department: Option<&str>,
    started_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into complaint_clocks (complaint_id, clock, round, department, started_at, \
             due_at) values ($1, $2, (select coalesce(max(round), -1) + 1 from complaint_clocks \
             where complaint_id = $1 and clock = $2), $3, $4, $5) returning id",
        )
        .bind(complaint_id)
        .bind(clock)
        .bind(department)
        .bind(ts(started_at))
        .bind(ts(due_at))
        .fetch_one(x)
        .await?
    }))
}

/// Ends a running clock: met (`met`) or stopped; whether it was still running.
pub async fn end_clock(
    tx: &mut Tx,
    id: i64,
    at: DateTime<Utc>,
    met: bool,
) -> Result<bool, DbError> {
    let sql = if met {
        "update complaint_clocks set met_at = $2 where id = $1 and met_at is null and stopped_at is null"
    } else {
        "update complaint_clocks set stopped_at = $2 where id = $1 and met_at is null and stopped_at is null"
    };
    Ok(on_tx!(tx, |x| {
        sqlx::query(sql)
            .bind(id)
            .bind(ts(at))
            .execute(x)
            .await?
            .rows_affected()
    }) == 1)
}

/// Marks the clock breached; false when it was marked already (another run got there first).
pub async fn mark_breached(tx: &mut Tx, id: i64, at: DateTime<Utc>) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update complaint_clocks set breached_at = $2 where id = $1 and breached_at is null",
        )
        .bind(id)
        .bind(ts(at))
        .execute(x)
        .await?
        .rows_affected()
    }) == 1)
}

/// Records the breach of a clock (once: keyed by the clock).
pub async fn insert_breach(
    tx: &mut Tx,
    k: &ClockRow,
    store_id: i64,
    met_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "insert into complaint_breaches (clock_id, complaint_id, store_id, clock, department, \
             due_at, met_at, recorded_at) values ($1, $2, $3, $4, $5, $6, $7, $8) \
             on conflict (clock_id) do nothing",
        )
        .bind(k.id)
        .bind(k.complaint_id)
        .bind(store_id)
        .bind(&k.clock)
        .bind(&k.department)
        .bind(ts(k.due_at))
        .bind(met_at.map(ts))
        .bind(ts(now))
        .execute(x)
        .await?
        .rows_affected()
    }) == 1)
}

/// A late clock was met at last: its breach keeps the record and gains the time.
pub async fn breach_met(tx: &mut Tx, clock_id: i64, at: DateTime<Utc>) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update complaint_breaches set met_at = $2 where clock_id = $1 and met_at is null",
        )
        .bind(clock_id)
        .bind(ts(at))
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// A breach as the case shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BreachRow {
    pub clock: String,
    pub department: Option<String>,
    pub due_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
    pub recorded_at: DateTime<Utc>,
}

pub async fn breaches(
    ex: impl Into<Exec<'_>>,
    complaint_id: i64,
) -> Result<Vec<BreachRow>, DbError> {
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(
            "select clock, department, due_at, met_at, recorded_at from complaint_breaches \
             where complaint_id = $1 order by due_at, id",
        )
        .bind(complaint_id)
        .fetch_all(x)
        .await?
    }))
}

/// Clocks past due and not yet breached, oldest first: (clock, the case's store).
pub async fn due_clocks(
    ex: impl Into<Exec<'_>>,
    now: DateTime<Utc>,
    after_id: i64,
    limit: i64,
) -> Result<Vec<(ClockRow, i64)>, DbError> {
    #[derive(sqlx::FromRow)]
    struct Due {
        #[sqlx(flatten)]
        clock: ClockRow,
        store_id: i64,
    }
    let rows: Vec<Due> = on_exec!(ex.into(), |x| {
        sqlx::query_as(
            "select k.id, k.complaint_id, k.clock, k.round, k.department, k.started_at, \
             k.due_at, k.met_at, k.stopped_at, k.breached_at, c.store_id from complaint_clocks k \
             join complaints c on c.id = k.complaint_id where k.met_at is null \
             and k.stopped_at is null and k.breached_at is null and k.due_at <= $1 and k.id > $2 \
             order by k.id limit $3",
        )
        .bind(ts(now))
        .bind(after_id)
        .bind(limit)
        .fetch_all(x)
        .await?
    });
    Ok(rows.into_iter().map(|d| (d.clock, d.store_id)).collect())
}

/// Minor cases unresolved since before `before`: to become major.
pub async fn overdue_minor(
    ex: impl Into<Exec<'_>>,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_scalar(
            "select id from complaints where severity = 'minor' and state in ('received', \
             'acknowledged', 'routed', 'answered') and archived_at is null and received_at <= $1 \
             order by id limit $2",
        )
        .bind(ts(before))
        .bind(limit)
        .fetch_all(x)
        .await?
    }))
}

/// Makes a minor case major (guarded: once).
pub async fn make_major(
    tx: &mut Tx,
    id: i64,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update complaints set severity = 'major', major_reason = $2, major_at = $3 \
             where id = $1 and severity = 'minor'",
        )
        .bind(id)
        .bind(reason)
        .bind(ts(at))
        .execute(x)
        .await?
        .rows_affected()
    }) == 1)
}

/// Closed cases received before `before` leave the working lists (nothing is deleted).
pub async fn archive(
    tx: &mut Tx,
    before: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update complaints set archived_at = $2 where archived_at is null \
             and state = 'closed' and received_at < $1",
        )
        .bind(ts(before))
        .bind(ts(at))
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// A callback after a resolution.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallbackRow {
    pub round: i64,
    pub satisfied: bool,
    pub remarks: String,
    pub at: DateTime<Utc>,
}

pub async fn callbacks(
    ex: impl Into<Exec<'_>>,
    complaint_id: i64,
) -> Result<Vec<CallbackRow>, DbError> {
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(
            "select round, satisfied, remarks, at from complaint_callbacks \
             where complaint_id = $1 order by round",
        )
        .bind(complaint_id)
        .fetch_all(x)
        .await?
    }))
}

/// Records the callback of resolution `round`; false when it was recorded already.
pub async fn insert_callback(
    tx: &mut Tx,
    complaint_id: i64,
    round: i64,
    satisfied: bool,
    remarks: &str,
    at: DateTime<Utc>,
    staff_id: Option<i64>,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "insert into complaint_callbacks (complaint_id, round, satisfied, remarks, at, \
             staff_id) values ($1, $2, $3, $4, $5, $6) on conflict (complaint_id, round) do nothing",
        )
        .bind(complaint_id)
        .bind(round)
        .bind(satisfied)
        .bind(remarks)
        .bind(ts(at))
        .bind(staff_id)
        .execute(x)
        .await?
        .rows_affected()
    }) == 1)
}

/// A department a case may be routed to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepartmentRow {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub position: i64,
}

pub async fn departments(ex: impl Into<Exec<'_>>) -> Result<Vec<DepartmentRow>, DbError> {
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(
            "select code, name, active, position from complaint_departments order by position, code",
        )
        .fetch_all(x)
        .await?
    }))
}

/// Adds or renames a department (codes are kept: stored cases name them).
pub async fn save_department(
    tx: &mut Tx,
    code: &str,
    name: &str,
    active: bool,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "insert into complaint_departments (code, name, active, position) values ($1, $2, $3, \
             (select coalesce(max(position), 0) + 1 from complaint_departments)) \
             on conflict (code) do update set name = excluded.name, active = excluded.active",
        )
        .bind(code)
        .bind(name)
        .bind(active)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// The settings row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SettingsRow {
    pub acknowledge_minutes: i64,
    pub route_minutes: i64,
    pub plan_minutes: i64,
    pub result_minutes: i64,
    pub report_minutes: i64,
    pub resolve_minutes: i64,
    pub feedback_minutes: i64,
    pub callback_minutes: i64,
    pub escalate_days: i64,
    pub archive_months: i64,
}

pub async fn settings(ex: impl Into<Exec<'_>>) -> Result<Option<SettingsRow>, DbError> {
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(
            "select acknowledge_minutes, route_minutes, plan_minutes, result_minutes, \
             report_minutes, resolve_minutes, feedback_minutes, callback_minutes, escalate_days, \
             archive_months from complaint_settings where id = 1",
        )
        .fetch_optional(x)
        .await?
    }))
}

pub async fn save_settings(
    tx: &mut Tx,
    s: &SettingsRow,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update complaint_settings set acknowledge_minutes = $1, route_minutes = $2, \
             plan_minutes = $3, result_minutes = $4, report_minutes = $5, resolve_minutes = $6, \
             feedback_minutes = $7, callback_minutes = $8, escalate_days = $9, \
             archive_months = $10, updated_by = $11, updated_at = $12 where id = 1",
        )
        .bind(s.acknowledge_minutes)
        .bind(s.route_minutes)
        .bind(s.plan_minutes)
        .bind(s.result_minutes)
        .bind(s.report_minutes)
        .bind(s.resolve_minutes)
        .bind(s.feedback_minutes)
        .bind(s.callback_minutes)
        .bind(s.escalate_days)
        .bind(s.archive_months)
        .bind(by)
        .bind(ts(at))
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// The open cases at a store, and how many of them have a clock past due now.
pub async fn open_counts(
    ex: impl Into<Exec<'_>>,
    store_id: i64,
    now: DateTime<Utc>,
) -> Result<(i64, i64), DbError> {
    Ok(on_exec!(ex.into(), |x| {
        sqlx::query_as(
            "select count(*), cast(coalesce(sum(case when exists (select 1 from complaint_clocks k \
             where k.complaint_id = c.id and k.met_at is null and k.stopped_at is null \
             and k.due_at <= $2) then 1 else 0 end), 0) as bigint) from complaints c \
             where c.store_id = $1 and c.state <> 'closed' and c.archived_at is null",
        )
        .bind(store_id)
        .bind(ts(now))
        .fetch_one(x)
        .await?
    }))
}

/// An active card of a member of the top tier (`top`) or of any other tier: the demo's
/// complainants.
pub async fn some_card(db: &crate::kernel::db::Db, top: bool) -> Result<Option<String>, DbError> {
    Ok(crate::on_db!(db, |p| {
        sqlx::query_scalar(
            "select k.card_no from cards k join members m on m.id = k.member_id \
             where k.state = 'active' and m.status <> 'closed' and (m.tier_code = \
             (select t.code from tiers t order by t.rank desc limit 1)) = $1 \
             order by k.card_no limit 1",
        )
        .bind(top)
        .fetch_optional(p)
        .await?
    }))
}
