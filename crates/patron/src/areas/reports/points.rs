//! Points issued, spent, expired and outstanding, as money (M2): the liability finance books, by
//! month or by store.
//!
//! The ledger (`point_entries`) is summed per store and month (the store's time zone) by the
//! `reports-rollup` job into `report_points_months`, with a cursor: the last entry counted. A
//! report reads those sums and adds the few entries after the cursor itself, so its figures are
//! the ledger's to the last entry, whatever the ledger's size. Points count for the entry's store,
//! or the member's when the entry has none (expiry). Outstanding at a month's end is everything
//! issued minus spent and expired up to then; its value is at the redemption ratio (C7).

use std::collections::BTreeMap;
use std::sync::Arc;

use patron_core::money::Points;
use patron_core::points::Ratio;

use super::sheet::{Chart, Row, Sheet};
use super::store::{self, EntryRow, PointsMonthRow};
use super::{Filter, ReportError};
use crate::jobs::Progress;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::{business_date, month_key};
use crate::kernel::stores::Stores;
use crate::web::export::Cell;
use crate::web::i18n::Lang;

/// Entries read per step.
const STEP: i64 = 50_000;

/// Adds `entries` to `sums`, keyed by (store, month).
fn bucket(
    entries: &[EntryRow],
    stores: &Stores,
    fallback: chrono_tz::Tz,
    sums: &mut BTreeMap<(i64, String), PointsMonthRow>,
) {
    for e in entries {
        let tz = stores.by_id(e.store_id).map_or(fallback, |s| s.tz);
        let month = month_key(business_date(e.at, tz));
        let row = sums
            .entry((e.store_id, month.clone()))
            .or_insert_with(|| PointsMonthRow {
                store_id: e.store_id,
                month,
                ..PointsMonthRow::default()
            });
        row.entries += 1;
        if e.kind == "expiry" {
            row.expired -= e.points;
        } else if e.points >= 0 {
            row.issued += e.points;
        } else {
            row.spent -= e.points;
        }
    }
}

/// Counts the entries after the cursor into the store-months, a step at a time, each step one
/// short write that moves the cursor with the sums (so a rerun never counts an entry twice).
/// Returns the entries counted.
pub async fn roll_up(ctx: &Ctx, progress: Option<Progress>) -> Result<u64, ReportError> {
    let db = ctx.db();
    let stores = ctx.app.cache.stores(db).await?;
    let tz = ctx.app.config.tz();
    let mut counted = 0u64;
    loop {
        let cursor = store::cursor(db, "points").await?;
        let entries = store::entries_after(db, cursor, STEP).await?;
        let Some(last) = entries.last().map(|e| e.id) else {
            break;
        };
        let mut sums = BTreeMap::new();
        bucket(&entries, &stores, tz, &mut sums);
        let rows: Arc<Vec<PointsMonthRow>> = Arc::new(sums.into_values().collect());
        let now = ctx.now();
        let moved = db
            .write(move |tx| {
                let rows = rows.clone();
                Box::pin(
                    async move { store::add_points_months(tx, cursor, last, &rows, now).await },
                )
            })
            .await?;
        if moved {
            counted += entries.len() as u64;
        }
        if let Some(p) = &progress {
            p(
                counted,
                counted
                    + if entries.len() as i64 == STEP {
                        STEP as u64
                    } else {
                        0
                    },
            );
        }
        if (entries.len() as i64) < STEP {
            break;
        }
    }
    Ok(counted)
}

/// Every store-month: the rolled-up sums plus the entries after the cursor.
async fn months(ctx: &Ctx) -> Result<BTreeMap<(i64, String), PointsMonthRow>, ReportError> {
    let db = ctx.db();
    let stores = ctx.app.cache.stores(db).await?;
    let tz = ctx.app.config.tz();
    let mut cursor = store::cursor(db, "points").await?;
    let mut sums: BTreeMap<(i64, String), PointsMonthRow> = store::points_months(db)
        .await?
        .into_iter()
        .map(|r| ((r.store_id, r.month.clone()), r))
        .collect();
    loop {
        let tail = store::entries_after(db, cursor, STEP).await?;
        bucket(&tail, &stores, tz, &mut sums);
        match tail.last() {
            Some(e) if tail.len() as i64 == STEP => cursor = e.id,
            _ => break,
        }
    }
    Ok(sums)
}

