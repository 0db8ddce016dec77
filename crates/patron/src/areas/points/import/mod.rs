//! The receipt import (SPEC N3, C2): receipts from an older system, or from a till that was
//! offline, in CSV or xlsx with a header row (English or Chinese column names, any order), one
//! row per receipt line; rows with the same store and receipt number are one receipt.
//!
//! The same rules and idempotency as the till: each receipt is parsed by `receipts::parse_public`
//! and accrued by `receipts::accrue_parsed` (source `import`), keyed by (store, receipt number).
//! A receipt recorded before with the same content is a repeat: counted, nothing written. One
//! with different content is a conflict and reported. Every row is checked first and every bad
//! row reported with its line and reason; only a clean file is written, in one transaction, so
//! nothing is ever half-imported (the member import's reader and row report are reused).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use patron_core::Permission;
use patron_core::money::Fen;
use serde::Serialize;

use super::receipts::{self, By, ReceiptIn, ReceiptLineIn};
use super::settings::Loyalty;
use super::{PointsError, store};
use crate::areas::members::import::BadRow;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::stores::Stores;

pub use crate::areas::members::import::read_file;

pub const COLUMNS: [&str; 8] = [
    "store_code",
    "receipt_no",
    "card_no",
    "occurred_at",
    "line_no",
    "sku",
    "amount",
    "promotional",
];

/// The Chinese column names, one per column above (the template offers these).
pub const COLUMNS_ZH: [&str; 8] = [
    "门店",
    "小票号",
    "卡号",
    "消费时间",
    "行号",
    "商品编码",
    "金额",
    "特价",
];

/// Other names seen in older systems' files.
const ALIASES: [(&str, &str); 10] = [
    ("门店代码", "store_code"),
    ("小票号码", "receipt_no"),
    ("流水号", "receipt_no"),
    ("会员卡号", "card_no"),
    ("交易时间", "occurred_at"),
    ("时间", "occurred_at"),
    ("金额（元）", "amount"),
    ("条码", "sku"),
    ("促销", "promotional"),
    ("特价商品", "promotional"),
];

const REQUIRED: [&str; 4] = ["receipt_no", "card_no", "occurred_at", "amount"];

fn canonical(header: &str) -> String {
    let h = header.trim().trim_start_matches('\u{feff}').trim();
    if let Some(k) = COLUMNS_ZH.iter().position(|z| *z == h) {
        return COLUMNS[k].to_string();
    }
    if let Some((_, c)) = ALIASES.iter().find(|(z, _)| *z == h) {
        return (*c).to_string();
    }
    h.to_ascii_lowercase()
}

/// The template file: the Chinese header row and two lines of one receipt.
pub fn template_csv() -> String {
    format!(
        "\u{feff}{}\r\nHQ,R20260925-0001,HQ00000001,2026-09-25 16:42,1,6901234567890,128.00,否\r\n\
         HQ,R20260925-0001,HQ00000001,2026-09-25 16:42,2,6909876543210,35.00,是\r\n",
        COLUMNS_ZH.join(",")
    )
}

/// What an import did, or why it did nothing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReceiptImportReport {
    /// Data rows (receipt lines) in the file.
    pub rows: usize,
    /// Receipts the rows make.
    pub receipts: usize,
    /// Receipts accrued now.
    pub imported: usize,
    /// Receipts recorded before with the same content (nothing written for them).
    pub repeats: usize,
    /// Points credited by this import.
    pub points: i64,
    pub bad: Vec<BadRow>,
}

/// One receipt gathered from its rows.
struct Gathered {
    /// The file line of each of its rows, in order.
    lines: Vec<usize>,
    input: ReceiptIn,
}

