//! Organisation customers' callbacks against their cadence (M4, F8), by month or salesperson.
//!
//! A customer owned and active is called back at least every N days (its grade's cadence): from
//! since when it is owned, then from each callback, the next one is due N days later — the rule
//! of the overdue list (`customers::callbacks::overdue`), replayed over the callback log:
//!
//! - due: cadences whose last day fell in the period (met early, on time, late or not yet);
//! - done: callbacks logged in the period; late: those made after their cadence's last day;
//! - outstanding: customers whose cadence had run out, uncalled, at the period's end (at each
//!   month's end by month; today, when the period runs on past it).
//!
//! Grades, cadences and owners are today's; a callback counts for the customer's owner when it
//! was made, what is due and outstanding for today's owner.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use super::members::period_note;
use super::sheet::{Chart, Row, Sheet, percent};
use super::span::{Groups, months};
use super::store::callbacks as store;
use super::{Filter, ReportError};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::{business_date, month_key};
use crate::web::export::Cell;
use crate::web::i18n::Lang;
use crate::web::said::Said;

#[derive(Debug, Default, Clone, Copy)]
struct Line {
    due: i64,
    done: i64,
    late: i64,
    outstanding: i64,
}

impl Line {
    fn cells(&self, name: String) -> Vec<Cell> {
        vec![
            Cell::Text(name),
            Cell::Int(self.due),
            Cell::Int(self.done),
            Cell::Int(self.late),
            percent(self.done - self.late, self.done),
            Cell::Int(self.outstanding),
        ]
    }
}

fn plus(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_add_days(Days::new(u64::try_from(days).unwrap_or(0)))
        .unwrap_or(day)
}

/// One customer's cadences: each starts on a day (owned, or a callback) and runs out `cadence`
/// days later; `calls` are its callbacks in order (day, whose).
struct Cadences<'a> {
    start: NaiveDate,
    cadence: i64,
    calls: &'a [(NaiveDate, i64)],
}

impl Cadences<'_> {
    /// Each cadence's last day and the callback that ended it, if any.
    fn runs(&self) -> Vec<(NaiveDate, Option<(NaiveDate, i64)>)> {
        let mut out = Vec::with_capacity(self.calls.len() + 1);
        let mut start = self.start;
        for call in self.calls {
            out.push((plus(start, self.cadence), Some(*call)));
            start = call.0;
        }
        out.push((plus(start, self.cadence), None));
        out
    }

    /// Whether the customer is overdue at the end of day `at`: the cadence running then ran out
    /// before it (the overdue list's rule: last contact more than N days before).
    fn overdue_at(&self, at: NaiveDate) -> bool {
        let last = self
            .calls
            .iter()
            .rev()
            .map(|c| c.0)
            .find(|d| *d <= at)
            .unwrap_or(self.start);
        plus(last, self.cadence) < at
    }
}

