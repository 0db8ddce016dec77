//! Exports of console lists (DESIGN.md: every list exports): CSV with a UTF-8 BOM, so Excel
//! shows the Chinese text, and xlsx. A list builds a `Table` from the same rows and filters it
//! shows on screen; `respond` turns it into a download.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

use super::error::AppError;

pub enum Cell {
    Text(String),
    Int(i64),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

pub struct Table {
    /// The file name without extension, e.g. `audit-log`.
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table whose column headers are message-catalog keys, shown in `page`'s language.
    pub fn new(
        name: &'static str,
        page: &super::layout::Page,
        header_keys: &[&str],
        rows: Vec<Vec<Cell>>,
    ) -> Table {
        Table {
            name,
            headers: header_keys.iter().map(|k| page.t(k)).collect(),
            rows,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
    }
}

fn csv_bytes(t: &Table) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(&t.headers).map_err(AppError::internal)?;
        for row in &t.rows {
            w.write_record(row.iter().map(text))
                .map_err(AppError::internal)?;
        }
        w.flush().map_err(AppError::internal)?;
    }
    Ok(out)
}

fn xlsx_bytes(t: &Table) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(t.name)?;
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                // Integers beyond 2^53 (never a count or an amount in fen here) stay exact as text.
                Cell::Int(n) if n.unsigned_abs() < (1u64 << 53) => {
                    ws.write_number(r, c as u16, *n as f64)?;
                }
                other => {
                    ws.write_string(r, c as u16, text(other))?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    wb.save_to_buffer()
}

/// The table as a download in `format`.
pub fn respond(t: &Table, format: ExportFormat) -> Result<Response, AppError> {
    let (bytes, mime, ext) = match format {
        ExportFormat::Csv => (csv_bytes(t)?, "text/csv; charset=utf-8", "csv"),
        ExportFormat::Xlsx => (
            xlsx_bytes(t).map_err(AppError::internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.{ext}\"", t.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
