//! Editing the calendar (permission `manage_calendar`, audited): a calendar's weekly hours, its
//! dated overrides (a public holiday off, a make-up workday 调休 on), and corrections of a
//! festival's computed date. Each edit is one write with its audit entry; a refused one writes
//! nothing.

use chrono::{Datelike, NaiveDate};
use patron_core::Permission;
use patron_core::calendar::{DayHours, FESTIVAL_YEARS, FestivalCode};
use serde_json::json;

use super::store::{self, DayRow};
use super::{CalendarError, WEEKDAY_FIELDS};
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::Invalid;

/// Hours as typed: `09:00-12:00,13:00-17:30`; empty, `休` or `-` for a day not worked. Full-width
/// digits and separators are accepted.
pub fn parse_hours(input: &str) -> Result<DayHours, &'static str> {
    let folded = patron_core::typed::fold_width(input.trim())
        .replace(['，', '、', ';', '；', ' '], ",")
        .replace(['～', '~', '—', '–', '至'], "-")
        .replace('：', ":");
    let t = folded.trim_matches(',');
    if t.is_empty() || t == "休" || t == "-" {
        return Ok(DayHours::closed());
    }
    let joined = t
        .split(',')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(",");
    joined
        .parse::<DayHours>()
        .map_err(|_| "calendar.invalid.hours")
}

async fn known(ctx: &Ctx, code: &str) -> Result<(), CalendarError> {
    store::calendar(ctx.db(), code)
        .await?
        .map(|_| ())
        .ok_or(CalendarError::NotFound)
}

fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

