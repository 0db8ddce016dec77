//! Requisition (请示报告单 → 领券, E2): the department asks for quantities and face values; a
//! manager approves; finance sets aside ranges and a pick-up date; at pick-up finance records the
//! hand-over and the department checks serials, seal and quantity and signs for them. Both
//! registers (领券登记表) are the same record seen from each side, and the department's cash
//! journal gets the receipt.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use patron_core::Permission;
use patron_core::money::Fen;
use patron_core::vouchers::{Movement, SerialRange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Link, Move};
use super::{GroupBuyError, staff_id, store_at};
use crate::approvals;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::Tx;
use crate::kernel::validation::{Invalid, required_text};
use crate::web::said::Said;

pub use super::store::requisitions::{RequisitionRow, get, list};

pub const KIND_REQUISITION: &str = "groupbuy.requisition";

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RequisitionLine {
    /// Face value in yuan.
    pub face_value: String,
    pub quantity: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "lines": [
        {
            "face_value": "100",
            "quantity": "200"
        },
        {
            "face_value": "500",
            "quantity": "40"
        }
    ],
    "purpose": "国庆团购活动用券"
})))]
pub struct RequisitionIn {
    pub store_code: String,
    pub lines: Vec<RequisitionLine>,
    /// What the vouchers are for (the report's text).
    pub purpose: String,
}

/// A requested line as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Wanted {
    pub face_value_fen: i64,
    pub quantity: i64,
}

impl RequisitionRow {
    pub fn wanted(&self) -> Vec<Wanted> {
        serde_json::from_str(&self.lines).unwrap_or_default()
    }
}

/// Files the request report; it waits for a manager's approval.
pub async fn request(ctx: &Ctx, input: &RequisitionIn) -> Result<RequisitionRow, GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let mut bad = Invalid::new();
    let purpose = bad.check("purpose", required_text(&input.purpose, 500));
    let mut lines: Vec<Wanted> = Vec::new();
    for (i, l) in input.lines.iter().enumerate() {
        if l.face_value.trim().is_empty() && l.quantity.trim().is_empty() {
            continue;
        }
        let face = match Fen::parse_yuan(&l.face_value) {
            Ok(f) if f.0 > 0 && f.0 <= super::MAX_FACE_FEN => f.0,
            _ => {
                bad.add(&format!("lines[{i}].face_value"), "invalid.amount");
                0
            }
        };
        let quantity = match l.quantity.trim().parse::<i64>() {
            Ok(n) if (1..=10_000_000).contains(&n) => n,
            _ => {
                bad.add(&format!("lines[{i}].quantity"), "invalid.number");
                0
            }
        };
        lines.push(Wanted {
            face_value_fen: face,
            quantity,
        });
    }
    if input.lines.iter().all(|l| l.quantity.trim().is_empty()) {
        bad.add("lines[0].quantity", "invalid.required");
    }
    bad.into_result()?;
    let purpose = purpose.unwrap_or_default();
    let total_count: i64 = lines.iter().map(|l| l.quantity).sum();
    let total_fen: i64 = lines.iter().map(|l| l.quantity * l.face_value_fen).sum();
    let req = Arc::new((ctx.clone(), store, lines, purpose));
    let id = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, lines, purpose) = &*req;
                let day = c.today_at(store);
                let no = crate::kernel::docno::doc_no(tx, "QS", &store.code, day).await?;
                let id = store::requisitions::insert(
                    tx,
                    &store::requisitions::NewRequisition {
                        req_no: &no,
                        store_id: store.id,
                        lines: serde_json::to_string(lines).unwrap_or_default(),
                        total_count,
                        total_fen,
                        purpose,
                        created_by: staff_id(c).unwrap_or(0),
                        created_at: c.now(),
                    },
                )
                .await?;
                store::submit_for_approval(
                    c,
                    tx,
                    "gb_requisitions",
                    id,
                    store.id,
                    KIND_REQUISITION,
                    format!(
                        "请示报告单 {no}: {total_count} 张 ¥{}",
                        super::yuan(total_fen)
                    ),
                )
                .await?;
                Ok::<_, GroupBuyError>(id)
            })
        })
        .await?;
    get(ctx.db(), id).await?.ok_or(GroupBuyError::NotFound)
}

