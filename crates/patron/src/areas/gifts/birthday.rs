//! Birthday gifts by tier (生日礼, SPEC J3): each tier may have a birthday gift; the
//! `birthday-greetings` job also creates the year's entitlement of each member whose birthday
//! is today (one per member and year); the reward desk hands it over during the birthday month,
//! once, taking the gift from the store's stock (movement kind `birthday`).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use patron_core::Permission;
use patron_core::identity::CardNo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{birthday as store, gifts};
use super::{GiftsError, Movement, staff_id, store_at, take_in};
use crate::areas::points::PointsError;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx};
use crate::kernel::validation::Invalid;

pub use super::store::birthday::{EntitlementRow, TierGift};

/// Every tier with its birthday gift, if it has one.
pub async fn settings(db: &Db) -> Result<Vec<TierGift>, DbError> {
    store::settings(db).await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct TierGiftIn {
    pub tier_code: String,
    /// Blank: the tier has no birthday gift.
    pub gift_code: String,
    #[serde(default)]
    pub qty: String,
}

/// Sets (or clears) a tier's birthday gift (ManageRewardSettings; audited).
pub async fn save_setting(ctx: &Ctx, input: &TierGiftIn) -> Result<(), GiftsError> {
    ctx.require(Permission::ManageRewardSettings)?;
    let mut bad = Invalid::new();
    let qty = match input.qty.trim() {
        "" => 1,
        t => match patron_core::typed::parse_int(t).ok_or(()) {
            Ok(n) if (1..=99).contains(&n) => n,
            _ => {
                bad.add("qty", "invalid.number");
                1
            }
        },
    };
    bad.into_result()?;
    let req = Arc::new((ctx.clone(), input.clone(), qty));
    ctx.db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, input, qty) = &*req;
                let tier = input.tier_code.trim().to_string();
                if !store::tier_exists(tx, &tier).await? {
                    return Err(Invalid::one("tier_code", "invalid.required").into());
                }
                if input.gift_code.trim().is_empty() {
                    store::clear_setting(tx, &tier).await?;
                } else {
                    let Some(gift) = gifts::by_code(&mut *tx, &input.gift_code)
                        .await?
                        .filter(|g| g.active)
                    else {
                        return Err(Invalid::one("gift_code", "gift.unknown").into());
                    };
                    store::set_setting(tx, &tier, gift.id, *qty).await?;
                }
                tx.audit(c.audit("birthday.settings", "tier", &tier).after(
                    &serde_json::json!({"gift": input.gift_code.trim().to_ascii_uppercase(), "qty": qty}),
                ));
                Ok::<_, GiftsError>(())
            })
        })
        .await
}

/// Creates this year's birthday gift entitlement of every active member whose birthday is
/// `today` and whose tier has a birthday gift (29 February counts on 28 February in other
/// years). Unique per member and year: a second run creates nothing. Returns how many it made.
pub async fn entitle(ctx: &Ctx, today: NaiveDate) -> Result<u64, DbError> {
    let md = today.format("%m-%d").to_string();
    let also = if today.month() == 2
        && today.day() == 28
        && NaiveDate::from_ymd_opt(today.year(), 2, 29).is_none()
    {
        "02-29".to_string()
    } else {
        md.clone()
    };
    let now = ctx.now();
    let year = i64::from(today.year());
    let month = i64::from(today.month());
    ctx.db()
        .write(move |tx| {
            let (md, also) = (md.clone(), also.clone());
            Box::pin(async move { store::entitle(tx, year, month, &md, &also, now).await })
        })
        .await
}

/// A member's unclaimed entitlement of `year` in its birthday month (the portal's note).
pub async fn open_for(
    db: &Db,
    member_id: i64,
    today: NaiveDate,
) -> Result<Option<EntitlementRow>, DbError> {
    store::open_for(
        db,
        member_id,
        i64::from(today.year()),
        i64::from(today.month()),
    )
    .await
}

/// The entitlements of a birthday month of a store's members (their card's store).
pub async fn month_list(
    db: &Db,
    store_id: i64,
    year: i64,
    month: i64,
) -> Result<Vec<EntitlementRow>, DbError> {
    store::month_list(db, store_id, year, month).await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = rewards::BirthdayClaimIn, examples(json!({"store_code": "HQ", "card_no": "HQ00000001"})))]
pub struct ClaimIn {
    pub store_code: String,
    pub card_no: String,
}

/// Hands over a member's birthday gift at the desk: only in the birthday month, once, from
/// this store's stock (out of stock refuses and writes nothing).
pub async fn claim(ctx: &Ctx, input: &ClaimIn) -> Result<EntitlementRow, GiftsError> {
    let mut bad = Invalid::new();
    let card = bad.check("card_no", CardNo::parse(&input.card_no));
    let store = store_at(ctx, &input.store_code, Permission::ClaimRewards).await?;
    bad.into_result()?;
    let Some(card) = card else {
        return Err(Invalid::one("card_no", "invalid.required").into());
    };
    let req = Arc::new((ctx.clone(), store, card));
    let id = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, store, card) = &*req;
                write_claim(tx, c, store, card).await
            })
        })
        .await?;
    store::get(ctx.db(), id).await?.ok_or(GiftsError::NotFound)
}

/// Inside the write: the entitlement marked handed over and its gift taken from the stock.
async fn write_claim(
    tx: &mut Tx,
    c: &Ctx,
    store: &StoreInfo,
    card: &CardNo,
) -> Result<i64, GiftsError> {
    let now = c.now();
    let today = crate::kernel::dates::business_date(now, store.tz);
    let cm = crate::areas::points::store::card_member(&mut *tx, card.as_str())
        .await?
        .ok_or(PointsError::MemberNotFound)?;
    crate::areas::points::receipts::card_usable(&cm, today)?;
    let Some(ent) = store::of_member(tx, cm.member_id, i64::from(today.year())).await? else {
        return Err(Invalid::one("card_no", "birthday.no_entitlement").into());
    };
    if ent.claimed_at.is_some() {
        return Err(Invalid::one("card_no", "birthday.already_claimed").into());
    }
    if ent.birth_month != i64::from(today.month()) {
        return Err(Invalid::one("card_no", "birthday.not_birthday_month").into());
    }
    let staff_id = staff_id(c);
    let no = crate::kernel::docno::doc_no(tx, store::CLAIM_PREFIX, &store.code, today).await?;
    if !store::mark_claimed(tx, ent.id, store.id, staff_id, (now, &no)).await? {
        return Err(Invalid::one("card_no", "birthday.already_claimed").into());
    }
    let taken = take_in(
        tx,
        &Movement {
            store_id: store.id,
            gift_id: ent.gift_id,
            kind: "birthday",
            qty: ent.qty,
            doc_kind: "birthday",
            doc_no: &no,
            note: "",
            staff_id,
            business_date: today,
            at: now,
        },
    )
    .await?;
    if taken.is_none() {
        let gift = gifts::by_id(&mut *tx, ent.gift_id)
            .await?
            .map(|g| g.name_zh)
            .unwrap_or_default();
        return Err(GiftsError::OutOfStock {
            gift,
            store: store.code.clone(),
        });
    }
    tx.audit(
        c.audit("birthday.claim", "birthday_entitlement", ent.id)
            .store(store.id)
            .after(&serde_json::json!({"member_id": cm.member_id, "doc_no": no})),
    );
    Ok(ent.id)
}