pub async fn report(ctx: &Ctx, f: &Filter, lang: Lang) -> Result<Sheet, ReportError> {
    let db = ctx.db();
    let (a, b, c) = store::cadence(db).await?;
    let longest = a.max(b).max(c);
    let tz = ctx.app.config.tz();
    // The calls that can end a cadence running in the period, and the one before them.
    let start = f
        .from
        .checked_sub_days(Days::new(u64::try_from(longest).unwrap_or(0) + 1))
        .unwrap_or(f.from);
    let mut calls: HashMap<i64, Vec<(NaiveDate, i64)>> = HashMap::new();
    for (id, day) in store::last_before(db, start).await? {
        calls.entry(id).or_default().push((day, 0));
    }
    for r in store::calls(db, start, f.to).await? {
        calls
            .entry(r.customer_id)
            .or_default()
            .push((r.biz_date, r.staff_id));
    }
    let names: HashMap<i64, String> = store::staff_names(db).await?.into_iter().collect();
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let month_ends = months(f);
    let mut groups: Groups<Line> = Groups::new();
    if f.by == "month" {
        for (m, _) in &month_ends {
            groups.at(m.clone(), || m.clone());
        }
    }
    // The row of a salesperson, or of the month of `day`.
    let key = |staff: Option<i64>, day: NaiveDate| -> (String, String) {
        if f.by == "salesperson" {
            let id = staff.unwrap_or(0);
            let n = name(id);
            (format!("{n}\u{0}{id:020}"), n)
        } else {
            (month_key(day), month_key(day))
        }
    };
    let end = f.to.min(f.today);
    let none: Vec<(NaiveDate, i64)> = Vec::new();
    for cu in store::customers(db).await? {
        if !f.counts(cu.store_id) {
            continue;
        }
        let cadence = match cu.grade.as_str() {
            "A" => a,
            "B" => b,
            _ => c,
        };
        let mine = calls.get(&cu.id).unwrap_or(&none);
        let cad = Cadences {
            start: business_date(cu.since, tz),
            cadence,
            calls: mine,
        };
        for (last_day, ended) in cad.runs() {
            if cu.owned && f.from <= last_day && last_day <= f.to {
                let (k, l) = key(cu.owner_staff_id, last_day);
                groups.at(k, || l).due += 1;
            }
            if let Some((day, staff)) = ended
                && f.from <= day
                && day <= f.to
            {
                let (k, l) = key(Some(staff), day);
                let line = groups.at(k, || l);
                line.done += 1;
                if day > last_day {
                    line.late += 1;
                }
            }
        }
        if !cu.owned {
            continue;
        }
        if f.by == "month" {
            for (m, last) in &month_ends {
                let at = (*last).min(f.today);
                if at >= f.from && cad.overdue_at(at) {
                    groups.at(m.clone(), || m.clone()).outstanding += 1;
                }
            }
        } else if cad.overdue_at(end) {
            let (k, l) = key(cu.owner_staff_id, end);
            groups.at(k, || l).outstanding += 1;
        }
    }
    let mut total = Line::default();
    for (_, l) in groups.rows() {
        total.due += l.due;
        total.done += l.done;
        total.late += l.late;
    }
    // Outstanding is a standing, not a flow: the total is the standing at the period's end.
    total.outstanding = if f.by == "month" {
        groups.rows().last().map_or(0, |(_, l)| l.outstanding)
    } else {
        groups.rows().map(|(_, l)| l.outstanding).sum()
    };
    let chart = chart(&groups, lang);
    Ok(Sheet {
        columns: vec![
            if f.by == "salesperson" {
                "reports.by.salesperson"
            } else {
                "reports.by.month"
            },
            "reports.callbacks.col.due",
            "reports.callbacks.col.done",
            "reports.callbacks.col.late",
            "reports.callbacks.col.on_time_share",
            "reports.callbacks.col.outstanding",
        ],
        rows: groups
            .rows()
            .map(|(n, l)| Row::new(l.cells(n.clone())))
            .collect(),
        totals: Some(total.cells(lang.t("reports.total").into())),
        chart: Some(chart),
        notes: vec![
            period_note(f, lang),
            Said::new("reports.callbacks.note")
                .text("a", a)
                .text("b", b)
                .text("c", c)
                .say(lang),
        ],
    })
}

/// The chart: each row's callbacks due, done, late and outstanding.
fn chart(groups: &Groups<Line>, lang: Lang) -> Chart {
    Chart::of(
        "bar",
        groups.rows(),
        &[
            ("reports.callbacks.col.due", |l: &Line| l.due),
            ("reports.callbacks.col.done", |l: &Line| l.done),
            ("reports.callbacks.col.late", |l: &Line| l.late),
            ("reports.callbacks.col.outstanding", |l: &Line| {
                l.outstanding
            }),
        ],
        lang,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn each_callback_ends_a_cadence_and_starts_the_next() {
        let calls = [(d("2026-09-10"), 1), (d("2026-09-30"), 1)];
        let cad = Cadences {
            start: d("2026-09-01"),
            cadence: 14,
            calls: &calls,
        };
        let runs = cad.runs();
        assert_eq!(runs.len(), 3);
        // Owned on the 1st: due by the 15th, called on the 10th (early).
        assert_eq!(runs[0], (d("2026-09-15"), Some((d("2026-09-10"), 1))));
        // Then due by the 24th, called on the 30th: late.
        assert_eq!(runs[1], (d("2026-09-24"), Some((d("2026-09-30"), 1))));
        assert_eq!(runs[2], (d("2026-10-14"), None));
        assert!(
            !cad.overdue_at(d("2026-09-24")),
            "the last day is still in time"
        );
        assert!(cad.overdue_at(d("2026-09-25")));
        assert!(!cad.overdue_at(d("2026-10-01")));
    }
}
