//! Requisition (请示报告单 → 领券, E2): the department asks for quantities and face values; a
//! manager approves; finance sets aside ranges and a pick-up date; at pick-up finance records the
//! hand-over and the department checks serials, seal and quantity and signs for them. Both
//! registers (领券登记表) are the same record seen from each side, and the department's cash
//! journal gets the receipt.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::Permission;
use patron_core::money::Fen;
use patron_core::vouchers::{Movement, SerialRange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Link, Move};
use super::{GroupBuyError, staff_id, store_at, today};
use crate::approvals;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::kernel::validation::{Invalid, required_text};
use crate::{on_db, on_tx};

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

#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct RequisitionRow {
    pub id: i64,
    pub req_no: String,
    pub store_id: i64,
    pub lines: String,
    pub total_count: i64,
    pub total_fen: i64,
    pub purpose: String,
    pub state: String,
    pub approval_id: Option<i64>,
    pub pickup_on: Option<NaiveDate>,
    pub ranges: String,
    pub prepared_by: Option<i64>,
    pub prepared_at: Option<DateTime<Utc>>,
    pub handed_by: Option<i64>,
    pub handed_at: Option<DateTime<Utc>>,
    pub received_by: Option<i64>,
    pub received_at: Option<DateTime<Utc>>,
    pub serials_checked: bool,
    pub seal_checked: bool,
    pub quantity_checked: bool,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

impl RequisitionRow {
    pub fn wanted(&self) -> Vec<Wanted> {
        serde_json::from_str(&self.lines).unwrap_or_default()
    }
}

const COLUMNS: &str = "id, req_no, store_id, lines, total_count, total_fen, purpose, state, approval_id, \
     pickup_on, ranges, prepared_by, prepared_at, handed_by, handed_at, received_by, received_at, \
     serials_checked, seal_checked, quantity_checked, created_by, created_at";

pub async fn get(db: &Db, id: i64) -> Result<Option<RequisitionRow>, DbError> {
    let sql = format!("select {COLUMNS} from gb_requisitions where id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

async fn get_in(tx: &mut Tx, id: i64) -> Result<RequisitionRow, GroupBuyError> {
    let sql = format!("select {COLUMNS} from gb_requisitions where id = $1");
    let row: Option<RequisitionRow> = on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await?
    });
    row.ok_or(GroupBuyError::NotFound)
}

pub async fn list(db: &Db, store_id: Option<i64>) -> Result<Vec<RequisitionRow>, DbError> {
    let sql = format!(
        "select {COLUMNS} from gb_requisitions where ($1 = 0 or store_id = $1) order by id desc limit 500"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id.unwrap_or(0))
            .fetch_all(p)
            .await?
    }))
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
                let day = today(c, store);
                let no = store::doc_no(tx, "QS", &store.code, day).await?;
                let id: i64 = on_tx!(tx, |x| {
                    sqlx::query_scalar(
                        "insert into gb_requisitions (req_no, store_id, lines, total_count, total_fen, purpose, state, created_by, created_at) \
                         values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) returning id",
                    )
                    .bind(&no)
                    .bind(store.id)
                    .bind(serde_json::to_string(lines).unwrap_or_default())
                    .bind(total_count)
                    .bind(total_fen)
                    .bind(purpose)
                    .bind(staff_id(c).unwrap_or(0))
                    .bind(ts(c.now()))
                    .fetch_one(x)
                    .await?
                });
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
    on_tx!(tx, |c| {
        sqlx::query("update gb_requisitions set state = $1 where id = $2 and state = 'pending'")
            .bind(state)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
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
                let row = get_in(tx, id).await?;
                expect_state(&row, "approved")?;
                let mut got: BTreeMap<i64, i64> = BTreeMap::new();
                for r in ranges {
                    let faces: Vec<i64> = on_tx!(tx, |x| {
                        sqlx::query_scalar(
                            "update vouchers set requisition_id = $3 where serial_no between $1 and $2 \
                             and state = 'finance' and requisition_id is null returning face_value_fen",
                        )
                        .bind(r.first.0)
                        .bind(r.last.0)
                        .bind(id)
                        .fetch_all(x)
                        .await?
                    });
                    if i64::try_from(faces.len()).unwrap_or(0) != r.count() {
                        return Err(GroupBuyError::RangeState {
                            field: "ranges".into(),
                            detail: format!(
                                "{r}: only {} of {} vouchers are at finance and not set aside",
                                faces.len(),
                                r.count()
                            ),
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
                            .map(|(f, n)| format!("{n} × ¥{}", super::yuan(*f)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    return Err(GroupBuyError::RangeState {
                        field: "ranges".into(),
                        detail: format!(
                            "the ranges hold {}; the requisition asks for {}",
                            show(&got),
                            show(&want)
                        ),
                    });
                }
                let text = super::stock::ranges_text(ranges);
                // Guarded: a concurrent prepare of the same requisition fails here and its
                // ranges are let go with its rollback.
                let n = on_tx!(tx, |x| {
                    sqlx::query(
                        "update gb_requisitions set state = 'prepared', ranges = $1, pickup_on = $2, \
                         prepared_by = $3, prepared_at = $4 where id = $5 and state = 'approved'",
                    )
                    .bind(&text)
                    .bind(pickup)
                    .bind(staff_id(c))
                    .bind(ts(c.now()))
                    .bind(id)
                    .execute(x)
                    .await
                    .map(|r| r.rows_affected())
                })?;
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
                let row = get_in(tx, id).await?;
                expect_state(&row, "prepared")?;
                on_tx!(tx, |x| {
                    sqlx::query(
                        "update gb_requisitions set state = 'handed', handed_by = $1, handed_at = $2 where id = $3",
                    )
                    .bind(staff_id(&c))
                    .bind(ts(c.now()))
                    .bind(id)
                    .execute(x)
                    .await
                    .map(|r| r.rows_affected())
                })?;
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
                let row = get_in(tx, id).await?;
                expect_state(&row, "handed")?;
                let now = c.now();
                let day = crate::areas::points::business_date(now, tz);
                store::ensure_open(tx, row.store_id, day).await?;
                let ranges = SerialRange::parse_list(&row.ranges)
                    .map_err(|k| Invalid::one("ranges", k))?;
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
                on_tx!(tx, |x| {
                    sqlx::query(
                        "update gb_requisitions set state = 'received', received_by = $1, received_at = $2, \
                         serials_checked = true, seal_checked = true, quantity_checked = true where id = $3",
                    )
                    .bind(staff_id(&c))
                    .bind(ts(now))
                    .bind(id)
                    .execute(x)
                    .await
                    .map(|r| r.rows_affected())
                })?;
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
