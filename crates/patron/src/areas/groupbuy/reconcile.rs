//! Month-end reconciliation with finance (每月1日—3日对帐, E10–E11): opening stock, vouchers
//! received, sold (amount and count, with the reason wherever a changed face value makes them
//! disagree), rebates (count, amount, slip numbers), void / damaged / lost, closing stock. The
//! department signs the figures; finance signs the same figures; then the month is closed and no
//! movement may be booked into it again.

use std::sync::Arc;

use chrono::NaiveDate;
use patron_core::Permission;
use patron_core::vouchers::{MonthCounts, SerialRange};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::reconcile as store;
use super::{GroupBuyError, staff_id, store_at};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::Db;
use crate::kernel::validation::Invalid;

pub use super::store::reconcile::{ReconRow, get, list};

/// A sale line whose face value was changed (the reason finance reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FaceChange {
    pub sale_no: String,
    pub range: String,
    pub count: i64,
    pub printed_fen: i64,
    pub sold_at_fen: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RebateSlip {
    pub rebate_no: String,
    pub recon_no: String,
    pub rebate_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentLine {
    pub payment: String,
    pub sales: i64,
    pub amount_fen: i64,
}

/// One store's month, as both sides sign it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthFigures {
    pub store_code: String,
    pub month: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[schema(value_type = Object)]
    pub counts: MonthCounts,
    pub received_fen: i64,
    /// What the sold vouchers were sold for.
    pub sold_fen: i64,
    /// What they would have come to at their printed face values.
    pub sold_printed_fen: i64,
    pub face_changes: Vec<FaceChange>,
    pub rebate_slips: Vec<RebateSlip>,
    pub rebate_fen: i64,
    pub void: i64,
    pub damaged: i64,
    pub lost: i64,
    pub written_off_fen: i64,
    pub by_payment: Vec<PaymentLine>,
    pub deposited_fen: i64,
    /// Vouchers used at this store's tills in the month (for information).
    pub redeemed: i64,
    pub redeemed_fen: i64,
}

/// Computes a month's figures from the ledger and the documents.
pub async fn figures(
    db: &Db,
    store: &StoreInfo,
    month: &str,
) -> Result<MonthFigures, GroupBuyError> {
    let (from, to) = crate::kernel::dates::month_bounds(month)
        .ok_or_else(|| Invalid::one("month", "invalid.month"))?;
    let opening = match from.pred_opt() {
        Some(d) => store::stock_at(db, store.id, d).await?,
        None => 0,
    };
    let closing = store::stock_at(db, store.id, to).await?;
    let kinds = store::movement_kinds(db, store.id, from, to).await?;
    let sum = |names: &[&str]| -> (i64, i64) {
        kinds
            .iter()
            .filter(|(k, _, _)| names.contains(&k.as_str()))
            .fold((0, 0), |(n, a), (_, c, f)| (n + c, a + f))
    };
    let (received, received_fen) = sum(&["handover"]);
    let (sold, sold_fen) = sum(&["sell", "release"]);
    let (rebated, rebate_fen) = sum(&["rebate"]);
    let (void, void_fen) = sum(&["void"]);
    let (damaged, damaged_fen) = sum(&["damage"]);
    let (lost, lost_fen) = sum(&["lose"]);
    let (redeemed, redeemed_fen) = sum(&["redeem"]);
    let (reissued, _) = sum(&["reissue"]);
    let changes = store::face_changes(db, store.id, from, to).await?;
    let printed_of_changed: i64 = changes.iter().map(|c| c.3 * c.4).sum();
    let sold_at_of_changed: i64 = changes.iter().map(|c| c.3 * c.5).sum();
    let slips = store::paid_slips(db, store.id, from, to).await?;
    let by_payment = store::by_payment(db, store.id, from, to).await?;
    let deposited_fen = store::deposited(db, store.id, from, to).await?;
    Ok(MonthFigures {
        store_code: store.code.clone(),
        month: crate::kernel::dates::month_key(from),
        from,
        to,
        counts: MonthCounts {
            opening,
            received,
            sold,
            rebated,
            written_off: void + damaged + lost,
            reissued,
            closing,
        },
        received_fen,
        sold_fen,
        sold_printed_fen: sold_fen - sold_at_of_changed + printed_of_changed,
        face_changes: changes
            .into_iter()
            .map(
                |(sale_no, a, b, count, printed, sold_at, reason)| FaceChange {
                    sale_no,
                    range: SerialRange::new(a, b).to_string(),
                    count,
                    printed_fen: printed,
                    sold_at_fen: sold_at,
                    reason,
                },
            )
            .collect(),
        rebate_slips: slips
            .into_iter()
            .map(|(rebate_no, recon_no, rebate_fen)| RebateSlip {
                rebate_no,
                recon_no: recon_no.unwrap_or_default(),
                rebate_fen,
            })
            .collect(),
        rebate_fen,
        void,
        damaged,
        lost,
        written_off_fen: void_fen + damaged_fen + lost_fen,
        by_payment: by_payment
            .into_iter()
            .map(|(payment, sales, amount_fen)| PaymentLine {
                payment,
                sales,
                amount_fen,
            })
            .collect(),
        deposited_fen,
        redeemed,
        redeemed_fen,
    })
}

