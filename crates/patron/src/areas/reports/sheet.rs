//! What a report answers: columns (catalog keys), rows of cells, totals, a chart, and lines that
//! say what the figures are (as of when, counted how). The page, the print view, the CSV and the
//! xlsx all show the same sheet, so the numbers match wherever they are read.

use serde_json::json;

use crate::web::export::{Cell, Table};
use crate::web::i18n::Lang;

pub struct Row {
    pub cells: Vec<Cell>,
    /// Where the row leads (a segment's members), if anywhere.
    pub href: Option<String>,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Row {
        Row { cells, href: None }
    }

    pub fn linked(cells: Vec<Cell>, href: String) -> Row {
        Row {
            cells,
            href: Some(href),
        }
    }
}

/// One line or bar series.
pub struct Series {
    pub name: String,
    pub data: Vec<f64>,
}

pub struct Chart {
    /// `bar` or `line`.
    pub kind: &'static str,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
}

/// A series of a chart: its column's catalog key and the figure it takes from a row.
pub type SeriesOf<T> = (&'static str, fn(&T) -> i64);

impl Chart {
    /// A chart of `rows` (label, figures), one series per (catalog key, figure) in `series`.
    pub fn of<'r, T: 'r>(
        kind: &'static str,
        rows: impl Iterator<Item = (&'r String, &'r T)> + Clone,
        series: &[SeriesOf<T>],
        lang: Lang,
    ) -> Chart {
        Chart {
            kind,
            labels: rows.clone().map(|(label, _)| label.clone()).collect(),
            series: series
                .iter()
                .map(|(key, figure)| Series {
                    name: lang.t(key).into(),
                    data: rows.clone().map(|(_, t)| figure(t) as f64).collect(),
                })
                .collect(),
        }
    }

    /// The chart as the page's `data-chart` attribute reads it (assets/app.js).
    pub fn spec(&self) -> String {
        json!({
            "type": self.kind,
            "labels": self.labels,
            "series": self.series.iter().map(|s| json!({"name": s.name, "data": s.data})).collect::<Vec<_>>(),
        })
        .to_string()
    }
}

pub struct Sheet {
    /// Column headers as catalog keys.
    pub columns: Vec<&'static str>,
    pub rows: Vec<Row>,
    /// The totals row under the list, if it has one.
    pub totals: Option<Vec<Cell>>,
    pub chart: Option<Chart>,
    /// Lines under the title, in the reader's language (as of when, counted how).
    pub notes: Vec<String>,
}

impl Sheet {
    /// The sheet as an export table (`name`: the file name), headers in `lang`.
    pub fn table(self, name: &'static str, lang: Lang) -> Table {
        Table {
            name,
            headers: self.columns.iter().map(|k| lang.t(k)).collect(),
            rows: self.rows.into_iter().map(|r| r.cells).collect(),
            totals: self.totals.into_iter().collect(),
        }
    }
}

/// A cell as the screen and the print view show it (amounts with ¥ and grouping).
pub fn shown(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => patron_core::money::grouped(*n),
        Cell::Money(fen) => patron_core::money::Fen(*fen).to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// Whether a cell is a number (right-aligned).
pub fn numeric(cell: &Cell) -> bool {
    matches!(cell, Cell::Int(_) | Cell::Money(_))
}

/// A share as a whole percentage of `total` (empty when there is no total).
pub fn percent(part: i64, total: i64) -> Cell {
    if total <= 0 {
        Cell::Text(String::new())
    } else {
        Cell::Text(format!("{:.1}%", part as f64 * 100.0 / total as f64))
    }
}