/// Checks and (when every row is good) imports. `default_store` is used where a row names none.
pub async fn import(
    ctx: &Ctx,
    default_store: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<ReceiptImportReport, PointsError> {
    ctx.require(Permission::AdjustPoints)?;
    let mut report = ReceiptImportReport {
        rows: rows
            .iter()
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .count(),
        ..Default::default()
    };
    let index: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (canonical(h), i))
        .collect();
    report.bad = header_problems(&index);
    if !report.bad.is_empty() {
        return Ok(report);
    }
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let gathered = gather(ctx, &index, &stores, default_store, rows, &mut report.bad);
    report.receipts = gathered.len();
    let mut parsed = Vec::new();
    for g in gathered {
        if let Some(r) = check_receipt(ctx, &g, &mut report).await? {
            parsed.push((g.lines[0], Arc::new(r)));
        }
    }
    report
        .bad
        .sort_by(|a, b| a.line.cmp(&b.line).then(a.field.cmp(&b.field)));
    report.bad.dedup();
    if !report.bad.is_empty() {
        report.repeats = 0;
        return Ok(report);
    }
    if parsed.is_empty() {
        return Ok(report);
    }
    let loyalty = ctx.app.cache.get::<Loyalty>(ctx.db()).await?;
    let failed_at = Arc::new(AtomicUsize::new(0));
    let (c, list, f) = (ctx.clone(), Arc::new(parsed), failed_at.clone());
    let staff_id = ctx.actor.staff().map(|s| s.id);
    let written = ctx
        .db()
        .write(move |tx| {
            let (c, list, loyalty, f) = (c.clone(), list.clone(), loyalty.clone(), f.clone());
            Box::pin(async move {
                let now = c.now();
                let mut points = 0;
                for (line, r) in list.iter() {
                    f.store(*line, Ordering::Relaxed);
                    let by = By {
                        till_id: None,
                        staff_id,
                        approved_by: None,
                    };
                    let out =
                        receipts::accrue_parsed(&c, tx, r, &loyalty, by, now, "import").await?;
                    points += out.points_awarded;
                }
                tx.audit(
                    c.audit("points.import", "receipt", "import")
                        .after(&serde_json::json!({ "receipts": list.len(), "points": points })),
                );
                Ok::<_, PointsError>((list.len(), points))
            })
        })
        .await;
    match written {
        Ok((n, points)) => {
            report.imported = n;
            report.points = points;
            Ok(report)
        }
        // A receipt refused inside the write (e.g. a till sent it meanwhile): nothing was
        // written; the row is reported.
        Err(PointsError::Db(e)) => Err(PointsError::Db(e)),
        Err(e) => {
            report.bad.push(BadRow {
                line: failed_at.load(Ordering::Relaxed),
                field: "receipt_no".into(),
                reason: reason_of(&e),
            });
            report.repeats = 0;
            Ok(report)
        }
    }
}

/// Unknown columns and missing required ones (all on line 1).
fn header_problems(index: &HashMap<String, usize>) -> Vec<BadRow> {
    let mut bad = Vec::new();
    for h in index.keys() {
        if !COLUMNS.contains(&h.as_str()) {
            bad.push(BadRow {
                line: 1,
                field: h.clone(),
                reason: "import.unknown_column",
            });
        }
    }
    for required in REQUIRED {
        if !index.contains_key(required) {
            bad.push(BadRow {
                line: 1,
                field: required.into(),
                reason: "import.missing_column",
            });
        }
    }
    bad.sort_by(|a, b| a.field.cmp(&b.field));
    bad
}

/// A row's cell by column name.
fn cell<'a>(index: &HashMap<String, usize>, cells: &'a [String], col: &str) -> &'a str {
    index
        .get(col)
        .and_then(|k| cells.get(*k))
        .map(|s| s.trim())
        .unwrap_or("")
}

