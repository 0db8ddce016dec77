//! Rebates (返扣, E9): a buyer's sold purchases not yet rebated are matched against the rebate
//! tiers; the request (请示报告单) is approved, which gives the rebate slip (返扣单) its
//! reconciliation number (对帐编号); the customer is told; at collection the rebate is paid in
//! stamped vouchers of exactly the rebate amount and the rebate register (返扣领取表) records
//! date, slip number, purchase, rebate, serials, expiry and the customer's signature.

use std::sync::Arc;

use chrono::NaiveDate;
use patron_core::Permission;
use patron_core::money::Fen;
use patron_core::vouchers::{Movement, rebate_for};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Link, Move};
use super::{GroupBuyError, staff_id, store_at};
use crate::approvals;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx};
use crate::kernel::validation::{Invalid, required_text};
use crate::web::said::Said;

pub use super::store::rebates::{RebateRow, get, list, open_purchases};

pub const KIND_REBATE: &str = "groupbuy.rebate";

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"store_code": "HQ", "buyer_id": 1})))]
pub struct RebateIn {
    pub store_code: String,
    pub buyer_id: i64,
}

/// Files a rebate request for a buyer's open purchases; they are claimed by it (so they are
/// never rebated twice) until it is rejected.
pub async fn request(ctx: &Ctx, input: &RebateIn) -> Result<RebateRow, GroupBuyError> {
    let store = store_at(ctx, &input.store_code, Permission::SellVouchers).await?;
    let settings = ctx
        .app
        .cache
        .get::<crate::areas::groupbuy::settings::GroupBuySettings>(ctx.db())
        .await?;
    let tiers = settings.tiers.clone();
    let unit = Fen(settings.row.rebate_unit_fen);
    let c = ctx.clone();
    let buyer_id = input.buyer_id;
    let id = ctx
        .db()
        .write(move |tx| {
            let (c, store, tiers) = (c.clone(), store.clone(), tiers.clone());
            Box::pin(async move {
                let (n, purchase) =
                    store::rebates::open_purchases(&mut *tx, store.id, buyer_id).await?;
                let Some((tier, amount)) =
                    rebate_for(&tiers, Fen(purchase), unit).filter(|_| n > 0)
                else {
                    return Err(GroupBuyError::Invalid(Invalid::one(
                        "buyer_id",
                        "invalid.below_rebate_tier",
                    )));
                };
                let day = c.today_at(&store);
                let no = crate::kernel::docno::doc_no(tx, "FK", &store.code, day).await?;
                let now = c.now();
                let id = store::rebates::insert(
                    tx,
                    &store::rebates::NewRebate {
                        rebate_no: &no,
                        store_id: store.id,
                        buyer_id,
                        purchase_fen: purchase,
                        rate_permille: tier.rate_permille,
                        rebate_fen: amount.0,
                        created_by: staff_id(&c).unwrap_or(0),
                        created_at: now,
                    },
                )
                .await?;
                let claimed = store::rebates::claim_sales(tx, id, store.id, buyer_id).await?;
                if i64::try_from(claimed).unwrap_or(0) != n {
                    return Err(GroupBuyError::Conflict(
                        "the buyer's purchases changed".into(),
                    ));
                }
                store::submit_for_approval(
                    &c,
                    tx,
                    "gb_rebates",
                    id,
                    store.id,
                    KIND_REBATE,
                    format!(
                        "返扣单 {no}: 购券 ¥{} × {}‰ = 返扣 ¥{}",
                        super::yuan(purchase),
                        tier.rate_permille,
                        super::yuan(amount.0)
                    ),
                )
                .await?;
                Ok::<_, GroupBuyError>(id)
            })
        })
        .await?;
    get(ctx.db(), id).await?.ok_or(GroupBuyError::NotFound)
}

/// The decision, inside its transaction: approval gives the reconciliation number; a rejection
/// frees the purchases for a later request.
pub(super) async fn on_decided(
    tx: &mut Tx,
    approval: &approvals::ApprovalRow,
) -> Result<(), GroupBuyError> {
    let id: i64 = approval
        .subject_id
        .parse()
        .map_err(|_| GroupBuyError::NotFound)?;
    if approval.status == "approved" {
        let year = approval
            .decided_at
            .map(|d| d.format("%Y").to_string())
            .unwrap_or_default();
        let n = crate::kernel::docno::next_number(tx, "DZ", &year).await?;
        let recon = format!("DZ{year}-{n:04}");
        store::rebates::approve(tx, id, &recon).await?;
    } else {
        let state = if approval.status == "rejected" {
            "rejected"
        } else {
            "withdrawn"
        };
        store::rebates::close_and_free(tx, id, state).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"how": "phone"})))]
pub struct NotifyIn {
    /// `phone` (called) or `sms`.
    pub how: String,
}