impl ReconRow {
    pub fn signed_figures(&self) -> Option<MonthFigures> {
        serde_json::from_str(&self.figures).ok()
    }
}

fn check_month(ctx: &Ctx, store: &StoreInfo, month: &str) -> Result<String, GroupBuyError> {
    let (from, to) = crate::kernel::dates::month_bounds(month)
        .ok_or_else(|| Invalid::one("month", "invalid.month"))?;
    if ctx.today_at(store) <= to {
        return Err(GroupBuyError::Conflict(format!(
            "{} has not ended: it can be reconciled from {}",
            crate::kernel::dates::month_key(from),
            to.succ_opt().unwrap_or(to)
        )));
    }
    Ok(crate::kernel::dates::month_key(from))
}

/// The department signs the month's figures (they must balance).
pub async fn sign_department(
    ctx: &Ctx,
    store_code: &str,
    month: &str,
) -> Result<MonthFigures, GroupBuyError> {
    let store = store_at(ctx, store_code, Permission::SignForDepartment).await?;
    let month = check_month(ctx, &store, month)?;
    if get(ctx.db(), store.id, &month)
        .await?
        .is_some_and(|r| r.closed)
    {
        return Err(GroupBuyError::MonthClosed(month));
    }
    let figs = figures(ctx.db(), &store, &month).await?;
    if !figs.counts.balances() {
        return Err(GroupBuyError::Conflict(format!(
            "the month does not balance: opening + received − sold − rebated − written off = {}, closing = {}",
            figs.counts.expected_closing(),
            figs.counts.closing
        )));
    }
    let json = serde_json::to_string(&figs).unwrap_or_default();
    let req = Arc::new((ctx.clone(), store.clone(), month.clone(), json));
    ctx.db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, month, json) = &*req;
                let signed = store::Signed {
                    by: staff_id(c),
                    at: c.now(),
                };
                let n = store::sign_department(tx, store.id, month, json, signed).await?;
                if n == 0 {
                    return Err(GroupBuyError::MonthClosed(month.clone()));
                }
                tx.audit(
                    c.audit(
                        "groupbuy.reconcile.department",
                        "gb_reconciliation",
                        format!("{}:{month}", store.code),
                    )
                    .store(store.id)
                    .after(&serde_json::json!({ "month": month })),
                );
                Ok(())
            })
        })
        .await?;
    Ok(figs)
}

/// Finance signs the figures the department signed, if they still hold; the month closes.
pub async fn sign_finance(
    ctx: &Ctx,
    store_code: &str,
    month: &str,
) -> Result<MonthFigures, GroupBuyError> {
    let store = store_at(ctx, store_code, Permission::SignForFinance).await?;
    let month = check_month(ctx, &store, month)?;
    let row = get(ctx.db(), store.id, &month)
        .await?
        .filter(|r| r.dept_signed_by.is_some())
        .ok_or_else(|| {
            GroupBuyError::Conflict(format!("the department has not signed {month} yet"))
        })?;
    if row.closed {
        return Err(GroupBuyError::MonthClosed(month));
    }
    if row.dept_signed_by.is_some() && row.dept_signed_by == staff_id(ctx) {
        return Err(GroupBuyError::Conflict(
            "the same person cannot sign for both sides".into(),
        ));
    }
    let figs = figures(ctx.db(), &store, &month).await?;
    if row.signed_figures().as_ref() != Some(&figs) {
        return Err(GroupBuyError::Conflict(
            "the figures changed since the department signed: the department signs again".into(),
        ));
    }
    // Closed only as checked: the same signed figures by the same department signer.
    let signed = (row.figures.clone(), row.dept_signed_by.unwrap_or(0));
    let req = Arc::new((ctx.clone(), store.clone(), month.clone(), signed));
    ctx.db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, month, (figures, dept)) = &*req;
                let signed = store::Signed {
                    by: staff_id(c),
                    at: c.now(),
                };
                let n = store::sign_finance(tx, store.id, month, (figures, *dept), signed).await?;
                if n == 0 {
                    return Err(GroupBuyError::Conflict(format!(
                        "{month} was closed or signed again by the department meanwhile"
                    )));
                }
                tx.audit(
                    c.audit(
                        "groupbuy.reconcile.finance",
                        "gb_reconciliation",
                        format!("{}:{month}", store.code),
                    )
                    .store(store.id)
                    .after(&serde_json::json!({ "month": month, "closed": true })),
                );
                Ok(())
            })
        })
        .await?;
    Ok(figs)
}
