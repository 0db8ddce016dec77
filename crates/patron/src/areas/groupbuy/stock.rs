//! Voucher stock (E1, E3, E11, E13): finance prints a series (one row per voucher, at finance),
//! gives the print shop its file of serials and check codes; the department stamps what it
//! received; void, damaged and lost vouchers are written off with a reason and an approval.

use std::sync::Arc;

use chrono::NaiveDate;
use patron_core::Permission;
use patron_core::money::Fen;
use patron_core::vouchers::{Movement, Serial, SerialRange, check_code};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Link, Move, Moved, MovementRow};
use super::{GroupBuyError, parse_ranges, staff_id, store_at};
use crate::approvals;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Tx};
use crate::kernel::validation::{Invalid, required_text};
use crate::web::said::Said;

pub use super::store::stock::{SeriesRow, WriteOffRow, get_series, list_series, list_writeoffs};

pub const KIND_WRITEOFF: &str = "groupbuy.writeoff";

/// A new print run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "code": "2026B",
    "name": "2026年秋季团购券",
    "face_value": "100",
    "named": false,
    "expires_on": "2027-06-30",
    "count": "1000",
    "first_serial": ""
})))]
pub struct SeriesIn {
    /// A short code, e.g. `2026A`.
    pub code: String,
    pub name: String,
    /// Face value in yuan, e.g. `100` or `500.00`.
    pub face_value: String,
    /// Named (记名) vouchers.
    #[serde(default)]
    pub named: bool,
    /// `YYYY-MM-DD`.
    pub expires_on: String,
    pub count: String,
    /// The first serial; by default the one after the highest printed so far.
    #[serde(default)]
    pub first_serial: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SeriesOut {
    pub series_id: i64,
    pub first_serial: String,
    pub last_serial: String,
    pub count: i64,
    pub face_value_fen: i64,
}

/// The most vouchers one print run may have.
const MAX_SERIES: i64 = 5_000_000;

/// Prints a series: its vouchers are at finance. An anonymous series must keep to E12's face
/// value limit; the validity rule is checked at each sale.
pub async fn create_series(ctx: &Ctx, input: &SeriesIn) -> Result<SeriesOut, GroupBuyError> {
    ctx.require(Permission::ManageVoucherStock)?;
    let settings = ctx
        .app
        .cache
        .get::<crate::areas::groupbuy::settings::GroupBuySettings>(ctx.db())
        .await?;
    let mut bad = Invalid::new();
    let code = bad.check("code", required_text(&input.code, 20));
    let name = bad.check("name", required_text(&input.name, 60));
    let face = match Fen::parse_yuan(&input.face_value) {
        Ok(f) if f.0 > 0 && f.0 <= super::MAX_FACE_FEN => Some(f),
        _ => {
            bad.add("face_value", "invalid.amount");
            None
        }
    };
    if let Some(f) = face
        && !input.named
        && f > settings.limits().anonymous_max_face
    {
        bad.add("face_value", "e12.anonymous_face");
    }
    let expires_on = match NaiveDate::parse_from_str(input.expires_on.trim(), "%Y-%m-%d") {
        Ok(d) if d > ctx.today() => Some(d),
        _ => {
            bad.add("expires_on", "invalid.date");
            None
        }
    };
    let count = match input.count.trim().parse::<i64>() {
        Ok(n) if (1..=MAX_SERIES).contains(&n) => Some(n),
        _ => {
            bad.add("count", "invalid.number");
            None
        }
    };
    let first = if input.first_serial.trim().is_empty() {
        None
    } else {
        bad.check("first_serial", Serial::parse(&input.first_serial))
    };
    bad.into_result()?;
    let (Some(code), Some(name), Some(face), Some(expires_on), Some(count)) =
        (code, name, face, expires_on, count)
    else {
        return Err(Invalid::one("code", "invalid.required").into());
    };
    let req = Arc::new((ctx.clone(), code, name, input.named));
    ctx.db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (ctx, code, name, named) = &*req;
                let next = store::stock::next_serial(tx).await?;
                let start = first.map_or(next, |s| s.0);
                let range = SerialRange::new(start, start + count - 1);
                if range.last.0 > patron_core::vouchers::MAX_SERIAL {
                    return Err(Invalid::one("first_serial", "invalid.serial").into());
                }
                let taken = store::stock::series_overlapping(tx, range).await?;
                if taken > 0 {
                    return Err(Invalid::one("first_serial", "invalid.serial_range_taken").into());
                }
                let now = ctx.now();
                let series = store::stock::NewSeries {
                    code,
                    name,
                    face_value_fen: face.0,
                    named: *named,
                    expires_on,
                    range,
                    created_at: now,
                    created_by: staff_id(ctx),
                };
                let id = store::stock::insert_series(tx, &series)
                    .await
                    .map_err(|e| match super::on_duplicate(e) {
                        GroupBuyError::AlreadyRecorded => {
                            GroupBuyError::Invalid(Invalid::one("code", "invalid.duplicate"))
                        }
                        e => e,
                    })?;
                store::stock::insert_vouchers(tx, id, range, face.0).await?;
                store::insert_movement(
                    tx,
                    &MovementRow {
                        at: now,
                        biz_date: ctx.today(),
                        store_id: None,
                        kind: "print",
                        range,
                        count,
                        amount_fen: count * face.0,
                        from_state: "none",
                        to_state: "finance",
                        doc_kind: "series",
                        doc_id: id,
                        staff_id: staff_id(ctx),
                        till_id: None,
                        note: "",
                    },
                )
                .await?;
                tx.audit(ctx.audit("groupbuy.series", "voucher_series", id).after(
                    &serde_json::json!({ "code": code, "range": range.to_string(), "face_value_fen": face.0, "named": named, "expires_on": expires_on }),
                ));
                Ok(SeriesOut {
                    series_id: id,
                    first_serial: range.first.to_string(),
                    last_serial: range.last.to_string(),
                    count,
                    face_value_fen: face.0,
                })
            })
        })
        .await
}