/// Replaces the weekly hours (Monday to Sunday) of calendar `code`.
pub async fn save_week(ctx: &Ctx, code: &str, week: &[String; 7]) -> Result<(), CalendarError> {
    ctx.require(Permission::ManageCalendar)?;
    known(ctx, code).await?;
    let mut bad = Invalid::new();
    let mut parsed: [String; 7] = Default::default();
    for (i, (field, text)) in WEEKDAY_FIELDS.iter().zip(week).enumerate() {
        if let Some(h) = bad.check(field, parse_hours(text)) {
            parsed[i] = h.to_string();
        }
    }
    bad.into_result()?;
    let before = store::calendar(ctx.db(), code)
        .await?
        .map(|r| r.week().iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    let (c, code) = (ctx.clone(), code.to_owned());
    ctx.db()
        .write(move |tx| {
            let (c, code, parsed, before) =
                (c.clone(), code.clone(), parsed.clone(), before.clone());
            Box::pin(async move {
                store::set_week(tx, &code, &parsed, staff_id(&c), c.now()).await?;
                tx.audit(
                    c.audit("calendar.hours_saved", "calendar", &code)
                        .before(&json!({ "week": before }))
                        .after(&json!({ "week": parsed })),
                );
                Ok::<_, CalendarError>(())
            })
        })
        .await
}

/// A dated override as entered: `off` (a holiday) or `work` with its hours (a make-up day).
#[derive(Debug, Clone, Default)]
pub struct DayIn {
    pub date: String,
    /// `off` or `work`.
    pub kind: String,
    pub hours: String,
    pub note: String,
}

/// Sets (or replaces) one dated override of calendar `code`.
pub async fn set_day(ctx: &Ctx, code: &str, input: &DayIn) -> Result<NaiveDate, CalendarError> {
    ctx.require(Permission::ManageCalendar)?;
    known(ctx, code).await?;
    let mut bad = Invalid::new();
    let date = bad.check("date", crate::kernel::dates::parse_date(&input.date));
    let hours = match input.kind.trim() {
        "off" => Some(DayHours::closed()),
        "work" => match parse_hours(&input.hours) {
            Ok(h) if h.is_closed() => {
                bad.add("hours", "invalid.required");
                None
            }
            r => bad.check("hours", r),
        },
        "" => {
            bad.add("kind", "invalid.required");
            None
        }
        _ => {
            bad.add("kind", "invalid.choice");
            None
        }
    };
    let note = input.note.trim().to_owned();
    if note.chars().count() > 100 {
        bad.add("note", "invalid.too_long");
    }
    bad.into_result()?;
    let (Some(date), Some(hours)) = (date, hours) else {
        return Err(Invalid::one("date", "invalid.required").into());
    };
    let row = DayRow {
        on_date: date,
        hours: hours.to_string(),
        note,
    };
    let (c, code) = (ctx.clone(), code.to_owned());
    ctx.db()
        .write(move |tx| {
            let (c, code, row) = (c.clone(), code.clone(), row.clone());
            Box::pin(async move {
                store::set_day(tx, &code, &row, staff_id(&c), c.now()).await?;
                tx.audit(
                    c.audit("calendar.day_set", "calendar", &code).after(
                        &json!({ "date": row.on_date, "hours": row.hours, "note": row.note }),
                    ),
                );
                Ok::<_, CalendarError>(row.on_date)
            })
        })
        .await
}

/// Removes a dated override (the weekly hours apply again).
pub async fn clear_day(ctx: &Ctx, code: &str, date: &str) -> Result<(), CalendarError> {
    ctx.require(Permission::ManageCalendar)?;
    known(ctx, code).await?;
    let date = crate::kernel::dates::parse_date(date).map_err(|k| Invalid::one("date", k))?;
    let (c, code) = (ctx.clone(), code.to_owned());
    ctx.db()
        .write(move |tx| {
            let (c, code) = (c.clone(), code.clone());
            Box::pin(async move {
                if store::clear_day(tx, &code, date).await? == 0 {
                    return Err(CalendarError::NotFound);
                }
                tx.audit(
                    c.audit("calendar.day_cleared", "calendar", &code)
                        .before(&json!({ "date": date })),
                );
                Ok(())
            })
        })
        .await
}

/// Corrects a festival's date in `year` (a date in that year); the same date as computed drops
/// the correction.
pub async fn set_festival(
    ctx: &Ctx,
    year: i32,
    code: &str,
    date: &str,
) -> Result<(), CalendarError> {
    ctx.require(Permission::ManageCalendar)?;
    let festival = FestivalCode::parse(code).ok_or(CalendarError::NotFound)?;
    if !FESTIVAL_YEARS.contains(&year) {
        return Err(CalendarError::YearOutOfRange);
    }
    let on = crate::kernel::dates::parse_date(date).map_err(|k| Invalid::one("date", k))?;
    if on.year() != year {
        return Err(Invalid::one("date", "calendar.invalid.other_year").into());
    }
    let computed = festival
        .date_in(year)
        .map_err(|_| CalendarError::YearOutOfRange)?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                if on == computed {
                    store::clear_festival_date(tx, year, festival.code()).await?;
                } else {
                    store::set_festival_date(tx, year, festival.code(), on, staff_id(&c), c.now())
                        .await?;
                }
                tx.audit(
                    c.audit("calendar.festival_set", "festival", festival.code())
                        .after(&json!({ "year": year, "date": on, "computed": computed })),
                );
                Ok::<_, CalendarError>(())
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::parse_hours;

    #[test]
    fn hours_are_read_as_the_desk_writes_them() {
        let h = parse_hours("０９：００～１２：００，13:00-17:30").map(|h| h.to_string());
        assert_eq!(h.as_deref(), Ok("09:00-12:00,13:00-17:30"));
        assert!(parse_hours("").is_ok_and(|h| h.is_closed()));
        assert!(parse_hours("休").is_ok_and(|h| h.is_closed()));
        assert_eq!(
            parse_hours("9点到5点").err(),
            Some("calendar.invalid.hours")
        );
        assert_eq!(
            parse_hours("17:00-09:00").err(),
            Some("calendar.invalid.hours")
        );
    }
}