/// The approval's decision, inside its transaction.
pub(super) async fn on_decided(
    tx: &mut Tx,
    approval: &approvals::ApprovalRow,
) -> Result<(), GroupBuyError> {
    let id: i64 = approval
        .subject_id
        .parse()
        .map_err(|_| GroupBuyError::NotFound)?;
    let state = match approval.status.as_str() {
        "approved" => "approved",
        "rejected" => "rejected",
        _ => "withdrawn",
    };
    store::requisitions::set_decided(tx, id, state).await?;
    Ok(())
}

fn expect_state(row: &RequisitionRow, state: &str) -> Result<(), GroupBuyError> {
    if row.state == state {
        Ok(())
    } else {
        Err(GroupBuyError::Conflict(format!(
            "requisition {} is {}, not {state}",
            row.req_no, row.state
        )))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"ranges": "00010001-00010200", "pickup_on": "2026-09-28"})))]
pub struct PrepareIn {
    /// The ranges finance sets aside, one a line.
    pub ranges: String,
    /// `YYYY-MM-DD`.
    pub pickup_on: String,
}

/// Finance sets aside printed vouchers for an approved requisition: exactly the quantities of
/// each face value asked for, from stock at finance that no other requisition holds.
pub async fn prepare(ctx: &Ctx, id: i64, input: &PrepareIn) -> Result<(), GroupBuyError> {
    ctx.require(Permission::ManageVoucherStock)?;
    let mut bad = Invalid::new();
    let ranges = super::parse_ranges("ranges", &input.ranges, &mut bad);
    let pickup = bad.check(
        "pickup_on",
        NaiveDate::parse_from_str(input.pickup_on.trim(), "%Y-%m-%d").map_err(|_| "invalid.date"),
    );
    bad.into_result()?;
    let (Some(ranges), Some(pickup)) = (ranges, pickup) else {
        return Err(Invalid::one("ranges", "invalid.required").into());
    };
    let req = Arc::new((ctx.clone(), ranges));
    ctx.db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, ranges) = &*req;
                let row = get(&mut *tx, id).await?.ok_or(GroupBuyError::NotFound)?;
                expect_state(&row, "approved")?;
                let mut got: BTreeMap<i64, i64> = BTreeMap::new();
                for r in ranges {
                    let faces = store::requisitions::set_aside(tx, *r, id).await?;
                    if i64::try_from(faces.len()).unwrap_or(0) != r.count() {
                        return Err(GroupBuyError::RangeState {
                            field: "ranges".into(),
                            said: Said::new("gb.refuse.set_aside")
                                .text("range", r)
                                .text("total", r.count())
                                .text("ok", faces.len()),
                        });
                    }
                    for f in faces {
                        *got.entry(f).or_default() += 1;
                    }
                }
                let mut want: BTreeMap<i64, i64> = BTreeMap::new();
                for w in row.wanted() {
                    *want.entry(w.face_value_fen).or_default() += w.quantity;
                }
                if got != want {
                    let show = |m: &BTreeMap<i64, i64>| {
                        m.iter()
                            .map(|(f, n)| {
                                Said::new("gb.refuse.face_count")
                                    .text("n", n)
                                    .text("face", format!("¥{}", super::yuan(*f)))
                            })
                            .collect()
                    };
                    return Err(GroupBuyError::RangeState {
                        field: "ranges".into(),
                        said: Said::new("gb.refuse.faces")
                            .list("got", show(&got))
                            .list("want", show(&want)),
                    });
                }
                let text = super::stock::ranges_text(ranges);
                // Guarded: a concurrent prepare of the same requisition fails here and its
                // ranges are let go with its rollback.
                let n =
                    store::requisitions::mark_prepared(tx, id, &text, pickup, staff_id(c), c.now())
                        .await?;
                if n != 1 {
                    return Err(GroupBuyError::Conflict(format!(
                        "requisition {} was prepared meanwhile",
                        row.req_no
                    )));
                }
                tx.audit(
                    c.audit("groupbuy.requisition.prepare", "gb_requisition", id)
                        .store(row.store_id)
                        .after(&serde_json::json!({ "ranges": text, "pickup_on": pickup })),
                );
                Ok(())
            })
        })
        .await
}

