//! Rebates (返扣, E9): a buyer's sold purchases not yet rebated are matched against the rebate
//! tiers; the request (请示报告单) is approved, which gives the rebate slip (返扣单) its
//! reconciliation number (对帐编号); the customer is told; at collection the rebate is paid in
//! stamped vouchers of exactly the rebate amount and the rebate register (返扣领取表) records
//! date, slip number, purchase, rebate, serials, expiry and the customer's signature.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::Permission;
use patron_core::money::Fen;
use patron_core::vouchers::{Movement, rebate_for};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Link, Move};
use super::{GroupBuyError, staff_id, store_at, today};
use crate::approvals;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::kernel::validation::{Invalid, required_text};
use crate::{on_db, on_tx};

pub const KIND_REBATE: &str = "groupbuy.rebate";

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"store_code": "HQ", "buyer_id": 1})))]
pub struct RebateIn {
    pub store_code: String,
    pub buyer_id: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct RebateRow {
    pub id: i64,
    pub rebate_no: String,
    pub store_id: i64,
    pub buyer_id: i64,
    pub organisation: String,
    pub contact: String,
    pub purchase_fen: i64,
    pub rate_permille: i64,
    pub rebate_fen: i64,
    pub state: String,
    pub approval_id: Option<i64>,
    pub recon_no: Option<String>,
    pub notified_at: Option<DateTime<Utc>>,
    pub notified_how: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_on: Option<NaiveDate>,
    pub signed_name: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "r.id, r.rebate_no, r.store_id, r.buyer_id, b.organisation, b.contact, r.purchase_fen, \
     r.rate_permille, r.rebate_fen, r.state, r.approval_id, r.recon_no, r.notified_at, r.notified_how, \
     r.paid_at, r.paid_on, r.signed_name, r.expires_on, r.created_at \
     from gb_rebates r join gb_buyers b on b.id = r.buyer_id";

pub async fn get(db: &Db, id: i64) -> Result<Option<RebateRow>, DbError> {
    let sql = format!("select {COLUMNS} where r.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

pub async fn list(db: &Db, store_id: i64) -> Result<Vec<RebateRow>, DbError> {
    let sql = format!("select {COLUMNS} where r.store_id = $1 order by r.id desc limit 1000");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .fetch_all(p)
            .await?
    }))
}

/// What a buyer's sold, not yet rebated purchases at a store come to.
pub async fn open_purchases(db: &Db, store_id: i64, buyer_id: i64) -> Result<(i64, i64), DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select count(*), cast(coalesce(sum(amount_fen), 0) as bigint) from gb_sales \
             where store_id = $1 and buyer_id = $2 and state = 'sold' and rebate_id is null",
        )
        .bind(store_id)
        .bind(buyer_id)
        .fetch_one(p)
        .await?
    }))
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
                let (n, purchase): (i64, i64) = on_tx!(tx, |x| {
                    sqlx::query_as(
                        "select count(*), cast(coalesce(sum(amount_fen), 0) as bigint) from gb_sales \
                         where store_id = $1 and buyer_id = $2 and state = 'sold' and rebate_id is null",
                    )
                    .bind(store.id)
                    .bind(buyer_id)
                    .fetch_one(x)
                    .await?
                });
                let Some((tier, amount)) = rebate_for(&tiers, Fen(purchase), unit).filter(|_| n > 0)
                else {
                    return Err(GroupBuyError::Invalid(Invalid::one(
                        "buyer_id",
                        "invalid.below_rebate_tier",
                    )));
                };
                let day = today(&c, &store);
                let no = store::doc_no(tx, "FK", &store.code, day).await?;
                let now = c.now();
                let id: i64 = on_tx!(tx, |x| {
                    sqlx::query_scalar(
                        "insert into gb_rebates (rebate_no, store_id, buyer_id, purchase_fen, rate_permille, rebate_fen, \
                         state, created_by, created_at) values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) returning id",
                    )
                    .bind(&no)
                    .bind(store.id)
                    .bind(buyer_id)
                    .bind(purchase)
                    .bind(tier.rate_permille)
                    .bind(amount.0)
                    .bind(staff_id(&c).unwrap_or(0))
                    .bind(ts(now))
                    .fetch_one(x)
                    .await?
                });
                let claimed = on_tx!(tx, |x| {
                    sqlx::query(
                        "update gb_sales set rebate_id = $1 where store_id = $2 and buyer_id = $3 \
                         and state = 'sold' and rebate_id is null",
                    )
                    .bind(id)
                    .bind(store.id)
                    .bind(buyer_id)
                    .execute(x)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                if i64::try_from(claimed).unwrap_or(0) != n {
                    return Err(GroupBuyError::Conflict("the buyer's purchases changed".into()));
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
        let n = store::next_number(tx, "DZ", &year).await?;
        let recon = format!("DZ{year}-{n:04}");
        on_tx!(tx, |c| {
            sqlx::query(
                "update gb_rebates set state = 'approved', recon_no = $1 where id = $2 and state = 'pending'",
            )
            .bind(&recon)
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    } else {
        let state = if approval.status == "rejected" {
            "rejected"
        } else {
            "withdrawn"
        };
        on_tx!(tx, |c| {
            sqlx::query("update gb_rebates set state = $1 where id = $2 and state = 'pending'")
                .bind(state)
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        on_tx!(tx, |c| {
            sqlx::query("update gb_sales set rebate_id = null where rebate_id = $1")
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
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
                let n = on_tx!(tx, |x| {
                    sqlx::query(
                        "update gb_rebates set notified_at = $1, notified_by = $2, notified_how = $3 \
                         where id = $4 and state = 'approved'",
                    )
                    .bind(ts(c.now()))
                    .bind(staff_id(&c))
                    .bind(how)
                    .bind(id)
                    .execute(x)
                    .await
                    .map(|r| r.rows_affected())
                })?;
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
                let state: String = on_tx!(tx, |x| {
                    sqlx::query_scalar("select state from gb_rebates where id = $1")
                        .bind(id)
                        .fetch_one(x)
                        .await?
                });
                if state != "approved" {
                    return Err(GroupBuyError::Conflict(format!(
                        "rebate {} is {state}, not approved",
                        row.rebate_no
                    )));
                }
                let now = c.now();
                let day = crate::areas::points::business_date(now, tz);
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
                        detail: format!(
                            "the vouchers come to ¥{}; the rebate is ¥{}",
                            super::yuan(total),
                            super::yuan(row.rebate_fen)
                        ),
                    });
                }
                let n = on_tx!(tx, |x| {
                    sqlx::query(
                        "update gb_rebates set state = 'paid', paid_at = $1, paid_by = $2, paid_on = $3, \
                         signed_name = $4, expires_on = $5 where id = $6 and state = 'approved'",
                    )
                    .bind(ts(now))
                    .bind(staff_id(c))
                    .bind(day)
                    .bind(signed)
                    .bind(expires)
                    .bind(id)
                    .execute(x)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                if n == 0 {
                    return Err(GroupBuyError::Conflict("the rebate was paid already".into()));
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
    let rows: Vec<(i64, i64)> = on_db!(db, |p| {
        sqlx::query_as(
            "select first_serial, last_serial from voucher_movements where doc_kind = 'rebate' and doc_id = $1 order by id",
        )
        .bind(id)
        .fetch_all(p)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(a, b)| patron_core::vouchers::SerialRange::new(a, b).to_string())
        .collect())
}
