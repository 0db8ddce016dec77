//! The rotation area's SQL: teams with their stored board and version, the event log, the
//! visits (one per customer received) and the credit changes.
//!
//! Cross-area read (read-only, the only one here): `receipt_total` reads the points area's
//! `receipts (store_id, receipt_no)` to check that a receipt the floor marks a sale with exists,
//! and to take its amount for the day's figures. Nothing here writes another area's tables.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Exec, Tx, ts};
use crate::{on_db, on_exec, on_tx};

/// A team as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TeamRow {
    pub id: i64,
    pub code: String,
    pub store_id: i64,
    /// core `rotation::Board` as JSON.
    pub board: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

const TEAM: &str = "select id, code, store_id, board, version, updated_at from rotation_teams";

pub async fn team_by_code(ex: impl Into<Exec<'_>>, code: &str) -> Result<Option<TeamRow>, DbError> {
    let sql = format!("{TEAM} where code = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(c)
            .await?
    }))
}

/// Every team, by store and code.
pub async fn teams(db: &Db) -> Result<Vec<TeamRow>, DbError> {
    let sql = format!("{TEAM} order by store_id, code");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

/// The team's version: what a screen compares to know the board changed (a primary-key read).
pub async fn version(db: &Db, team_id: i64) -> Result<Option<i64>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select version from rotation_teams where id = $1")
            .bind(team_id)
            .fetch_optional(p)
            .await?
    }))
}

/// Creates the team if there is none of that code (a concurrent twin creates nothing).
pub async fn insert_team(
    tx: &mut Tx,
    code: &str,
    store_id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into rotation_teams (code, store_id, board, version, updated_at) \
             values ($1, $2, '{}', 0, $3) on conflict (code) do nothing",
        )
        .bind(code)
        .bind(store_id)
        .bind(ts(at))
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// Moves the team's version on by one and returns the row as it then is. On PostgreSQL this
/// takes the row's lock until the transaction ends: every change of one team's board runs one at
/// a time, each from the board the last one stored (on SQLite the one writer does the same).
pub async fn lock_team(
    tx: &mut Tx,
    code: &str,
    at: DateTime<Utc>,
) -> Result<Option<TeamRow>, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "update rotation_teams set version = version + 1, updated_at = $2 where code = $1 \
             returning id, code, store_id, board, version, updated_at",
        )
        .bind(code)
        .bind(ts(at))
        .fetch_optional(c)
        .await?
    }))
}

pub async fn save_board(tx: &mut Tx, team_id: i64, board: &str) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query("update rotation_teams set board = $2 where id = $1")
            .bind(team_id)
            .bind(board)
            .execute(c)
            .await?
            .rows_affected()
    });
    Ok(())
}

/// Appends one event to the team's log.
pub async fn add_event(
    tx: &mut Tx,
    team_id: i64,
    version: i64,
    at: DateTime<Utc>,
    staff_id: Option<i64>,
    event: &str,
    note: &str,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into rotation_events (team_id, version, at, staff_id, event, note) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(team_id)
        .bind(version)
        .bind(ts(at))
        .bind(staff_id)
        .bind(event)
        .bind(note)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// One logged event.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub version: i64,
    pub at: DateTime<Utc>,
    pub staff_id: Option<i64>,
    pub event: String,
    pub note: String,
}

/// The team's events logged in `from..to`, in order.
pub async fn events_between(
    db: &Db,
    team_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<EventRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select version, at, staff_id, event, note from rotation_events \
             where team_id = $1 and at >= $2 and at < $3 order by id",
        )
        .bind(team_id)
        .bind(ts(from))
        .bind(ts(to))
        .fetch_all(p)
        .await?
    }))
}

/// Every event of the team, in order (replaying them gives the stored board).
pub async fn all_events(db: &Db, team_id: i64) -> Result<Vec<String>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("select event from rotation_events where team_id = $1 order by id")
            .bind(team_id)
            .fetch_all(p)
            .await?
    }))
}

/// A staff member who may be on a team.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// The active staff holding a role at `store_id` among `usernames`.
pub async fn people_at(
    ex: impl Into<Exec<'_>>,
    store_id: i64,
    usernames: &[String],
) -> Result<Vec<Person>, DbError> {
    let mut rows: Vec<Person> = on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select distinct s.id, s.username, s.display_name from staff s \
             join staff_roles r on r.staff_id = s.id \
             where r.store_id = $1 and s.disabled = false",
        )
        .bind(store_id)
        .fetch_all(c)
        .await?
    });
    rows.retain(|p| usernames.contains(&p.username));
    Ok(rows)
}

