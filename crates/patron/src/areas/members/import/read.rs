//! Reading an import file: CSV (UTF-8, with or without a byte-order mark) or xlsx (the first
//! sheet), into a header row and rows of trimmed cells.

/// Reads a file into rows of cells by header name. xlsx by extension, CSV otherwise.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    if name.to_ascii_lowercase().ends_with(".xlsx") {
        use calamine::{Data, Reader};
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .map_err(|e| format!("not a readable xlsx file: {e}"))?;
        let range = wb
            .worksheet_range_at(0)
            .ok_or("the workbook has no sheet")?
            .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
        let mut rows = range.rows().map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.trim().to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string(),
                    Data::Bool(b) => b.to_string(),
                    // A date alone as `2026-09-25`; a time of day kept (a receipt's time).
                    Data::DateTime(_) | Data::DateTimeIso(_) => {
                        use calamine::DataType;
                        match c.as_datetime() {
                            Some(t) if t.time() != chrono::NaiveTime::MIN => {
                                t.format("%Y-%m-%d %H:%M:%S").to_string()
                            }
                            Some(t) => t.date().to_string(),
                            None => c.as_date().map(|d| d.to_string()).unwrap_or_default(),
                        }
                    }
                    other => other.to_string(),
                })
                .collect::<Vec<String>>()
        });
        let header = rows.next().ok_or("the sheet is empty")?;
        return Ok((header, rows.collect()));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "the file is not UTF-8 text (save the CSV as UTF-8)".to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.map_err(|e| format!("the CSV cannot be read: {e}"))?;
        rows.push(r.iter().map(|c| c.trim().to_string()).collect::<Vec<_>>());
    }
    let mut it = rows.into_iter();
    let header = it.next().ok_or("the file is empty")?;
    Ok((header, it.collect()))
}
