//! Exports of console lists (DESIGN.md: every list exports): CSV with a UTF-8 BOM, so Excel
//! shows the Chinese text, and xlsx. A list builds a `Table` from the same rows and filters it
//! shows on screen; `respond` turns it into a download.
//!
//! Two rules hold for every export, so no list has to remember them:
//! - **No formulas from data.** A text cell that begins with `=`, `+`, `-`, `@`, a tab or a CR
//!   is written with a leading apostrophe (OWASP, "CSV injection"): a member named
//!   `=HYPERLINK(…)` stays a name in Excel, never a live link. Numbers are numbers and need no
//!   such care (`-5` as a number cell is minus five).
//! - **Numbers stay numbers.** Counts are numbers, amounts (`Cell::Money`, in fen) are numbers
//!   of yuan with a `¥#,##0.00` format, dates and times are Excel dates with a date format, so
//!   SUM and filters work; in CSV they are written plainly (`1234.50`, `2026-09-25`).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::error::AppError;

pub enum Cell {
    Text(String),
    Int(i64),
    /// An amount in fen.
    Money(i64),
    Date(NaiveDate),
    /// A date and time as the reader's clock shows it (see `Cell::time`).
    DateTime(NaiveDateTime),
}

impl Cell {
    /// A moment as the page's reader sees it, in the page's time zone, to the minute.
    pub fn time(page: &super::layout::Page, at: &chrono::DateTime<chrono::Utc>) -> Cell {
        let local = at.with_timezone(&page.tz).naive_local();
        Cell::DateTime(
            local
                .with_second(0)
                .unwrap_or(local)
                .with_nanosecond(0)
                .unwrap_or(local),
        )
    }

    /// As `time`, an empty cell when there is no moment.
    pub fn time_opt(
        page: &super::layout::Page,
        at: &Option<chrono::DateTime<chrono::Utc>>,
    ) -> Cell {
        at.as_ref()
            .map_or_else(|| Cell::Text(String::new()), |t| Cell::time(page, t))
    }
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

impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Cell {
        Cell::Date(d)
    }
}

/// A date that may be missing: an empty cell then.
impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Cell {
        d.map_or_else(|| Cell::Text(String::new()), Cell::Date)
    }
}

pub struct Table {
    /// The file name without extension, e.g. `audit-log`.
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows after the list, in bold: the totals the screen shows under it.
    pub totals: Vec<Vec<Cell>>,
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
            totals: Vec::new(),
        }
    }

    /// The same table with total rows under the list.
    pub fn with_totals(self, totals: Vec<Vec<Cell>>) -> Table {
        Table { totals, ..self }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// A text that a spreadsheet would take for a formula (or a command), with an apostrophe
/// in front; any other text as it is.
pub fn neutralised(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// An amount in fen as a plain decimal number of yuan (`-1234.50`: no grouping, which a
/// spreadsheet would read as text).
fn decimal(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A cell as CSV text.
fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => neutralised(s).into_owned(),
        Cell::Int(n) => n.to_string(),
        Cell::Money(fen) => decimal(*fen),
        Cell::Date(d) => d.to_string(),
        Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

fn csv_bytes(t: &Table) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(t.headers.iter().map(|h| neutralised(h).into_owned()))
            .map_err(AppError::internal)?;
        for row in t.rows.iter().chain(&t.totals) {
            w.write_record(row.iter().map(text))
                .map_err(AppError::internal)?;
        }
        w.flush().map_err(AppError::internal)?;
    }
    Ok(out)
}

/// The cell formats of a sheet; the total rows' are bold.
pub struct Formats {
    text: Format,
    number: Format,
    money: Format,
    date: Format,
    datetime: Format,
}

impl Formats {
    fn new(bold: bool) -> Formats {
        let base = if bold {
            Format::new().set_bold()
        } else {
            Format::new()
        };
        Formats {
            text: base.clone(),
            number: base.clone(),
            money: base.clone().set_num_format("¥#,##0.00"),
            date: base.clone().set_num_format("yyyy-mm-dd"),
            datetime: base.set_num_format("yyyy-mm-dd hh:mm"),
        }
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

fn write_cell(
    ws: &mut Worksheet,
    (r, c): (u32, u16),
    cell: &Cell,
    f: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        // Integers beyond 2^53 (never a count or an amount in fen here) stay exact as text.
        Cell::Int(n) if n.unsigned_abs() < (1u64 << 53) => {
            ws.write_number_with_format(r, c, *n as f64, &f.number)?;
        }
        Cell::Money(fen) if fen.unsigned_abs() < (1u64 << 53) => {
            ws.write_number_with_format(r, c, *fen as f64 / 100.0, &f.money)?;
        }
        Cell::Date(d) => match excel_date(*d) {
            Ok(x) => {
                ws.write_datetime_with_format(r, c, x, &f.date)?;
            }
            // Before 1900 Excel has no dates: the text, as the screen shows it.
            Err(_) => {
                ws.write_string_with_format(r, c, text(cell), &f.text)?;
            }
        },
        Cell::DateTime(t) => {
            let at = excel_date(t.date())
                .and_then(|d| d.and_hms(t.hour() as u16, t.minute() as u8, t.second()));
            match at {
                Ok(x) => {
                    ws.write_datetime_with_format(r, c, x, &f.datetime)?;
                }
                Err(_) => {
                    ws.write_string_with_format(r, c, text(cell), &f.text)?;
                }
            }
        }
        Cell::Text(s) if s.is_empty() => {}
        other => {
            ws.write_string_with_format(r, c, text(other), &f.text)?;
        }
    }
    Ok(())
}

fn xlsx_bytes(t: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let (plain, totals) = (Formats::new(false), Formats::new(true));
    let ws = wb.add_worksheet();
    ws.set_name(t.name)?;
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, neutralised(h), &bold)?;
    }
    let rows = t.rows.iter().map(|r| (r, &plain));
    let total_rows = t.totals.iter().map(|r| (r, &totals));
    for (r, (row, formats)) in rows.chain(total_rows).enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(ws, (r as u32 + 1, c as u16), cell, formats)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    wb.save_to_buffer()
}

