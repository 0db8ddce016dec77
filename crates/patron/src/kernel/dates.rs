//! Working time as the department counts it: the business date of a moment in a store's time
//! zone, and the month keys (`2026-11`) that reports, reconciliations and tier windows use. One
//! copy for every area.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Tz;

/// The business date of `at` in a store's time zone.
pub fn business_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// `2026-11` of a date.
pub fn month_key(date: NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

/// The first and last day of the month `2026-11` (None when it is not a month).
pub fn month_bounds(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let from = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d").ok()?;
    let next = from.checked_add_months(Months::new(1))?;
    Some((from, next.pred_opt()?))
}

/// The month before `day`'s, as a key.
pub fn previous_month(day: NaiveDate) -> String {
    let first = day.with_day(1).unwrap_or(day);
    month_key(first.pred_opt().unwrap_or(first))
}

/// The first and last day of the month after `date`'s month.
pub fn next_month(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(date.year(), date.month(), 1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .unwrap_or(date);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    (first, last)
}

/// Whether `date` is the last day of its month.
pub fn is_month_end(date: NaiveDate) -> bool {
    date.succ_opt().is_some_and(|d| d.month() != date.month())
}

/// A date as typed (`2027-09-15`, full-width digits accepted): the catalog key of the refusal
/// when it is empty (`invalid.required`) or not a real date (`invalid.date`).
pub fn parse_date(input: &str) -> Result<NaiveDate, &'static str> {
    let t = patron_core::typed::fold_width(input.trim()).into_owned();
    if t.is_empty() {
        return Err("invalid.required");
    }
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| "invalid.date")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a date")
    }

    #[test]
    fn the_business_date_is_the_stores_local_date() {
        // 16:30 UTC on 30 Nov is 00:30 on 1 Dec in Beijing.
        let at = Utc
            .with_ymd_and_hms(2026, 11, 30, 16, 30, 0)
            .single()
            .expect("a time");
        assert_eq!(business_date(at, chrono_tz::Asia::Shanghai), d(2026, 12, 1));
        assert_eq!(business_date(at, chrono_tz::UTC), d(2026, 11, 30));
    }

    #[test]
    fn months() {
        assert_eq!(month_key(d(2026, 3, 9)), "2026-03");
        assert_eq!(
            month_bounds("2024-02"),
            Some((d(2024, 2, 1), d(2024, 2, 29)))
        );
        assert_eq!(month_bounds("2026-13"), None);
        assert_eq!(month_bounds("soon"), None);
        assert_eq!(previous_month(d(2026, 1, 2)), "2025-12");
        assert_eq!(next_month(d(2026, 1, 31)), (d(2026, 2, 1), d(2026, 2, 28)));
        assert!(is_month_end(d(2026, 2, 28)));
        assert!(!is_month_end(d(2024, 2, 28)));
    }

    #[test]
    fn next_month_and_month_end() {
        assert_eq!(
            next_month(d(2026, 11, 30)),
            (d(2026, 12, 1), d(2026, 12, 31))
        );
        assert_eq!(next_month(d(2026, 12, 31)), (d(2027, 1, 1), d(2027, 1, 31)));
        assert_eq!(next_month(d(2027, 1, 15)), (d(2027, 2, 1), d(2027, 2, 28)));
        assert!(is_month_end(d(2026, 11, 30)));
        assert!(!is_month_end(d(2026, 11, 29)));
        assert!(is_month_end(d(2028, 2, 29)));
    }
}
