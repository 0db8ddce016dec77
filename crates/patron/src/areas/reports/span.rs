//! The period of a report as the M3/M4 reports count it: which moments and days fall in it (each
//! in its own store's time zone), its months, and the rows grouped under a label in order. Times
//! are read from the database over a window a day wider on each side than the period, and each
//! is then put on its store's business date here (dates are bucketed in Rust, DESIGN.md).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};

use super::Filter;
use crate::kernel::dates::{business_date, month_key};
use crate::kernel::stores::Stores;

/// The UTC instants that cover the period in every time zone: from the day before its first day
/// to the day after its last (a moment is then put on its store's date with `Span::date`).
pub fn window(f: &Filter) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = f.from.checked_sub_days(Days::new(1)).unwrap_or(f.from);
    let end = f.to.checked_add_days(Days::new(2)).unwrap_or(f.to);
    (
        start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
        end.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
    )
}

/// The period's stores and days, to put a moment on its business date.
pub struct Span<'a> {
    pub f: &'a Filter,
    pub stores: &'a Stores,
}

impl Span<'_> {
    /// The business date of `at` at store `store_id` (the business's time zone for a store
    /// not known).
    pub fn date(&self, store_id: i64, at: DateTime<Utc>) -> NaiveDate {
        let tz = self.stores.by_id(store_id).map_or(self.f.tz, |s| s.tz);
        business_date(at, tz)
    }

    /// Whether day `d` is in the period.
    pub fn has(&self, d: NaiveDate) -> bool {
        d >= self.f.from && d <= self.f.to
    }

    /// The business date of `at` at `store_id`, when it is in the period.
    pub fn day_in(&self, store_id: i64, at: DateTime<Utc>) -> Option<NaiveDate> {
        Some(self.date(store_id, at)).filter(|d| self.has(*d))
    }
}

/// The months of the period (`2026-09`), in order, each with its last day (the period's last
/// day for the last month).
pub fn months(f: &Filter) -> Vec<(String, NaiveDate)> {
    let mut out = Vec::new();
    let mut m = NaiveDate::from_ymd_opt(f.from.year(), f.from.month(), 1).unwrap_or(f.from);
    while m <= f.to {
        let next = m.checked_add_months(Months::new(1));
        let last = next.and_then(|n| n.pred_opt()).unwrap_or(f.to).min(f.to);
        out.push((month_key(m), last));
        match next {
            Some(n) => m = n,
            None => break,
        }
    }
    out
}

/// Rows of figures under a label, kept in the order of their sort keys.
pub struct Groups<T> {
    rows: BTreeMap<String, (String, T)>,
}

impl<T: Default> Groups<T> {
    pub fn new() -> Groups<T> {
        Groups {
            rows: BTreeMap::new(),
        }
    }

    /// The figures of the row sorted by `key`, shown as `label` (made when first asked for).
    pub fn at(&mut self, key: impl Into<String>, label: impl FnOnce() -> String) -> &mut T {
        &mut self
            .rows
            .entry(key.into())
            .or_insert_with(|| (label(), T::default()))
            .1
    }

    pub fn rows(&self) -> impl Iterator<Item = (&String, &T)> + Clone {
        self.rows.values().map(|(l, t)| (l, t))
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl<T: Default> Default for Groups<T> {
    fn default() -> Self {
        Groups::new()
    }
}

/// A sort key that puts numbers in order as text (`0000000042`).
pub fn num_key(n: i64) -> String {
    format!("{n:020}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(from: &str, to: &str) -> Filter {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        Filter {
            from: d(from),
            to: d(to),
            store: None,
            stores: Vec::new(),
            tier: None,
            by: "month",
            today: d(to),
            tz: chrono_tz::Asia::Shanghai,
        }
    }

    #[test]
    fn the_months_of_a_period_end_on_its_last_day() {
        let m = months(&filter("2026-08-15", "2026-10-03"));
        let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["2026-08", "2026-09", "2026-10"]);
        assert_eq!(m[0].1.to_string(), "2026-08-31");
        assert_eq!(m[2].1.to_string(), "2026-10-03");
    }

    #[test]
    fn a_moment_counts_on_its_stores_date() {
        let f = filter("2026-09-01", "2026-09-30");
        let stores = Stores::default();
        let span = Span {
            f: &f,
            stores: &stores,
        };
        // 2026-08-31 17:00 UTC is 1 September in Shanghai.
        let at = "2026-08-31T17:00:00Z".parse().expect("time");
        assert_eq!(
            span.day_in(1, at).map(|d| d.to_string()).as_deref(),
            Some("2026-09-01")
        );
        let (start, end) = window(&f);
        assert!(start <= at && at < end);
    }
}