/// The rows gathered into receipts (by store and receipt number, in file order), each row's
/// own problems reported.
fn gather(
    ctx: &Ctx,
    index: &HashMap<String, usize>,
    stores: &Stores,
    default_store: &str,
    rows: &[Vec<String>],
    bad: &mut Vec<BadRow>,
) -> Vec<Gathered> {
    let mut out: Vec<Gathered> = Vec::new();
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    for (i, cells) in rows.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = i + 2;
        let mut fail = |field: &str, reason: &'static str| {
            bad.push(BadRow {
                line,
                field: field.into(),
                reason,
            })
        };
        let store_code = match cell(index, cells, "store_code") {
            "" => default_store.to_string(),
            s => s.to_string(),
        };
        let tz = match stores.by_code(&store_code) {
            None => {
                fail("store_code", "invalid.store_code");
                continue;
            }
            Some(s) if !ctx.can_at(Permission::AdjustPoints, s.id) => {
                fail("store_code", "import.not_your_store");
                continue;
            }
            Some(s) => s.tz,
        };
        let receipt_no = cell(index, cells, "receipt_no").to_string();
        if receipt_no.is_empty() {
            fail("receipt_no", "invalid.required");
            continue;
        }
        let occurred_at = parse_time(cell(index, cells, "occurred_at"), tz);
        if occurred_at.is_none() {
            fail("occurred_at", "import.bad_time");
        }
        let amount = Fen::parse_yuan(cell(index, cells, "amount"))
            .ok()
            .filter(|f| f.0 >= 0);
        if amount.is_none() {
            fail("amount", "invalid.amount");
        }
        let promotional = parse_flag(cell(index, cells, "promotional"));
        if promotional.is_none() {
            fail("promotional", "import.bad_flag");
        }
        let line_no = match cell(index, cells, "line_no") {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    fail("line_no", "invalid.number");
                    continue;
                }
            },
        };
        let (Some(at), Some(amount), Some(promotional)) = (occurred_at, amount, promotional) else {
            continue;
        };
        let card_no = cell(index, cells, "card_no").to_string();
        let key = (store_code.clone(), receipt_no.clone());
        let k = *by_key.entry(key).or_insert_with(|| {
            out.push(Gathered {
                lines: Vec::new(),
                input: ReceiptIn {
                    store_code: store_code.clone(),
                    till_id: None,
                    receipt_no: receipt_no.clone(),
                    card_no: card_no.clone(),
                    occurred_at: at,
                    lines: Vec::new(),
                },
            });
            out.len() - 1
        });
        let g = &mut out[k];
        if g.input.card_no != card_no {
            fail("card_no", "import.receipt_mismatch");
            continue;
        }
        if g.input.occurred_at != at {
            fail("occurred_at", "import.receipt_mismatch");
            continue;
        }
        let line_no = line_no.unwrap_or(g.input.lines.len() as i64 + 1);
        g.lines.push(line);
        g.input.lines.push(ReceiptLineIn {
            line_no,
            sku: cell(index, cells, "sku").to_string(),
            amount_fen: amount.0,
            promotional,
        });
    }
    out
}

/// `2026-09-25 16:42[:00]`, `2026/09/25 16:42`, RFC 3339, or a date alone (its midnight), in
/// the store's time zone unless the text has an offset.
fn parse_time(s: &str, tz: chrono_tz::Tz) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    let s = s.replace('/', "-").replace('T', " ");
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    let local = tz.from_local_datetime(&naive).earliest()?;
    Some(local.fixed_offset())
}

/// A yes/no cell; empty is no.
fn parse_flag(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" | "否" => Some(false),
        "yes" | "y" | "true" | "1" | "是" => Some(true),
        _ => None,
    }
}

/// The reason key a refused receipt is reported with.
fn reason_of(e: &PointsError) -> &'static str {
    match e {
        PointsError::MemberNotFound => "invalid.no_such_card",
        PointsError::CardFrozen { .. }
        | PointsError::CardExpired { .. }
        | PointsError::CardInactive { .. } => "import.card_not_usable",
        PointsError::ReceiptConflict | PointsError::AlreadyRecorded => "import.receipt_conflict",
        PointsError::BeforeCard { .. } => "invalid.before_card",
        _ => "import.receipt_refused",
    }
}

