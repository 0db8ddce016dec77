//! The calendar's SQL: working calendars (weekly hours), dated overrides, corrected festival
//! dates.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::{on_db, on_tx};

/// One working calendar as stored: its weekly hours Monday to Sunday.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarRow {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub mon: String,
    pub tue: String,
    pub wed: String,
    pub thu: String,
    pub fri: String,
    pub sat: String,
    pub sun: String,
}

impl CalendarRow {
    /// The hours Monday to Sunday.
    pub fn week(&self) -> [&str; 7] {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
    }
}

/// A dated override.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayRow {
    pub on_date: NaiveDate,
    pub hours: String,
    pub note: String,
}

pub async fn calendars(db: &Db) -> Result<Vec<CalendarRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select code, name_zh, name_en, mon, tue, wed, thu, fri, sat, sun from work_calendars \
             order by code",
        )
        .fetch_all(p)
        .await?
    }))
}

pub async fn calendar(db: &Db, code: &str) -> Result<Option<CalendarRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select code, name_zh, name_en, mon, tue, wed, thu, fri, sat, sun from work_calendars \
             where code = $1",
        )
        .bind(code)
        .fetch_optional(p)
        .await?
    }))
}

/// The overrides of a calendar, by date.
pub async fn days(db: &Db, code: &str) -> Result<Vec<DayRow>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select on_date, hours, note from calendar_days where calendar = $1 order by on_date",
        )
        .bind(code)
        .fetch_all(p)
        .await?
    }))
}

/// Replaces a calendar's weekly hours (each already checked).
pub async fn set_week(
    tx: &mut Tx,
    code: &str,
    week: &[String; 7],
    staff_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query(
            "update work_calendars set mon = $1, tue = $2, wed = $3, thu = $4, fri = $5, sat = $6, \
             sun = $7, updated_by = $8, updated_at = $9 where code = $10",
        )
        .bind(&week[0])
        .bind(&week[1])
        .bind(&week[2])
        .bind(&week[3])
        .bind(&week[4])
        .bind(&week[5])
        .bind(&week[6])
        .bind(staff_id)
        .bind(ts(at))
        .bind(code)
        .execute(x)
        .await?
        .rows_affected()
    }))
}

/// Sets (or replaces) one dated override.
pub async fn set_day(
    tx: &mut Tx,
    code: &str,
    day: &DayRow,
    staff_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |x| {
        sqlx::query(
            "insert into calendar_days (calendar, on_date, hours, note, updated_by, updated_at) \
             values ($1, $2, $3, $4, $5, $6) on conflict (calendar, on_date) do update set \
             hours = excluded.hours, note = excluded.note, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        )
        .bind(code)
        .bind(day.on_date)
        .bind(&day.hours)
        .bind(&day.note)
        .bind(staff_id)
        .bind(ts(at))
        .execute(x)
        .await?;
    });
    Ok(())
}

/// Removes one dated override; how many rows went.
pub async fn clear_day(tx: &mut Tx, code: &str, on: NaiveDate) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query("delete from calendar_days where calendar = $1 and on_date = $2")
            .bind(code)
            .bind(on)
            .execute(x)
            .await?
            .rows_affected()
    }))
}

/// The corrected festival dates of a year: (code, date).
pub async fn festival_dates(db: &Db, year: i32) -> Result<Vec<(String, NaiveDate)>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select code, on_date from festival_dates where year = $1")
            .bind(i64::from(year))
            .fetch_all(p)
            .await?
    }))
}

/// Corrects one festival's date in a year.
pub async fn set_festival_date(
    tx: &mut Tx,
    year: i32,
    code: &str,
    on: NaiveDate,
    staff_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |x| {
        sqlx::query(
            "insert into festival_dates (year, code, on_date, updated_by, updated_at) \
             values ($1, $2, $3, $4, $5) on conflict (year, code) do update set \
             on_date = excluded.on_date, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        )
        .bind(i64::from(year))
        .bind(code)
        .bind(on)
        .bind(staff_id)
        .bind(ts(at))
        .execute(x)
        .await?;
    });
    Ok(())
}

/// Drops a correction (the computed date applies again).
pub async fn clear_festival_date(tx: &mut Tx, year: i32, code: &str) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |x| {
        sqlx::query("delete from festival_dates where year = $1 and code = $2")
            .bind(i64::from(year))
            .bind(code)
            .execute(x)
            .await?
            .rows_affected()
    }))
}