impl ExportFormat {
    pub fn ext(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// `csv` or `xlsx` (any case).
    pub fn parse(text: &str) -> Option<ExportFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }
}

/// The table as a file's bytes in `format`.
pub fn bytes(t: &Table, format: ExportFormat) -> Result<Vec<u8>, AppError> {
    match format {
        ExportFormat::Csv => csv_bytes(t),
        ExportFormat::Xlsx => xlsx_bytes(t).map_err(AppError::internal),
    }
}

/// The table as a download in `format`.
pub fn respond(t: &Table, format: ExportFormat) -> Result<Response, AppError> {
    let bytes = bytes(t, format)?;
    Ok(attachment(
        &format!("{}.{}", t.name, format.ext()),
        format.mime(),
        bytes,
    ))
}

/// A long list written row by row to a file (a background export of a million rows): the same
/// cells and rules as `Table`, in constant memory.
pub enum Stream {
    Csv(Box<csv::Writer<std::io::BufWriter<std::fs::File>>>),
    Xlsx {
        wb: Box<Workbook>,
        formats: Box<Formats>,
        row: u32,
        path: std::path::PathBuf,
    },
}

impl Stream {
    /// Starts the file at `path` with the header row.
    pub fn create(
        path: &std::path::Path,
        format: ExportFormat,
        sheet: &str,
        headers: &[&str],
    ) -> Result<Stream, XlsxError> {
        match format {
            ExportFormat::Csv => {
                let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
                std::io::Write::write_all(&mut file, "\u{feff}".as_bytes())?;
                let mut w = csv::Writer::from_writer(file);
                w.write_record(headers.iter().map(|h| neutralised(h).into_owned()))
                    .map_err(|e| XlsxError::IoError(std::io::Error::other(e)))?;
                Ok(Stream::Csv(Box::new(w)))
            }
            ExportFormat::Xlsx => {
                let mut wb = Workbook::new();
                let bold = Format::new().set_bold();
                let ws = wb.add_worksheet_with_constant_memory()?;
                ws.set_name(sheet)?;
                for (c, h) in headers.iter().enumerate() {
                    ws.set_column_width(c as u16, 16)?;
                    ws.write_string_with_format(0, c as u16, neutralised(h), &bold)?;
                }
                ws.set_freeze_panes(1, 0)?;
                Ok(Stream::Xlsx {
                    wb: Box::new(wb),
                    formats: Box::new(Formats::new(false)),
                    row: 1,
                    path: path.to_path_buf(),
                })
            }
        }
    }

    pub fn push(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        match self {
            Stream::Csv(w) => w
                .write_record(cells.iter().map(text))
                .map_err(|e| XlsxError::IoError(std::io::Error::other(e))),
            Stream::Xlsx {
                wb, formats, row, ..
            } => {
                let ws = wb.worksheet_from_index(0)?;
                for (c, cell) in cells.iter().enumerate() {
                    write_cell(ws, (*row, c as u16), cell, formats)?;
                }
                *row += 1;
                Ok(())
            }
        }
    }

    /// Finishes the file.
    pub fn finish(self) -> Result<(), XlsxError> {
        match self {
            Stream::Csv(mut w) => w.flush().map_err(XlsxError::IoError),
            Stream::Xlsx { mut wb, path, .. } => wb.save(&path),
        }
    }
}

/// `bytes` as a download named `name` of type `mime` (a file made elsewhere, such as the print
/// shop's voucher file).
pub fn attachment(name: &str, mime: &'static str, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// A stored file (a scanned contract, a research attachment) as a download: its own content
/// type, and its name as given in UTF-8 (RFC 5987) beside `fallback`, an ASCII name for old
/// browsers.
pub fn stored_file(fallback: &str, file_name: &str, content_type: &str, data: Vec<u8>) -> Response {
    let mut res = data.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
