//! Member events held in the period (M4, H4), by month or one row per event: capacity,
//! sign-ups, cancelled, checked in, attendance (checked in of those signed up) and the event
//! points credited at check-in. An event is held in the period when it is approved (or closed
//! after it) and starts on a day of the period at its store.

use super::members::period_note;
use super::sheet::{Chart, Row, Sheet, percent};
use super::span::{Groups, Span, months, window};
use super::store::events as store;
use super::{Filter, ReportError};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::month_key;
use crate::web::export::Cell;
use crate::web::i18n::Lang;
use crate::web::said::Said;

#[derive(Debug, Default, Clone, Copy)]
struct Line {
    events: i64,
    capacity: i64,
    signups: i64,
    cancelled: i64,
    attendees: i64,
    points: i64,
}

impl Line {
    fn add(&mut self, o: &Line) {
        self.events += o.events;
        self.capacity += o.capacity;
        self.signups += o.signups;
        self.cancelled += o.cancelled;
        self.attendees += o.attendees;
        self.points += o.points;
    }

    /// The figures after the row's first cells.
    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Int(self.capacity),
            Cell::Int(self.signups),
            Cell::Int(self.cancelled),
            Cell::Int(self.attendees),
            percent(self.attendees, self.signups),
            Cell::Int(self.points),
        ]
    }
}

pub async fn report(ctx: &Ctx, f: &Filter, lang: Lang) -> Result<Sheet, ReportError> {
    let db = ctx.db();
    let stores = ctx.app.cache.stores(db).await?;
    let span = Span { f, stores: &stores };
    let (from, until) = window(f);
    let by_event = f.by == "event";
    let mut groups: Groups<Line> = Groups::new();
    // By event: each event's day, its first cells (theme, store, day) and figures.
    let mut each: Vec<(chrono::NaiveDate, Vec<Cell>, Line)> = Vec::new();
    if !by_event {
        for (m, _) in months(f) {
            groups.at(m.clone(), || m.clone());
        }
    }
    for e in store::held(db, from, until).await? {
        let Some(day) = span.day_in(e.store_id, e.starts_at) else {
            continue;
        };
        if !f.counts(e.store_id) {
            continue;
        }
        let line = Line {
            events: 1,
            capacity: e.capacity,
            signups: e.signups,
            cancelled: e.cancelled,
            attendees: e.attendees,
            points: e.points,
        };
        if by_event {
            each.push((
                day,
                vec![
                    Cell::Text(e.theme.clone()),
                    Cell::Text(f.store_name(e.store_id)),
                    Cell::Date(day),
                ],
                line,
            ));
        } else {
            let m = month_key(day);
            groups.at(m.clone(), || m).add(&line);
        }
    }
    // Events by their day at their store (they come by start time).
    each.sort_by_key(|(day, _, _)| *day);
    let mut total = Line::default();
    for (_, l) in groups.rows() {
        total.add(l);
    }
    for (_, _, l) in &each {
        total.add(l);
    }
    // The chart's bars: a label and the figures of each row.
    let bars: Vec<(String, Line)> = if by_event {
        each.iter()
            .map(|(_, first, l)| (super::sheet::shown(&first[0]), *l))
            .collect()
    } else {
        groups.rows().map(|(m, l)| (m.clone(), *l)).collect()
    };
    let rows: Vec<Row> = if by_event {
        each.into_iter()
            .map(|(_, mut first, l)| {
                first.extend(l.cells());
                Row::new(first)
            })
            .collect()
    } else {
        groups
            .rows()
            .map(|(m, l)| {
                let mut cells = vec![Cell::Text(m.clone()), Cell::Int(l.events)];
                cells.extend(l.cells());
                Row::new(cells)
            })
            .collect()
    };
    let mut totals = vec![Cell::Text(lang.t("reports.total").into())];
    if by_event {
        totals.extend([Cell::Text(String::new()), Cell::Text(String::new())]);
    } else {
        totals.push(Cell::Int(total.events));
    }
    totals.extend(total.cells());
    let mut columns = if by_event {
        vec![
            "reports.by.event",
            "reports.events.col.store",
            "reports.events.col.day",
        ]
    } else {
        vec!["reports.by.month", "reports.events.col.events"]
    };
    columns.extend([
        "reports.events.col.capacity",
        "reports.events.col.signups",
        "reports.events.col.cancelled",
        "reports.events.col.attendees",
        "reports.events.col.attendance",
        "reports.events.col.points",
    ]);
    let chart = Chart::of(
        "bar",
        bars.iter().map(|(n, l)| (n, l)),
        &[
            ("reports.events.col.capacity", |l: &Line| l.capacity),
            ("reports.events.col.signups", |l: &Line| l.signups),
            ("reports.events.col.attendees", |l: &Line| l.attendees),
        ],
        lang,
    );
    Ok(Sheet {
        columns,
        rows,
        totals: Some(totals),
        chart: Some(chart),
        notes: vec![
            period_note(f, lang),
            Said::new("reports.events.note").say(lang),
        ],
    })
}