/// One line of the report: issued, spent, expired, outstanding at the end.
#[derive(Debug, Clone, Copy, Default)]
struct Line {
    issued: i64,
    spent: i64,
    expired: i64,
    outstanding: i64,
}

fn cells(label: String, l: &Line, ratio: Ratio) -> Vec<Cell> {
    let value = |p: i64| Cell::Money(ratio.value_of(Points(p)).0);
    vec![
        Cell::Text(label),
        Cell::Int(l.issued),
        Cell::Int(l.spent),
        Cell::Int(l.expired),
        Cell::Int(l.outstanding),
        value(l.issued),
        value(l.spent),
        value(l.expired),
        value(l.outstanding),
    ]
}

pub async fn report(ctx: &Ctx, f: &Filter, lang: Lang) -> Result<Sheet, ReportError> {
    let loyalty = crate::areas::points::settings::load(ctx.db()).await?;
    let ratio = loyalty.settings.ratio();
    let (first, last) = (month_key(f.from), month_key(f.to));
    let sums = months(ctx).await?;
    let mut by: BTreeMap<String, (String, Line)> = BTreeMap::new();
    let mut total = Line::default();
    // Outstanding before the period, per row key.
    let mut opening: BTreeMap<String, i64> = BTreeMap::new();
    for ((store_id, month), r) in &sums {
        if !f.counts(*store_id) || month.as_str() > last.as_str() {
            continue;
        }
        let net = r.issued - r.spent - r.expired;
        let (key, label) = if f.by == "store" {
            let s = f.stores.iter().find(|s| s.id == *store_id);
            (
                s.map_or_else(|| store_id.to_string(), |s| s.code.clone()),
                f.store_name(*store_id),
            )
        } else {
            (month.clone(), month.clone())
        };
        total.outstanding += net;
        if month.as_str() < first.as_str() {
            if f.by == "store" {
                by.entry(key.clone()).or_insert((label, Line::default()));
            }
            *opening.entry(key).or_default() += net;
            continue;
        }
        let line = &mut by.entry(key).or_insert((label, Line::default())).1;
        line.issued += r.issued;
        line.spent += r.spent;
        line.expired += r.expired;
        total.issued += r.issued;
        total.spent += r.spent;
        total.expired += r.expired;
    }
    if f.by == "month" {
        // Every month of the period shows, with what was outstanding at its end.
        let mut m = chrono::NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&f.from),
            chrono::Datelike::month(&f.from),
            1,
        )
        .unwrap_or(f.from);
        let mut running: i64 = opening.values().sum();
        while m <= f.to {
            let key = month_key(m);
            let line = &mut by.entry(key.clone()).or_insert((key, Line::default())).1;
            running += line.issued - line.spent - line.expired;
            line.outstanding = running;
            m = m
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(f.to.succ_opt().unwrap_or(f.to));
        }
    } else {
        for (key, (_, line)) in &mut by {
            line.outstanding =
                opening.get(key).copied().unwrap_or(0) + line.issued - line.spent - line.expired;
        }
    }
    let rows: Vec<Row> = by
        .values()
        .map(|(label, line)| Row::new(cells(label.clone(), line, ratio)))
        .collect();
    let chart = Chart::of(
        "bar",
        by.values().map(|(label, line)| (label, line)),
        &[
            ("reports.points.col.issued", |l: &Line| l.issued),
            ("reports.points.col.spent", |l: &Line| l.spent),
            ("reports.points.col.expired", |l: &Line| l.expired),
        ],
        lang,
    );
    Ok(Sheet {
        columns: vec![
            if f.by == "store" {
                "reports.by.store"
            } else {
                "reports.by.month"
            },
            "reports.points.col.issued",
            "reports.points.col.spent",
            "reports.points.col.expired",
            "reports.points.col.outstanding",
            "reports.points.col.issued_value",
            "reports.points.col.spent_value",
            "reports.points.col.expired_value",
            "reports.points.col.outstanding_value",
        ],
        rows,
        totals: Some(cells(lang.t("reports.total").into(), &total, ratio)),
        chart: Some(chart),
        notes: vec![
            super::members::period_note(f, lang),
            crate::web::said::Said::new("reports.note.points")
                .text("points", ratio.points)
                .text("value", ratio.value)
                .say(lang),
        ],
    })
}