/// The print shop's file (E13): serial, check code, face value and expiry, one voucher a line.
/// Only finance may make it; each download is audited.
pub async fn print_file(ctx: &Ctx, series_id: i64) -> Result<(String, Vec<u8>), GroupBuyError> {
    ctx.require(Permission::ManageVoucherStock)?;
    let series = get_series(ctx.db(), series_id)
        .await?
        .ok_or(GroupBuyError::NotFound)?;
    let key = ctx.app.secrets.voucher_key;
    let mut out = String::with_capacity(usize::try_from(series.range().count()).unwrap_or(0) * 40);
    out.push_str("serial,check_code,face_value,expires_on,series\n");
    let face = Fen(series.face_value_fen).plain().replace(',', "");
    for n in series.first_serial..=series.last_serial {
        let s = Serial(n);
        out.push_str(&format!(
            "{s},{},{face},{},{}\n",
            check_code(&key, s),
            series.expires_on,
            series.code
        ));
    }
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                tx.audit(c.audit("groupbuy.print_file", "voucher_series", series_id));
                Ok::<_, DbError>(())
            })
        })
        .await?;
    Ok((format!("vouchers-{}.csv", series.code), out.into_bytes()))
}

/// Stamping with the activity seal (E3): received → stamped, at the department's store.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"store_code": "HQ", "ranges": "00010001-00010100"})))]
pub struct StampIn {
    pub store_code: String,
    /// One range a line, e.g. `00010001-00011000`.
    pub ranges: String,
}

pub async fn stamp(ctx: &Ctx, input: &StampIn) -> Result<Moved, GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let mut bad = Invalid::new();
    let ranges = parse_ranges("ranges", &input.ranges, &mut bad);
    bad.into_result()?;
    let ranges = Arc::new(ranges.unwrap_or_default());
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, ranges, store) = (c.clone(), ranges.clone(), store.clone());
            Box::pin(async move {
                let day = c.today_at(&store);
                store::ensure_open(tx, store.id, day).await?;
                let mut total = Moved::default();
                for r in ranges.iter() {
                    let m = store::move_range(
                        tx,
                        &Move {
                            movement: Movement::Stamp,
                            range: *r,
                            field: "ranges",
                            held_by: Some(store.id),
                            requisition: None,
                            of_sale: None,
                            link: Link::None,
                            face_value: None,
                            store_id: Some(store.id),
                            doc_kind: "stamp",
                            doc_id: 0,
                            staff_id: staff_id(&c),
                            at: c.now(),
                            biz_date: day,
                            note: "",
                        },
                    )
                    .await?;
                    total.count += m.count;
                    total.amount_fen += m.amount_fen;
                }
                tx.audit(
                    c.audit("groupbuy.stamp", "vouchers", ranges_text(&ranges))
                        .store(store.id)
                        .after(&serde_json::json!({ "count": total.count })),
                );
                Ok(total)
            })
        })
        .await
}

pub fn ranges_text(ranges: &[SerialRange]) -> String {
    ranges
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A request to write vouchers off (E11).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "kind": "damage",
    "ranges": "00010101-00010102",
    "reason": "运输途中受潮损坏"
})))]
pub struct WriteOffIn {
    pub store_code: String,
    /// `void`, `damage` or `lose`.
    pub kind: String,
    pub ranges: String,
    pub reason: String,
}

