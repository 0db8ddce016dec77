//! The business calendar's stored part (issue 14): the working calendars (weekly hours of the
//! offices, the sales floor, the service desk), their dated overrides (public holidays off,
//! make-up workdays 调休 on) and the festival dates of a year (computed by core, corrected here
//! when someone edits one).
//!
//! Other areas ask this one for a [`BusinessCalendar`] by code (`load`) and for the festivals of a
//! year (`festivals`) and do their working-day arithmetic with core. `pages.rs` is the settings
//! page `/admin/calendar`; `api.rs` the fixed route `GET /api/v1/calendar/festivals`.

pub mod api;
pub mod edit;
pub mod error;
pub mod messages;
pub mod pages;
pub mod store;

use chrono::{Datelike, NaiveDate, Weekday};
use patron_core::calendar::{
    BusinessCalendar, DayHours, FESTIVAL_YEARS, FestivalCode, WeeklyHours, festivals as computed,
};

pub use error::CalendarError;

use crate::kernel::db::{Db, DbError};

/// The calendar of the departments' offices (the group-buy desk, the member centre): working
/// days for callbacks, minutes and answers "within two working days".
pub const OFFICE: &str = "office";
/// The sales floor's opening hours.
pub const FLOOR: &str = "floor";
/// The customer-service desk (complaints' clocks).
pub const SERVICE: &str = "service";

/// The form fields (and columns) of the weekdays, Monday first.
pub const WEEKDAY_FIELDS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// The calendar `code` with its overrides, ready for core's arithmetic. An unknown code, or hours
/// that no longer parse, give the office pattern Monday to Friday 09:00–17:30 rather than no
/// calendar at all (a deadline is always computed); the settings page refuses bad hours, so
/// this only guards against a hand-edited database.
pub async fn load(db: &Db, code: &str) -> Result<BusinessCalendar, DbError> {
    let Some(row) = store::calendar(db, code).await? else {
        return Ok(fallback());
    };
    let mut weekly = WeeklyHours::closed();
    for (day, text) in WEEKDAYS.into_iter().zip(row.week()) {
        let Ok(hours) = text.parse::<DayHours>() else {
            return Ok(fallback());
        };
        weekly = weekly.with(day, hours);
    }
    let mut calendar = BusinessCalendar::new(weekly);
    for day in store::days(db, code).await? {
        match day.hours.parse::<DayHours>() {
            Ok(hours) if hours.is_closed() => calendar.set_holiday(day.on_date),
            Ok(hours) => calendar.set_hours(day.on_date, hours),
            Err(_) => calendar.set_holiday(day.on_date),
        }
    }
    Ok(calendar)
}

fn fallback() -> BusinessCalendar {
    let office = "09:00-17:30".parse::<DayHours>().unwrap_or_default();
    BusinessCalendar::new(WeeklyHours::weekdays(office))
}

/// One festival on its date in a year: computed, or as corrected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FestivalDay {
    pub code: FestivalCode,
    pub date: NaiveDate,
    /// The computed date was corrected by someone.
    pub corrected: bool,
    /// What core computes for it.
    pub computed: NaiveDate,
}

/// The festivals of `year`, by date, with corrections applied.
pub async fn festivals(db: &Db, year: i32) -> Result<Vec<FestivalDay>, CalendarError> {
    if !FESTIVAL_YEARS.contains(&year) {
        return Err(CalendarError::YearOutOfRange);
    }
    let corrections = store::festival_dates(db, year).await?;
    let mut out = computed(year)
        .map_err(|_| CalendarError::YearOutOfRange)?
        .into_iter()
        .map(|f| {
            let fixed = corrections
                .iter()
                .find(|(code, _)| code == f.code.code())
                .map(|(_, d)| *d);
            FestivalDay {
                code: f.code,
                date: fixed.unwrap_or(f.date),
                corrected: fixed.is_some_and(|d| d != f.date),
                computed: f.date,
            }
        })
        .collect::<Vec<_>>();
    out.sort_by_key(|f| (f.date, f.code));
    Ok(out)
}

/// The date of one festival in `year`, corrections applied.
pub async fn festival(
    db: &Db,
    code: FestivalCode,
    year: i32,
) -> Result<FestivalDay, CalendarError> {
    festivals(db, year)
        .await?
        .into_iter()
        .find(|f| f.code == code)
        .ok_or(CalendarError::YearOutOfRange)
}

/// The next time `code` falls on or after `from` (this year's, or next year's).
pub async fn next_festival(
    db: &Db,
    code: FestivalCode,
    from: NaiveDate,
) -> Result<FestivalDay, CalendarError> {
    let this = festival(db, code, from.year()).await?;
    if this.date >= from {
        return Ok(this);
    }
    festival(db, code, from.year() + 1).await
}