/// Finance records the hand-over in its register (its signature).
pub async fn hand_over(ctx: &Ctx, id: i64) -> Result<(), GroupBuyError> {
    ctx.require(Permission::ManageVoucherStock)?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let row = get(&mut *tx, id).await?.ok_or(GroupBuyError::NotFound)?;
                expect_state(&row, "prepared")?;
                store::requisitions::mark_handed(tx, id, staff_id(&c), c.now()).await?;
                tx.audit(
                    c.audit("groupbuy.requisition.hand_over", "gb_requisition", id)
                        .store(row.store_id),
                );
                Ok(())
            })
        })
        .await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"serials_checked": true, "seal_checked": true, "quantity_checked": true})))]
pub struct ReceiveIn {
    #[serde(default)]
    pub serials_checked: bool,
    #[serde(default)]
    pub seal_checked: bool,
    #[serde(default)]
    pub quantity_checked: bool,
}

/// The department checks serials, the finance manager's seal and the quantity, and signs: the
/// vouchers join its stock (received, not yet stamped) and the cash journal records them.
pub async fn receive(ctx: &Ctx, id: i64, input: &ReceiveIn) -> Result<(), GroupBuyError> {
    let row = get(ctx.db(), id).await?.ok_or(GroupBuyError::NotFound)?;
    ctx.require_at(Permission::SellVouchers, row.store_id)?;
    let tz = super::store_tz(ctx, row.store_id).await?;
    let mut bad = Invalid::new();
    for (field, ok) in [
        ("serials_checked", input.serials_checked),
        ("seal_checked", input.seal_checked),
        ("quantity_checked", input.quantity_checked),
    ] {
        if !ok {
            bad.add(field, "invalid.must_check");
        }
    }
    bad.into_result()?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let row = get(&mut *tx, id).await?.ok_or(GroupBuyError::NotFound)?;
                expect_state(&row, "handed")?;
                let now = c.now();
                let day = crate::kernel::dates::business_date(now, tz);
                store::ensure_open(tx, row.store_id, day).await?;
                let ranges =
                    SerialRange::parse_list(&row.ranges).map_err(|k| Invalid::one("ranges", k))?;
                let (mut count, mut amount) = (0, 0);
                for r in ranges {
                    let m = store::move_range(
                        tx,
                        &Move {
                            movement: Movement::Handover,
                            range: r,
                            field: "ranges",
                            held_by: None,
                            requisition: Some(id),
                            of_sale: None,
                            link: Link::Store(row.store_id),
                            face_value: None,
                            store_id: Some(row.store_id),
                            doc_kind: "requisition",
                            doc_id: id,
                            staff_id: staff_id(&c),
                            at: now,
                            biz_date: day,
                            note: &row.req_no,
                        },
                    )
                    .await?;
                    count += m.count;
                    amount += m.amount_fen;
                }
                store::requisitions::mark_received(tx, id, staff_id(&c), now).await?;
                store::journal(
                    tx,
                    &store::JournalLine {
                        store_id: row.store_id,
                        at: now,
                        biz_date: day,
                        kind: "receive",
                        summary: format!(
                            "领券 {count} 张 面值 ¥{} ({})",
                            super::yuan(amount),
                            row.ranges
                        ),
                        doc_no: &row.req_no,
                        vouchers: count,
                        debit_fen: 0,
                        credit_fen: 0,
                        staff_id: staff_id(&c),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("groupbuy.requisition.receive", "gb_requisition", id)
                        .store(row.store_id)
                        .after(&serde_json::json!({ "count": count, "amount_fen": amount })),
                );
                Ok(())
            })
        })
        .await
}
