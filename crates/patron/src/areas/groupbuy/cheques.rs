//! Cheque and transfer sales after the sale (E6): the vouchers are released when the cheque has
//! cleared (not before its due date) or at once on a counter-deposit slip (倒存); a bounced
//! cheque returns the reserved serials to stock and hands nothing over.

use patron_core::Permission;
use patron_core::vouchers::Movement;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::sales::{SaleState, get, lines};
use super::store::{self, Link, Move};
use super::{GroupBuyError, staff_id};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::Tx;
use crate::kernel::validation::{Invalid, required_text};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"reason": "counter_deposit", "counter_slip_no": "BK20260925001"})))]
pub struct ReleaseIn {
    /// `cleared` (the cheque has cleared: not before its due date) or `counter_deposit` (倒存,
    /// with the bank's slip number).
    pub reason: String,
    #[serde(default)]
    pub counter_slip_no: String,
}

/// The sale as it is now, read inside the release or bounce.
async fn sale_now(tx: &mut Tx, id: i64) -> Result<SaleState, GroupBuyError> {
    store::sales::sale_state(tx, id)
        .await?
        .ok_or(GroupBuyError::NotFound)
}

/// Hands over the reserved vouchers of a cheque or transfer sale: the date seal goes on now.
pub async fn release(ctx: &Ctx, sale_id: i64, input: &ReleaseIn) -> Result<(), GroupBuyError> {
    let sale = get(ctx.db(), sale_id)
        .await?
        .ok_or(GroupBuyError::NotFound)?;
    ctx.require_at(Permission::SellVouchers, sale.store_id)?;
    let mut bad = Invalid::new();
    let reason = match input.reason.trim() {
        "cleared" => "cleared",
        "counter_deposit" => "counter_deposit",
        _ => {
            bad.add("reason", "invalid.choice");
            ""
        }
    };
    let slip = input.counter_slip_no.trim().to_string();
    if reason == "counter_deposit" && slip.is_empty() {
        bad.add("counter_slip_no", "invalid.required");
    }
    bad.into_result()?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let store = stores
        .by_id(sale.store_id)
        .cloned()
        .ok_or(GroupBuyError::NotFound)?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, slip, store) = (c.clone(), slip.clone(), store.clone());
            Box::pin(async move {
                let SaleState { store_id, sale_no, state, due_on, .. } = sale_now(tx, sale_id).await?;
                if state != "reserved" {
                    return Err(GroupBuyError::Conflict(format!("sale {sale_no} is {state}, not reserved")));
                }
                let now = c.now();
                let day = c.today_at(&store);
                if reason == "cleared" && due_on.is_some_and(|d| day < d) {
                    return Err(GroupBuyError::Conflict(format!(
                        "the cheque of sale {sale_no} is not due to clear before {}; release it earlier only with a counter-deposit slip",
                        due_on.map(|d| d.to_string()).unwrap_or_default()
                    )));
                }
                store::ensure_open(tx, store_id, day).await?;
                let sale_lines = lines(&mut *tx, sale_id).await?;
                let mut count = 0;
                for l in &sale_lines {
                    let m = store::move_range(
                        tx,
                        &Move {
                            movement: Movement::Release,
                            range: l.range(),
                            field: "sale",
                            held_by: Some(store_id),
                            requisition: None,
                            of_sale: Some(sale_id),
                            link: Link::None,
                            face_value: None,
                            store_id: Some(store_id),
                            doc_kind: "sale",
                            doc_id: sale_id,
                            staff_id: staff_id(&c),
                            at: now,
                            biz_date: day,
                            note: reason,
                        },
                    )
                    .await?;
                    count += m.count;
                }
                let released = store::sales::Released {
                    at: now,
                    by: staff_id(&c),
                    on: day,
                    reason,
                    counter_slip_no: (!slip.is_empty()).then_some(slip.as_str()),
                };
                store::sales::mark_released(tx, sale_id, &released).await?;
                store::journal(
                    tx,
                    &store::JournalLine {
                        store_id,
                        at: now,
                        biz_date: day,
                        kind: "release",
                        summary: if reason == "cleared" {
                            format!("支票到帐 付券 {count} 张")
                        } else {
                            format!("支票倒存 付券 {count} 张 银行进帐单 {slip}")
                        },
                        doc_no: &sale_no,
                        vouchers: -count,
                        debit_fen: 0,
                        credit_fen: 0,
                        staff_id: staff_id(&c),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("groupbuy.sale.release", "gb_sale", sale_id)
                        .store(store_id)
                        .after(&serde_json::json!({ "reason": reason, "counter_slip_no": slip })),
                );
                Ok(())
            })
        })
        .await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"reason": "出票人账户余额不足"})))]
pub struct BounceIn {
    pub reason: String,
}

/// A bounced cheque: nothing is handed over and the reserved serials go back to stock.
pub async fn bounce(ctx: &Ctx, sale_id: i64, input: &BounceIn) -> Result<(), GroupBuyError> {
    let sale = get(ctx.db(), sale_id)
        .await?
        .ok_or(GroupBuyError::NotFound)?;
    ctx.require_at(Permission::SellVouchers, sale.store_id)?;
    let mut bad = Invalid::new();
    let reason = bad.check("reason", required_text(&input.reason, 200));
    bad.into_result()?;
    let reason = reason.unwrap_or_default();
    let tz = super::store_tz(ctx, sale.store_id).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, reason) = (c.clone(), reason.clone());
            Box::pin(async move {
                let SaleState {
                    store_id,
                    sale_no,
                    state,
                    count,
                    amount_fen: amount,
                    ..
                } = sale_now(tx, sale_id).await?;
                if state != "reserved" {
                    return Err(GroupBuyError::Conflict(format!(
                        "sale {sale_no} is {state}, not reserved"
                    )));
                }
                let now = c.now();
                let day = crate::kernel::dates::business_date(now, tz);
                store::ensure_open(tx, store_id, day).await?;
                for l in lines(&mut *tx, sale_id).await? {
                    store::move_range(
                        tx,
                        &Move {
                            movement: Movement::Bounce,
                            range: l.range(),
                            field: "sale",
                            held_by: Some(store_id),
                            requisition: None,
                            of_sale: Some(sale_id),
                            link: Link::ClearSale,
                            // The printed face value comes back with the voucher.
                            face_value: Some(l.series_face_fen),
                            store_id: Some(store_id),
                            doc_kind: "sale",
                            doc_id: sale_id,
                            staff_id: staff_id(&c),
                            at: now,
                            biz_date: day,
                            note: &reason,
                        },
                    )
                    .await?;
                }
                store::sales::mark_bounced(tx, sale_id, now, staff_id(&c), &reason).await?;
                // A cheque was never cash on hand: the bounce is noted, the balance unchanged.
                store::journal(
                    tx,
                    &store::JournalLine {
                        store_id,
                        at: now,
                        biz_date: day,
                        kind: "bounce",
                        summary: format!(
                            "支票退票 {count} 张 ¥{} 退回库存 — {reason}",
                            super::yuan(amount)
                        ),
                        doc_no: &sale_no,
                        vouchers: 0,
                        debit_fen: 0,
                        credit_fen: 0,
                        staff_id: staff_id(&c),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("groupbuy.sale.bounce", "gb_sale", sale_id)
                        .store(store_id)
                        .after(&serde_json::json!({ "reason": reason })),
                );
                Ok(())
            })
        })
        .await
}