/// Submits a write-off for approval. The ranges must be in a state the write-off may take them
/// from now; they are moved when the request is approved.
pub async fn request_writeoff(ctx: &Ctx, input: &WriteOffIn) -> Result<i64, GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let mut bad = Invalid::new();
    let kind = Movement::write_off(input.kind.trim());
    if kind.is_none() {
        bad.add("kind", "invalid.choice");
    }
    let ranges = parse_ranges("ranges", &input.ranges, &mut bad);
    let reason = bad.check("reason", required_text(&input.reason, 200));
    bad.into_result()?;
    let (Some(kind), Some(ranges), Some(reason)) = (kind, ranges, reason) else {
        return Err(Invalid::one("kind", "invalid.required").into());
    };
    let (allowed, _) = kind.path();
    let mut count = 0;
    let mut amount = 0;
    for r in &ranges {
        let (n, sum) = store::stock::count_in(ctx.db(), *r, store.id, allowed).await?;
        if n != r.count() {
            return Err(GroupBuyError::RangeState {
                field: "ranges".into(),
                said: Said::new("gb.refuse.writeoff")
                    .text("range", r)
                    .text("total", r.count())
                    .text("ok", n),
            });
        }
        count += n;
        amount += sum;
    }
    let text = ranges_text(&ranges);
    let req = Arc::new((ctx.clone(), store, kind, text, reason));
    ctx.db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, kind, text, reason) = &*req;
                let now = c.now();
                let writeoff = store::stock::NewWriteOff {
                    store_id: store.id,
                    kind: kind.code(),
                    ranges: text,
                    count,
                    amount_fen: amount,
                    reason,
                    created_by: staff_id(c).unwrap_or(0),
                    created_at: now,
                };
                let id = store::stock::insert_writeoff(tx, &writeoff).await?;
                store::submit_for_approval(
                    c,
                    tx,
                    "gb_writeoffs",
                    id,
                    store.id,
                    KIND_WRITEOFF,
                    format!(
                        "{} {} 张 ¥{} {} — {}",
                        writeoff_word(kind.code()),
                        count,
                        super::yuan(amount),
                        text,
                        reason
                    ),
                )
                .await?;
                Ok(id)
            })
        })
        .await
}

/// A write-off's kind as the stored summaries say it (in Chinese, as the journal is kept).
fn writeoff_word(code: &str) -> &'static str {
    crate::web::i18n::Lang::ZhCn.t(&format!("gb.wo.{code}"))
}

/// Carries out (or closes) a write-off when its approval is decided, inside the decision's
/// transaction.
pub(super) async fn on_decided(
    ctx: &Ctx,
    tx: &mut Tx,
    approval: &approvals::ApprovalRow,
    tz: chrono_tz::Tz,
) -> Result<(), GroupBuyError> {
    let writeoff_id: i64 = approval
        .subject_id
        .parse()
        .map_err(|_| GroupBuyError::NotFound)?;
    let row = store::stock::writeoff(tx, writeoff_id).await?;
    let state = match approval.status.as_str() {
        "approved" => "approved",
        "rejected" => "rejected",
        _ => "withdrawn",
    };
    store::stock::set_writeoff_state(tx, row.id, state).await?;
    if state != "approved" {
        return Ok(());
    }
    let movement = Movement::write_off(&row.kind).ok_or(GroupBuyError::NotFound)?;
    let ranges = SerialRange::parse_list(&row.ranges).map_err(|k| Invalid::one("ranges", k))?;
    let now = ctx.now();
    let day = crate::kernel::dates::business_date(now, tz);
    store::ensure_open(tx, row.store_id, day).await?;
    let mut total = 0;
    for r in ranges {
        let m = store::move_range(
            tx,
            &Move {
                movement,
                range: r,
                field: "ranges",
                held_by: Some(row.store_id),
                requisition: None,
                of_sale: None,
                link: Link::None,
                face_value: None,
                store_id: Some(row.store_id),
                doc_kind: "writeoff",
                doc_id: row.id,
                staff_id: staff_id(ctx),
                at: now,
                biz_date: day,
                note: &row.reason,
            },
        )
        .await?;
        total += m.amount_fen;
    }
    store::journal(
        tx,
        &store::JournalLine {
            store_id: row.store_id,
            at: now,
            biz_date: day,
            kind: "writeoff",
            summary: format!(
                "{} {} 张 面值 ¥{} — {}",
                writeoff_word(&row.kind),
                row.count,
                super::yuan(total),
                row.reason
            ),
            doc_no: &format!("WO{}", row.id),
            vouchers: -row.count,
            debit_fen: 0,
            credit_fen: 0,
            staff_id: staff_id(ctx),
        },
    )
    .await?;
    Ok(())
}

/// A department's vouchers by state and face value (the stock overview).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StateCount {
    pub state: String,
    pub face_value_fen: i64,
    pub count: i64,
    pub amount_fen: i64,
}

pub async fn overview(ctx: &Ctx, store_code: &str) -> Result<Vec<StateCount>, GroupBuyError> {
    let store = store_at(ctx, store_code, Permission::ViewGroupBuy).await?;
    let rows = store::state_counts(ctx.db(), Some(store.id)).await?;
    Ok(rows
        .into_iter()
        .map(|(state, face_value_fen, count, amount_fen)| StateCount {
            state,
            face_value_fen,
            count,
            amount_fen,
        })
        .collect())
}
