//! Periods and when their papers are due (A3). A plan is due by 09:30 of its period's first
//! working day; the summary that closes it by the end of the first working day after the period
//! (the office calendar, `calendar::OFFICE`). A period with no working day expects nothing. Pure:
//! the calendar and the time zone are handed in.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use patron_core::calendar::BusinessCalendar;

/// The three kinds of period (日, 周, 月).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    pub fn code(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    pub fn parse(code: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.code() == code.trim())
    }

    /// The first day of the period `date` falls in (the day; Monday; the 1st).
    pub fn start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => date,
            Period::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
            Period::Month => date.with_day(1).unwrap_or(date),
        }
    }

    /// The last day of the period starting on `start`.
    pub fn end(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => start,
            Period::Week => start + Days::new(6),
            Period::Month => start
                .checked_add_months(Months::new(1))
                .and_then(|d| d.pred_opt())
                .unwrap_or(start),
        }
    }

    /// The first day of the next period.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        self.end(start).succ_opt().unwrap_or(start)
    }

    /// The first day of the previous period.
    pub fn previous(self, start: NaiveDate) -> NaiveDate {
        self.start(start.pred_opt().unwrap_or(start))
    }
}

/// What a period expects of each person, and by when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dues {
    /// The period has a working day: a plan and a summary are expected.
    pub expected: bool,
    pub plan_due: DateTime<Utc>,
    pub summary_due: DateTime<Utc>,
}

/// The time by which the plan is due on its first working day.
pub const PLAN_DUE: (u32, u32) = (9, 30);

/// When the plan and the summary of the period starting on `start` are due.
pub fn dues(cal: &BusinessCalendar, tz: Tz, period: Period, start: NaiveDate) -> Dues {
    let end = period.end(start);
    let first_working = start
        .iter_days()
        .take_while(|d| *d <= end)
        .find(|d| cal.is_working_day(*d));
    let plan_time = NaiveTime::from_hms_opt(PLAN_DUE.0, PLAN_DUE.1, 0).unwrap_or_default();
    let summary_day = cal
        .add_working_days(end, 1)
        .unwrap_or_else(|| end.succ_opt().unwrap_or(end));
    Dues {
        expected: first_working.is_some(),
        plan_due: local(tz, first_working.unwrap_or(start), plan_time),
        summary_due: local(
            tz,
            summary_day.succ_opt().unwrap_or(summary_day),
            NaiveTime::MIN,
        ),
    }
}

/// Whether a person whose account was made at `joined` owes papers for the period starting on
/// `start`: only for periods that began after the day they joined.
pub fn owed(joined: DateTime<Utc>, tz: Tz, start: NaiveDate) -> bool {
    start > crate::kernel::dates::business_date(joined, tz)
}

fn local(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = day.and_time(time);
    tz.from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc))
}

/// A paper's standing: written in time, written late, missing (past due), still open (not yet
/// due, not written), or not expected (no working day in the period).
pub fn standing(
    expected: bool,
    due: DateTime<Utc>,
    written: Option<bool>,
    now: DateTime<Utc>,
) -> &'static str {
    match written {
        Some(false) => "on_time",
        Some(true) => "late",
        None if !expected => "rest",
        None if now > due => "missing",
        None => "open",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use patron_core::calendar::{DayHours, WeeklyHours};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    fn office() -> BusinessCalendar {
        let hours = "09:00-17:30".parse::<DayHours>().expect("hours");
        BusinessCalendar::new(WeeklyHours::weekdays(hours))
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("a time")
            .with_timezone(&Utc)
    }

    #[test]
    fn periods_start_on_the_day_monday_and_the_first() {
        // 2026-11-25 is a Wednesday.
        assert_eq!(Period::Day.start(d("2026-11-25")), d("2026-11-25"));
        assert_eq!(Period::Week.start(d("2026-11-25")), d("2026-11-23"));
        assert_eq!(Period::Month.start(d("2026-11-25")), d("2026-11-01"));
        assert_eq!(Period::Month.end(d("2026-02-01")), d("2026-02-28"));
        assert_eq!(Period::Week.previous(d("2026-11-23")), d("2026-11-16"));
        assert_eq!(Period::Month.next(d("2026-12-01")), d("2027-01-01"));
    }

    #[test]
    fn a_friday_summary_is_due_by_the_end_of_monday() {
        let cal = office();
        let tz = chrono_tz::Asia::Shanghai;
        let due = dues(&cal, tz, Period::Day, d("2026-11-27"));
        assert!(due.expected);
        assert_eq!(due.plan_due, at("2026-11-27T09:30:00+08:00"));
        assert_eq!(due.summary_due, at("2026-12-01T00:00:00+08:00"));
        let week = dues(&cal, tz, Period::Week, d("2026-11-23"));
        assert_eq!(week.plan_due, at("2026-11-23T09:30:00+08:00"));
        assert_eq!(week.summary_due, at("2026-12-01T00:00:00+08:00"));
        // A Saturday expects nothing.
        assert!(!dues(&cal, tz, Period::Day, d("2026-11-28")).expected);
    }

    #[test]
    fn a_paper_written_after_its_due_time_is_late_and_one_never_written_is_missing() {
        let due = at("2026-11-27T09:30:00+08:00");
        let before = at("2026-11-27T09:00:00+08:00");
        let after = at("2026-11-27T10:00:00+08:00");
        assert_eq!(standing(true, due, None, before), "open");
        assert_eq!(standing(true, due, None, after), "missing");
        assert_eq!(standing(true, due, Some(true), after), "late");
        assert_eq!(standing(true, due, Some(false), after), "on_time");
        assert_eq!(standing(false, due, None, after), "rest");
    }
}