/// The people working at a store (not disabled, any role but administrator), by name: who may be
/// put on a team.
pub async fn staff_of_store(db: &Db, store_id: i64) -> Result<Vec<Person>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select distinct s.id, s.username, s.display_name from staff s \
             join staff_roles r on r.staff_id = s.id \
             where r.store_id = $1 and r.role <> 'admin' and s.disabled = false \
             order by s.username",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    }))
}

/// Names of staff by id.
pub async fn names(ex: impl Into<Exec<'_>>) -> Result<HashMap<i64, Person>, DbError> {
    let rows: Vec<Person> = on_exec!(ex.into(), |c| {
        sqlx::query_as("select id, username, display_name from staff")
            .fetch_all(c)
            .await?
    });
    Ok(rows.into_iter().map(|p| (p.id, p)).collect())
}

/// A visit as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub team_id: i64,
    pub day: NaiveDate,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub rep_id: i64,
    pub reason: String,
    pub own_rep_id: Option<i64>,
    pub handed_from: Option<i64>,
    pub customer_mask: String,
    pub credit_rule: String,
    pub credit_other: Option<i64>,
    pub counted: bool,
    pub receipt_no: Option<String>,
    pub sale_fen: Option<i64>,
    pub sold_at: Option<DateTime<Utc>>,
}

const VISIT: &str = "select id, team_id, day, seq, at, rep_id, reason, own_rep_id, handed_from, \
     customer_mask, credit_rule, credit_other, counted, receipt_no, sale_fen, sold_at \
     from rotation_visits";

pub async fn visit(ex: impl Into<Exec<'_>>, id: i64) -> Result<Option<VisitRow>, DbError> {
    let sql = format!("{VISIT} where id = $1");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

/// The visit a walk-in with this Idempotency-Key made.
pub async fn visit_by_key(
    ex: impl Into<Exec<'_>>,
    team_id: i64,
    key: &str,
) -> Result<Option<VisitRow>, DbError> {
    let sql = format!("{VISIT} where team_id = $1 and idem_key = $2");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(team_id)
            .bind(key)
            .fetch_optional(c)
            .await?
    }))
}

/// The team's visits of a day, in order.
pub async fn visits_of_day(
    ex: impl Into<Exec<'_>>,
    team_id: i64,
    day: NaiveDate,
) -> Result<Vec<VisitRow>, DbError> {
    let sql = format!("{VISIT} where team_id = $1 and day = $2 order by seq");
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(team_id)
            .bind(day)
            .fetch_all(c)
            .await?
    }))
}

/// The customer's last counted visit to the team: their own representative and the contact date.
pub async fn last_contact(
    ex: impl Into<Exec<'_>>,
    team_id: i64,
    customer_hash: &str,
) -> Result<Option<(i64, NaiveDate)>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_as(
            "select rep_id, day from rotation_visits \
             where customer_hash = $1 and team_id = $2 and counted = true \
             order by at desc, id desc limit 1",
        )
        .bind(customer_hash)
        .bind(team_id)
        .fetch_optional(c)
        .await?
    }))
}

/// A visit as recorded at its walk-in.
pub struct NewVisit<'a> {
    pub team_id: i64,
    pub day: NaiveDate,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub rep_id: i64,
    pub reason: &'a str,
    pub own_rep_id: Option<i64>,
    pub customer_hash: Option<&'a str>,
    pub customer_mask: &'a str,
    pub credit_rule: &'a str,
    pub credit_other: Option<i64>,
    pub idem_key: Option<&'a str>,
}

pub async fn insert_visit(tx: &mut Tx, v: &NewVisit<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into rotation_visits (team_id, day, seq, at, rep_id, reason, own_rep_id, \
             customer_hash, customer_mask, credit_rule, credit_other, idem_key) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id",
        )
        .bind(v.team_id)
        .bind(v.day)
        .bind(v.seq)
        .bind(ts(v.at))
        .bind(v.rep_id)
        .bind(v.reason)
        .bind(v.own_rep_id)
        .bind(v.customer_hash)
        .bind(v.customer_mask)
        .bind(v.credit_rule)
        .bind(v.credit_other)
        .bind(v.idem_key)
        .fetch_one(c)
        .await?
    }))
}

