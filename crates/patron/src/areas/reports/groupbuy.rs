//! Group-buy sales by customer or by salesperson (M3): the sales handed over in the period —
//! counted on the day the vouchers were handed over, as the daily 17:00 report counts them (a
//! cash sale on its day, a cheque or transfer when its money cleared) — per buyer (the
//! organisation, or the person's name) or per salesperson (who recorded the sale): how many
//! sales, vouchers and the amount, with each one's share of the amount.

use std::collections::HashMap;

use super::members::period_note;
use super::sheet::{Chart, Row, Series, Sheet, percent};
use super::store::groupbuy as store;
use super::{Filter, ReportError};
use crate::kernel::ctx::Ctx;
use crate::web::export::Cell;
use crate::web::i18n::Lang;
use crate::web::said::Said;

/// Bars drawn in the chart (the biggest buyers or salespeople); the table lists every one.
const CHART_BARS: usize = 20;

#[derive(Debug, Default, Clone)]
struct Line {
    name: String,
    sales: i64,
    vouchers: i64,
    amount_fen: i64,
}

pub async fn report(ctx: &Ctx, f: &Filter, lang: Lang) -> Result<Sheet, ReportError> {
    let sales = store::sold(ctx.db(), f.from, f.to).await?;
    let mut by: HashMap<String, Line> = HashMap::new();
    let mut total = Line::default();
    for s in sales.iter().filter(|s| f.counts(s.store_id)) {
        // Buyers are grouped by the name on the sale: one organisation recorded twice is one.
        let (key, name) = if f.by == "salesperson" {
            (s.seller_id.to_string(), s.seller.clone())
        } else {
            (s.buyer.trim().to_string(), s.buyer.trim().to_string())
        };
        let line = by.entry(key).or_insert_with(|| Line {
            name,
            ..Line::default()
        });
        for l in [&mut *line, &mut total] {
            l.sales += 1;
            l.vouchers += s.vouchers;
            l.amount_fen += s.amount_fen;
        }
    }
    let mut lines: Vec<Line> = by.into_values().collect();
    lines.sort_by(|a, b| {
        b.amount_fen
            .cmp(&a.amount_fen)
            .then_with(|| a.name.cmp(&b.name))
    });
    let cells = |l: &Line, name: String| {
        vec![
            Cell::Text(name),
            Cell::Int(l.sales),
            Cell::Int(l.vouchers),
            Cell::Money(l.amount_fen),
            percent(l.amount_fen, total.amount_fen),
        ]
    };
    let chart = Chart {
        kind: "bar",
        labels: lines
            .iter()
            .take(CHART_BARS)
            .map(|l| l.name.clone())
            .collect(),
        series: vec![Series {
            name: lang.t("reports.gb.col.amount_yuan").into(),
            data: lines
                .iter()
                .take(CHART_BARS)
                .map(|l| l.amount_fen as f64 / 100.0)
                .collect(),
        }],
    };
    Ok(Sheet {
        columns: vec![
            if f.by == "salesperson" {
                "reports.by.salesperson"
            } else {
                "reports.by.customer"
            },
            "reports.gb.col.sales",
            "reports.gb.col.vouchers",
            "reports.gb.col.amount",
            "reports.gb.col.share",
        ],
        rows: lines
            .iter()
            .map(|l| Row::new(cells(l, l.name.clone())))
            .collect(),
        totals: Some(cells(&total, lang.t("reports.total").into())),
        chart: Some(chart),
        notes: vec![period_note(f, lang), Said::new("reports.gb.note").say(lang)],
    })
}
