//! Complaints, their clocks and callbacks (M4), by month, category or store — the chain-wide
//! companion of the complaints area's monthly analysis (I5), counted the same way:
//!
//! - received: cases received in the period; major: those of them that are major;
//! - resolved: cases whose (last) resolution fell in the period and that stand resolved or
//!   closed (a reopened case is not); in time: those of them on which no clock running to the
//!   resolution (feedback, 24 h; resolve, 12 h for a major case) ran out;
//! - breaches: clock runs that ran out, by the time they were due (`complaint_breaches`, the
//!   permanent record; every clock counts, as on the board);
//! - callbacks: callbacks made after a resolution in the period; satisfaction, the satisfied
//!   share of them.
//!
//! By month, each figure falls in the month of its own moment (received, resolved, due, called
//! back), on the store's date.

use super::members::{label, period_note};
use super::sheet::{Chart, Row, Sheet, percent};
use super::span::{Groups, Span, months, window};
use super::store::complaints as store;
use super::{Filter, ReportError};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::month_key;
use crate::web::export::Cell;
use crate::web::i18n::Lang;
use crate::web::said::Said;

#[derive(Debug, Default, Clone, Copy)]
struct Line {
    received: i64,
    major: i64,
    resolved: i64,
    in_time: i64,
    breaches: i64,
    callbacks: i64,
    satisfied: i64,
}

impl Line {
    fn add(&mut self, o: &Line) {
        self.received += o.received;
        self.major += o.major;
        self.resolved += o.resolved;
        self.in_time += o.in_time;
        self.breaches += o.breaches;
        self.callbacks += o.callbacks;
        self.satisfied += o.satisfied;
    }

    fn cells(&self, name: String) -> Vec<Cell> {
        vec![
            Cell::Text(name),
            Cell::Int(self.received),
            Cell::Int(self.major),
            Cell::Int(self.resolved),
            Cell::Int(self.in_time),
            percent(self.in_time, self.resolved),
            Cell::Int(self.breaches),
            Cell::Int(self.callbacks),
            percent(self.satisfied, self.callbacks),
        ]
    }
}

pub async fn report(ctx: &Ctx, f: &Filter, lang: Lang) -> Result<Sheet, ReportError> {
    let db = ctx.db();
    let stores = ctx.app.cache.stores(db).await?;
    let span = Span { f, stores: &stores };
    let (from, until) = window(f);
    let mut groups: Groups<Line> = Groups::new();
    if f.by == "month" {
        // Every month of the period shows, with nothing in it or not.
        for (m, _) in months(f) {
            groups.at(m.clone(), || m.clone());
        }
    }
    // The row a figure of (store, category, day) belongs to: its sort key and label.
    let row = |store_id: i64, category: &str, day: chrono::NaiveDate| -> (String, String) {
        match f.by {
            "store" => (format!("{store_id:020}"), f.store_name(store_id)),
            "category" => (
                category.to_string(),
                label(lang, "complaints.category.", category),
            ),
            _ => (month_key(day), month_key(day)),
        }
    };
    for c in store::cases(db, from, until).await? {
        if !f.counts(c.store_id) {
            continue;
        }
        if let Some(day) = span.day_in(c.store_id, c.received_at) {
            let (k, l) = row(c.store_id, &c.category, day);
            let line = groups.at(k, || l);
            line.received += 1;
            if c.severity == "major" {
                line.major += 1;
            }
        }
        if let Some(day) = c.resolved_at.and_then(|t| span.day_in(c.store_id, t))
            && matches!(c.state.as_str(), "resolved" | "closed")
        {
            let (k, l) = row(c.store_id, &c.category, day);
            let line = groups.at(k, || l);
            line.resolved += 1;
            if c.resolved_late == 0 {
                line.in_time += 1;
            }
        }
    }
    for b in store::breaches(db, from, until).await? {
        if let Some(day) = span.day_in(b.store_id, b.due_at)
            && f.counts(b.store_id)
        {
            let (k, l) = row(b.store_id, &b.category, day);
            groups.at(k, || l).breaches += 1;
        }
    }
    for b in store::callbacks(db, from, until).await? {
        if let Some(day) = span.day_in(b.store_id, b.at)
            && f.counts(b.store_id)
        {
            let (k, l) = row(b.store_id, &b.category, day);
            let line = groups.at(k, || l);
            line.callbacks += 1;
            if b.satisfied {
                line.satisfied += 1;
            }
        }
    }
    let mut total = Line::default();
    for (_, l) in groups.rows() {
        total.add(l);
    }
    let chart = chart(&groups, lang);
    Ok(Sheet {
        columns: vec![
            match f.by {
                "store" => "reports.by.store",
                "category" => "reports.by.category",
                _ => "reports.by.month",
            },
            "reports.complaints.col.received",
            "reports.complaints.col.major",
            "reports.complaints.col.resolved",
            "reports.complaints.col.in_time",
            "reports.complaints.col.in_time_share",
            "reports.complaints.col.breaches",
            "reports.complaints.col.callbacks",
            "reports.complaints.col.satisfaction",
        ],
        rows: groups
            .rows()
            .map(|(name, l)| Row::new(l.cells(name.clone())))
            .collect(),
        totals: Some(total.cells(lang.t("reports.total").into())),
        chart: Some(chart),
        notes: vec![
            period_note(f, lang),
            Said::new("reports.complaints.note").say(lang),
        ],
    })
}

/// The chart: each row's cases received and resolved, and time limits missed.
fn chart(groups: &Groups<Line>, lang: Lang) -> Chart {
    Chart::of(
        "bar",
        groups.rows(),
        &[
            ("reports.complaints.col.received", |l: &Line| l.received),
            ("reports.complaints.col.resolved", |l: &Line| l.resolved),
            ("reports.complaints.col.breaches", |l: &Line| l.breaches),
        ],
        lang,
    )
}