/// Item 2: the new customer `seq` passes from `from` to `to`.
pub async fn hand_over(
    tx: &mut Tx,
    team_id: i64,
    day: NaiveDate,
    seq: i64,
    from: i64,
    to: i64,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update rotation_visits set rep_id = $5, handed_from = $4, reason = 'handed_over' \
             where team_id = $1 and day = $2 and seq = $3",
        )
        .bind(team_id)
        .bind(day)
        .bind(seq)
        .bind(from)
        .bind(to)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// Sets a visit's credit rule (and whether it counts as a turn).
pub async fn set_credit(
    tx: &mut Tx,
    id: i64,
    rule: &str,
    other: Option<i64>,
    counted: bool,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update rotation_visits set credit_rule = $2, credit_other = $3, counted = $4 where id = $1",
        )
        .bind(id)
        .bind(rule)
        .bind(other)
        .bind(counted)
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// One change of a visit's credit (the record to dispute it).
pub struct CreditChange<'a> {
    pub visit_id: i64,
    pub at: DateTime<Utc>,
    pub staff_id: Option<i64>,
    pub rule_before: &'a str,
    pub other_before: Option<i64>,
    pub rule_after: &'a str,
    pub other_after: Option<i64>,
    pub note: &'a str,
}

pub async fn add_credit_change(tx: &mut Tx, c: &CreditChange<'_>) -> Result<(), DbError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "insert into rotation_credit_changes (visit_id, at, staff_id, rule_before, other_before, \
             rule_after, other_after, note) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(c.visit_id)
        .bind(ts(c.at))
        .bind(c.staff_id)
        .bind(c.rule_before)
        .bind(c.other_before)
        .bind(c.rule_after)
        .bind(c.other_after)
        .bind(c.note)
        .execute(conn)
        .await?
        .rows_affected()
    });
    Ok(())
}

/// A recorded credit change.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CreditChangeRow {
    pub visit_id: i64,
    pub at: DateTime<Utc>,
    pub staff_id: Option<i64>,
    pub rule_before: String,
    pub rule_after: String,
    pub note: String,
}

/// The credit changes of the team's visits of a day.
pub async fn credit_changes(
    db: &Db,
    team_id: i64,
    day: NaiveDate,
) -> Result<Vec<CreditChangeRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select c.visit_id, c.at, c.staff_id, c.rule_before, c.rule_after, c.note \
             from rotation_credit_changes c join rotation_visits v on v.id = c.visit_id \
             where v.team_id = $1 and v.day = $2 order by c.id",
        )
        .bind(team_id)
        .bind(day)
        .fetch_all(p)
        .await?
    }))
}

/// Marks the visit's sale with its till receipt, once (false: it already had one).
pub async fn set_sale(
    tx: &mut Tx,
    id: i64,
    receipt_no: &str,
    fen: i64,
    at: DateTime<Utc>,
) -> Result<bool, DbError> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update rotation_visits set receipt_no = $2, sale_fen = $3, sold_at = $4 \
             where id = $1 and receipt_no is null",
        )
        .bind(id)
        .bind(receipt_no)
        .bind(fen)
        .bind(ts(at))
        .execute(c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// The total of till receipt `receipt_no` at `store_id` (the points area's `receipts`, read
/// only), if it exists.
pub async fn receipt_total(
    ex: impl Into<Exec<'_>>,
    store_id: i64,
    receipt_no: &str,
) -> Result<Option<i64>, DbError> {
    Ok(on_exec!(ex.into(), |c| {
        sqlx::query_scalar("select total_fen from receipts where store_id = $1 and receipt_no = $2")
            .bind(store_id)
            .bind(receipt_no)
            .fetch_optional(c)
            .await?
    }))
}

/// The latest `n` till receipt numbers at `store_id` (the points area's `receipts`, read only):
/// what the demo marks its sales with.
pub async fn recent_receipts(db: &Db, store_id: i64, n: i64) -> Result<Vec<String>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar(
            "select receipt_no from receipts where store_id = $1 order by occurred_at desc, id desc limit $2",
        )
        .bind(store_id)
        .bind(n)
        .fetch_all(p)
        .await?
    }))
}
