//! Callbacks: the log (of one partner or all), and recording one with the next due date.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CallbackRow {
    pub id: i64,
    pub partner_id: i64,
    pub partner_name: String,
    pub on_date: NaiveDate,
    pub caller: String,
    pub way: String,
    pub content: String,
    pub issues: String,
    pub follow_up: String,
    pub next_due_on: Option<NaiveDate>,
}

/// Callbacks, newest first: of one partner, or of all.
pub async fn callbacks(db: &Db, partner_id: Option<i64>) -> Result<Vec<CallbackRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select c.id, c.partner_id, p.name as partner_name, c.on_date, c.caller, c.way, c.content, \
             c.issues, c.follow_up, c.next_due_on from partner_callbacks c join partners p on p.id = c.partner_id \
             where ($1 = 0 or c.partner_id = $1) order by c.on_date desc, c.id desc limit 2000",
        )
        .bind(partner_id.unwrap_or(0))
        .fetch_all(p)
        .await?
    }))
}

/// A partner's callback interval in days, inside a write; none when there is no such partner.
pub async fn callback_every(tx: &mut Tx, partner_id: i64) -> Result<Option<i64>, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar("select callback_every_days from partners where id = $1")
            .bind(partner_id)
            .fetch_optional(x)
            .await?
    }))
}

/// A callback as logged.
pub struct NewCallback<'a> {
    pub partner_id: i64,
    pub on_date: NaiveDate,
    pub staff_id: Option<i64>,
    pub caller: &'a str,
    pub way: &'a str,
    pub content: &'a str,
    pub issues: &'a str,
    pub follow_up: &'a str,
    pub next_due_on: NaiveDate,
    pub at: DateTime<Utc>,
}

/// Logs a callback; its id.
pub async fn insert_callback(tx: &mut Tx, c: &NewCallback<'_>) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query_scalar(
            "insert into partner_callbacks (partner_id, on_date, staff_id, caller, way, content, issues, \
             follow_up, next_due_on, at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
        )
        .bind(c.partner_id)
        .bind(c.on_date)
        .bind(c.staff_id)
        .bind(c.caller)
        .bind(c.way)
        .bind(c.content)
        .bind(c.issues)
        .bind(c.follow_up)
        .bind(c.next_due_on)
        .bind(ts(c.at))
        .fetch_one(x)
        .await?
    }))
}

/// Sets when a partner's next callback is due.
pub async fn set_next_callback(
    tx: &mut Tx,
    partner_id: i64,
    day: NaiveDate,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query("update partners set next_callback_on = $1 where id = $2")
            .bind(day)
            .bind(partner_id)
            .execute(x)
            .await?
            .rows_affected()
    }))
}