/// Checks one gathered receipt as the till's rules would, without writing: the parsed receipt
/// when it is to be accrued; `None` for a repeat (counted) or a bad one (reported).
async fn check_receipt(
    ctx: &Ctx,
    g: &Gathered,
    report: &mut ReceiptImportReport,
) -> Result<Option<receipts::Receipt>, PointsError> {
    let first = g.lines[0];
    let r = match receipts::parse_public(ctx, &g.input).await {
        Ok(r) => r,
        Err(PointsError::Invalid(inv)) => {
            for f in inv.0 {
                let (line, field) = line_of(g, &f.field);
                report.bad.push(BadRow {
                    line,
                    field,
                    reason: f.key,
                });
            }
            return Ok(None);
        }
        Err(PointsError::Db(e)) => return Err(PointsError::Db(e)),
        Err(e) => {
            report.bad.push(BadRow {
                line: first,
                field: "receipt_no".into(),
                reason: reason_of(&e),
            });
            return Ok(None);
        }
    };
    if let Some(row) = store::find_receipt(ctx.db(), r.store_id(), r.receipt_no()).await? {
        if row.body_hash == r.hash() {
            report.repeats += 1;
        } else {
            report.bad.push(BadRow {
                line: first,
                field: "receipt_no".into(),
                reason: "import.receipt_conflict",
            });
        }
        return Ok(None);
    }
    let Some(cm) = store::card_member(ctx.db(), r.card_no()).await? else {
        report.bad.push(BadRow {
            line: first,
            field: "card_no".into(),
            reason: "invalid.no_such_card",
        });
        return Ok(None);
    };
    let day = business_date(r.occurred_at(), r.tz());
    if let Err(e) = receipts::card_usable(&cm, day) {
        report.bad.push(BadRow {
            line: first,
            field: "card_no".into(),
            reason: reason_of(&e),
        });
        return Ok(None);
    }
    Ok(Some(r))
}

/// The file line and column a field error of the parsed receipt belongs to.
fn line_of(g: &Gathered, field: &str) -> (usize, String) {
    if let Some(rest) = field.strip_prefix("lines[")
        && let Some((i, sub)) = rest.split_once("].")
        && let Ok(i) = i.parse::<usize>()
    {
        let col = match sub {
            "amount_fen" => "amount",
            other => other,
        };
        return (
            g.lines.get(i).copied().unwrap_or(g.lines[0]),
            col.to_string(),
        );
    }
    (g.lines[0], field.to_string())
}

/// The catalog rows of the receipt import.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("points.import", "导入消费小票", "Receipts imported"),
    (
        "import.bad_time",
        "消费时间无法识别（如 2026-09-25 16:42）",
        "Not a time (e.g. 2026-09-25 16:42)",
    ),
    ("import.bad_flag", "请填“是”或“否”", "Write yes or no"),
    (
        "import.receipt_mismatch",
        "同一小票的各行卡号或时间不一致",
        "The lines of one receipt differ in card or time",
    ),
    (
        "import.card_not_usable",
        "该卡在消费日不可用（冻结、注销或过期）",
        "The card could not be used on that day (frozen, closed or expired)",
    ),
    (
        "import.receipt_conflict",
        "该小票号已按不同内容记过积分",
        "This receipt number was recorded with different content",
    ),
    (
        "import.receipt_refused",
        "该小票不能积分",
        "This receipt cannot earn points",
    ),
    // the console page (/points/import) and what every import page may say of a file
    ("points.import.title", "导入消费小票", "Import receipts"),
    (
        "points.import.hint",
        "每行一条小票明细，同一门店、同一小票号的各行合为一张小票；金额以元计，时间按门店当地时间。已记过的小票不会重复记积分。",
        "One row per receipt line; rows with the same store and receipt number make one receipt. Amounts in yuan, times in the store's local time. A receipt recorded before is not credited again.",
    ),
    (
        "points.import.template",
        "下载小票导入模板",
        "Download the receipt import template",
    ),
    ("points.import.done", "已记积分的小票", "Receipts credited"),
    ("points.import.points", "共记积分", "Points credited"),
    (
        "points.import.repeats",
        "此前已记过、本次未重复记入的小票",
        "Receipts recorded before and not added again",
    ),
    (
        "points.import.nothing_new",
        "文件中的小票此前都已记过积分，本次没有记入任何积分。",
        "Every receipt in the file was recorded before; nothing new was credited.",
    ),
    (
        "import.no_file",
        "请选择要导入的文件",
        "Choose a file to import",
    ),
    (
        "import.unreadable",
        "文件无法读取：请上传首行为列名的 CSV（UTF-8 编码）或 xlsx 文件",
        "The file cannot be read: upload a CSV (UTF-8) or xlsx file with a header row",
    ),
    (
        "import.no_rows",
        "文件中没有数据行，未导入任何记录",
        "The file has no data rows; nothing was imported",
    ),
];
