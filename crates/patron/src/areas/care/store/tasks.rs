//! The SQL of care tasks: the open calls of an advisor's members (the advisor joined as it is
//! now, never stored on the task), a member's tasks, completing a call (guarded by its state).

use chrono::{DateTime, Utc};

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// A task as the lists show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub schedule_id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub card_no: Option<String>,
    pub phone_masked: Option<String>,
    pub store_id: i64,
    pub receipt_no: String,
    pub total_fen: i64,
    pub purchased_at: DateTime<Utc>,
    pub step: String,
    pub due_at: DateTime<Utc>,
    pub state: String,
    pub outcome: String,
    pub remarks: String,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by_name: Option<String>,
    pub done_by_username: Option<String>,
    pub advisor_id: Option<i64>,
    pub advisor: Option<String>,
    pub advisor_name: Option<String>,
}

const TASK: &str = "select t.id, t.schedule_id, t.member_id, m.name as member_name, c.card_no, \
     m.phone_masked, s.store_id, s.receipt_no, s.total_fen, s.purchased_at, t.step, t.due_at, \
     t.state, t.outcome, t.remarks, t.done_at, d.display_name as done_by_name, \
     d.username as done_by_username, a.staff_id as advisor_id, sa.username as advisor, \
     sa.display_name as advisor_name from care_tasks t \
     join care_schedules s on s.id = t.schedule_id join members m on m.id = t.member_id \
     left join cards c on c.member_id = m.id and c.state in ('issued', 'active', 'frozen') \
     left join care_advisors a on a.member_id = t.member_id left join staff sa on sa.id = a.staff_id \
     left join staff d on d.id = t.done_by";

/// Which open calls to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenFilter {
    /// Only the members whose current advisor is this staff member.
    pub advisor: Option<i64>,
    /// Only the members with no advisor.
    pub unassigned: bool,
    pub limit: i64,
}

/// Open calls of active members, the oldest due first.
pub async fn open(db: &Db, f: OpenFilter) -> Result<Vec<TaskRow>, DbError> {
    let sql = format!(
        "{TASK} where t.state = 'open' and m.status = 'active' \
         and ($1 is null or a.staff_id = $1) and ($2 = false or a.staff_id is null) \
         order by t.due_at, t.id limit $3"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(f.advisor)
            .bind(f.unassigned)
            .bind(f.limit)
            .fetch_all(p)
            .await?
    }))
}

/// How many open calls wait for the advisor `staff_id`, and how many of them were due before
/// `overdue_before`.
pub async fn open_count(
    db: &Db,
    staff_id: i64,
    overdue_before: DateTime<Utc>,
) -> Result<(i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select cast(count(*) as bigint), \
             cast(coalesce(sum(case when t.due_at < $2 then 1 else 0 end), 0) as bigint) \
             from care_tasks t join care_advisors a on a.member_id = t.member_id \
             join members m on m.id = t.member_id \
             where t.state = 'open' and m.status = 'active' and a.staff_id = $1",
        )
        .bind(staff_id)
        .bind(ts(overdue_before))
        .fetch_one(p)
        .await?
    }))
}

pub async fn task(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<TaskRow>, DbError> {
    let sql = format!("{TASK} where t.id = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

/// The member's tasks, the latest due first.
pub async fn of_member(db: &Db, member_id: i64) -> Result<Vec<TaskRow>, DbError> {
    let sql = format!("{TASK} where t.member_id = $1 order by t.due_at desc, t.id desc");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(member_id)
            .fetch_all(p)
            .await?
    }))
}

/// Records an open call done with its outcome; false when it was no longer open.
pub async fn complete(
    tx: &mut Tx,
    id: i64,
    outcome: &str,
    remarks: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update care_tasks set state = 'done', outcome = $1, remarks = $2, done_at = $3, \
             done_by = $4 where id = $5 and state = 'open'",
        )
        .bind(outcome)
        .bind(remarks)
        .bind(ts(now))
        .bind(by)
        .bind(id)
        .execute(c)
        .await?
        .rows_affected()
            == 1
    }))
}
