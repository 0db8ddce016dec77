//! Spending points (SPEC C6–C8): a cash deduction at the till at the configured ratio, oldest
//! lots first, never below zero, once per store and receipt number.

use std::sync::Arc;

use patron_core::identity::CardNo;
use patron_core::money::Points;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::receipts::{card_usable, parse_no, spend_lots};
use super::store::{self, NewEntry, RedemptionRow};
use super::{Outcome, PointsError, body_hash, on_duplicate, who};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::validation::Invalid;

/// `POST /api/v1/pos/points/redeem`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "till_id": "T01",
    "receipt_no": "R20260925-0002",
    "card_no": "HQ00000001",
    "points": 100
})))]
pub struct RedeemIn {
    pub store_code: String,
    #[serde(default)]
    pub till_id: Option<String>,
    pub receipt_no: String,
    pub card_no: String,
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RedeemOut {
    pub points_spent: i64,
    pub value_fen: i64,
    pub points_balance: i64,
}

fn replay(row: &RedemptionRow, hash: &str) -> Result<(Outcome, RedeemOut), PointsError> {
    if row.body_hash != hash {
        return Err(PointsError::ReceiptConflict);
    }
    Ok((
        Outcome::Replayed,
        RedeemOut {
            points_spent: row.points,
            value_fen: row.value_fen,
            points_balance: row.balance_after,
        },
    ))
}

pub async fn redeem(ctx: &Ctx, input: &RedeemIn) -> Result<(Outcome, RedeemOut), PointsError> {
    let mut bad = Invalid::new();
    let store = super::store_or(ctx, &input.store_code, &mut bad).await?;
    let receipt_no = parse_no("receipt_no", &input.receipt_no, &mut bad);
    let card_no = bad.check("card_no", CardNo::parse(&input.card_no));
    if input.points <= 0 {
        bad.add("points", "invalid.points");
    }
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let value = loyalty.settings.ratio().value_of(Points(input.points));
    if input.points > 0 && value.0 <= 0 {
        bad.add("points", "invalid.points_too_few");
    }
    bad.into_result()?;
    let (Some(store), Some(receipt_no), Some(card_no)) = (store, receipt_no, card_no) else {
        return Err(Invalid::one("receipt_no", "invalid.required").into());
    };
    let hash = body_hash(&(&store.code, &receipt_no, card_no.as_str(), input.points));
    if let Some(row) = store::find_redemption(ctx.db(), store.id, &receipt_no).await? {
        return replay(&row, &hash);
    }
    let (till_id, staff_id) = who(ctx);
    let now = ctx.now();
    let points = input.points;
    let req = Arc::new((
        store.clone(),
        receipt_no.clone(),
        card_no,
        hash.clone(),
        till_id,
    ));
    let result = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (store, receipt_no, card_no, hash, till_id) = &*req;
                let cm = store::card_member(&mut *tx, card_no.as_str())
                    .await?
                    .ok_or(PointsError::MemberNotFound)?;
                let today = business_date(now, store.tz);
                card_usable(&cm, today)?;
                // The member row first: its lock orders this against a twin of this request.
                store::lock_balance(tx, cm.member_id).await?;
                if store::recorded_in(tx, store::Recorded::Redemption, store.id, receipt_no).await?
                {
                    return Err(PointsError::AlreadyRecorded);
                }
                // Points past their expiry are gone even if the expiry job has not run yet.
                super::expiry::expire_member_in(tx, cm.member_id, today, now).await?;
                let available = store::lock_balance(tx, cm.member_id).await?;
                let balance = store::take_balance(tx, cm.member_id, points)
                    .await?
                    .ok_or(PointsError::InsufficientPoints { available })?;
                spend_lots(tx, cm.member_id, points).await?;
                store::insert_entry(
                    tx,
                    &NewEntry {
                        member_id: cm.member_id,
                        at: now,
                        kind: "redemption",
                        points: -points,
                        balance_after: balance,
                        store_id: Some(store.id),
                        source_ref: Some(receipt_no),
                        till_id: till_id.as_deref(),
                        staff_id,
                        approved_by: None,
                        note: "",
                    },
                )
                .await?;
                let row = RedemptionRow {
                    body_hash: hash.clone(),
                    points,
                    value_fen: value.0,
                    balance_after: balance,
                };
                store::insert_redemption(
                    tx,
                    store.id,
                    receipt_no,
                    till_id.as_deref(),
                    cm.member_id,
                    &row,
                    now,
                )
                .await
                .map_err(on_duplicate)?;
                Ok(RedeemOut {
                    points_spent: points,
                    value_fen: value.0,
                    points_balance: balance,
                })
            })
        })
        .await;
    match result {
        Ok(out) => Ok((Outcome::Created, out)),
        Err(PointsError::AlreadyRecorded) => {
            let row = store::find_redemption(ctx.db(), store.id, &receipt_no)
                .await?
                .ok_or(PointsError::ReceiptConflict)?;
            replay(&row, &hash)
        }
        Err(e) => Err(e),
    }
}