/// Records that the customer was told to collect (E9: 电话通知客户领取).
pub async fn notify(ctx: &Ctx, id: i64, input: &NotifyIn) -> Result<(), GroupBuyError> {
    let row = get(ctx.db(), id).await?.ok_or(GroupBuyError::NotFound)?;
    ctx.require_at(Permission::SellVouchers, row.store_id)?;
    let how = match input.how.trim() {
        "phone" => "phone",
        "sms" => "sms",
        _ => return Err(Invalid::one("how", "invalid.choice").into()),
    };
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let n = store::rebates::mark_notified(tx, id, c.now(), staff_id(&c), how).await?;
                if n == 0 {
                    return Err(GroupBuyError::Conflict(
                        "only an approved, unpaid rebate can be notified".into(),
                    ));
                }
                tx.audit(
                    c.audit("groupbuy.rebate.notify", "gb_rebate", id)
                        .after(&serde_json::json!({ "how": how })),
                );
                Ok(())
            })
        })
        .await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"ranges": "00020001-00020005", "signed_name": "王磊"})))]
pub struct PayIn {
    /// The rebate vouchers handed over, one range a line; their face values add up to the
    /// rebate.
    pub ranges: String,
    /// The customer's name as signed in the register.
    pub signed_name: String,
}

/// Pays an approved rebate in stamped vouchers (stamped → sold, as a rebate).
pub async fn pay(ctx: &Ctx, id: i64, input: &PayIn) -> Result<RebateRow, GroupBuyError> {
    let row = get(ctx.db(), id).await?.ok_or(GroupBuyError::NotFound)?;
    ctx.require_at(Permission::SellVouchers, row.store_id)?;
    let mut bad = Invalid::new();
    let ranges = super::parse_ranges("ranges", &input.ranges, &mut bad);
    let signed = bad.check("signed_name", required_text(&input.signed_name, 60));
    bad.into_result()?;
    let (Some(ranges), Some(signed)) = (ranges, signed) else {
        return Err(Invalid::one("ranges", "invalid.required").into());
    };
    let tz = super::store_tz(ctx, row.store_id).await?;
    let mut expires: Option<NaiveDate> = None;
    for r in &ranges {
        for f in store::range_facts(ctx.db(), *r).await? {
            expires = Some(expires.map_or(f.expires_on, |e| e.min(f.expires_on)));
        }
    }
    let req = Arc::new((ctx.clone(), ranges, signed, row));
    ctx.db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, ranges, signed, row) = &*req;
                let state = store::rebates::state(tx, id).await?;
                if state != "approved" {
                    return Err(GroupBuyError::Conflict(format!(
                        "rebate {} is {state}, not approved",
                        row.rebate_no
                    )));
                }
                let now = c.now();
                let day = crate::kernel::dates::business_date(now, tz);
                store::ensure_open(tx, row.store_id, day).await?;
                let (mut count, mut total) = (0, 0);
                for r in ranges {
                    let m = store::move_range(
                        tx,
                        &Move {
                            movement: Movement::Rebate,
                            range: *r,
                            field: "ranges",
                            held_by: Some(row.store_id),
                            requisition: None,
                            of_sale: None,
                            link: Link::Rebate(id),
                            face_value: None,
                            store_id: Some(row.store_id),
                            doc_kind: "rebate",
                            doc_id: id,
                            staff_id: staff_id(c),
                            at: now,
                            biz_date: day,
                            note: &row.rebate_no,
                        },
                    )
                    .await?;
                    count += m.count;
                    total += m.amount_fen;
                }
                if total != row.rebate_fen {
                    return Err(GroupBuyError::RangeState {
                        field: "ranges".into(),
                        said: Said::new("gb.refuse.rebate_total")
                            .text("got", format!("¥{}", super::yuan(total)))
                            .text("want", format!("¥{}", super::yuan(row.rebate_fen))),
                    });
                }
                let paid = store::rebates::Paid {
                    at: now,
                    by: staff_id(c),
                    on: day,
                    signed_name: signed,
                    expires_on: expires,
                };
                let n = store::rebates::mark_paid(tx, id, &paid).await?;
                if n == 0 {
                    return Err(GroupBuyError::Conflict(
                        "the rebate was paid already".into(),
                    ));
                }
                store::journal(
                    tx,
                    &store::JournalLine {
                        store_id: row.store_id,
                        at: now,
                        biz_date: day,
                        kind: "rebate",
                        summary: format!(
                            "返扣付券 {count} 张 ¥{} ({})",
                            super::yuan(total),
                            super::stock::ranges_text(ranges)
                        ),
                        doc_no: &row.rebate_no,
                        vouchers: -count,
                        debit_fen: 0,
                        credit_fen: 0,
                        staff_id: staff_id(c),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("groupbuy.rebate.pay", "gb_rebate", id)
                        .store(row.store_id)
                        .after(&serde_json::json!({ "count": count, "amount_fen": total })),
                );
                Ok(())
            })
        })
        .await?;
    get(ctx.db(), id).await?.ok_or(GroupBuyError::NotFound)
}

/// The serials paid out for a rebate (the register's 返扣票号).
pub async fn paid_ranges(db: &Db, id: i64) -> Result<Vec<String>, DbError> {
    let rows = store::rebates::paid_ranges(db, id).await?;
    Ok(rows
        .into_iter()
        .map(|(a, b)| patron_core::vouchers::SerialRange::new(a, b).to_string())
        .collect())
}
