//! The till API's reads (SPEC P1, `api/pos.md`): member lookup and the quote. The writes
//! (receipts, returns, redemptions) are use cases of `points`.

pub mod api;
pub mod pages;

use chrono::NaiveDate;
use patron_core::identity::{CardNo, Phone, mask_name};
use patron_core::money::Fen;
use patron_core::points::{self, AccrualContext, Line};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::areas::points::PointsError;
use crate::areas::points::receipts::{ReceiptLineIn, card_usable};
use crate::areas::points::store::{self, CardMember};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::validation::Invalid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LookupOut {
    pub member_id: i64,
    pub card_no: String,
    pub name_masked: String,
    pub tier: String,
    pub discount_percent: i64,
    pub points_rate: i64,
    pub points_balance: i64,
    pub birthday_today: bool,
    pub card_expires_on: NaiveDate,
}

/// Finds a member by card number or phone for a till (B8: the till never sends a tier), as of
/// the till's store's business date.
pub async fn lookup(
    ctx: &Ctx,
    card_no: Option<&str>,
    phone: Option<&str>,
) -> Result<LookupOut, PointsError> {
    let store_id = match &ctx.actor {
        crate::kernel::ctx::Actor::Till { store_id, .. } => Some(*store_id),
        _ => None,
    };
    lookup_at(ctx, store_id, card_no, phone).await
}

/// The same lookup as of the business date of `store_id` (the till stand-in's chosen store).
pub async fn lookup_at(
    ctx: &Ctx,
    store_id: Option<i64>,
    card_no: Option<&str>,
    phone: Option<&str>,
) -> Result<LookupOut, PointsError> {
    let cm = match (card_no.filter(|s| !s.trim().is_empty()), phone) {
        (Some(card), _) => {
            let card = CardNo::parse(card).map_err(|k| Invalid::one("card_no", k))?;
            store::card_member(ctx.db(), card.as_str()).await?
        }
        (None, Some(phone)) => {
            let phone = Phone::parse(phone).map_err(|k| Invalid::one("phone", k))?;
            let hash = ctx.app.pii.lookup("phone", phone.as_str());
            store::card_member_by_phone(ctx.db(), &hash).await?
        }
        (None, None) => return Err(Invalid::one("card_no", "invalid.required").into()),
    }
    .ok_or(PointsError::MemberNotFound)?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let tz = store_id
        .and_then(|id| stores.by_id(id).map(|s| s.tz))
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let today = business_date(ctx.now(), tz);
    card_usable(&masked(&cm), today)?;
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let tier = loyalty
        .tier(&cm.tier_code)
        .ok_or(PointsError::MemberNotFound)?;
    Ok(LookupOut {
        member_id: cm.member_id,
        card_no: cm.card_no.clone(),
        name_masked: mask_name(&cm.name),
        tier: cm.tier_code.clone(),
        discount_percent: tier.discount_percent,
        points_rate: tier.points_per_yuan,
        points_balance: cm.points_balance,
        birthday_today: cm.birthday.is_some_and(|b| points::is_birthday(b, today)),
        card_expires_on: cm.expires_on,
    })
}

/// The card with the member's name masked, for refusals sent to a till.
fn masked(cm: &CardMember) -> CardMember {
    CardMember {
        name: mask_name(&cm.name),
        ..cm.clone()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "card_no": "HQ00000001",
    "lines": [
        {
            "line_no": 1,
            "sku": "6901234567890",
            "amount_fen": 12800,
            "promotional": false
        },
        {
            "line_no": 2,
            "sku": "6909876543210",
            "amount_fen": 3500,
            "promotional": true
        }
    ]
})))]
pub struct QuoteIn {
    pub store_code: String,
    pub card_no: String,
    pub lines: Vec<ReceiptLineIn>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuoteLineOut {
    pub line_no: i64,
    pub discount_fen: i64,
    pub points: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuoteOut {
    pub discount_fen: i64,
    pub payable_fen: i64,
    pub points: i64,
    pub lines: Vec<QuoteLineOut>,
}

/// The tier discount and the points a basket would earn (writes nothing). Promotional lines
/// get neither discount nor points.
pub async fn quote(ctx: &Ctx, input: &QuoteIn) -> Result<QuoteOut, PointsError> {
    let mut bad = Invalid::new();
    let store = crate::areas::points::store_or(ctx, &input.store_code, &mut bad).await?;
    let card = bad.check("card_no", CardNo::parse(&input.card_no));
    if input.lines.is_empty() {
        bad.add("lines", "invalid.required");
    }
    if input.lines.len() > 500 {
        bad.add("lines", "invalid.too_many");
    }
    let mut seen = std::collections::HashSet::new();
    for (i, l) in input.lines.iter().enumerate() {
        if !seen.insert(l.line_no) {
            bad.add(&format!("lines[{i}].line_no"), "invalid.duplicate");
        }
        if l.amount_fen < 0 || l.amount_fen > 100_000_000_000 {
            bad.add(&format!("lines[{i}].amount_fen"), "invalid.amount");
        }
    }
    bad.into_result()?;
    let (Some(store), Some(card)) = (store, card) else {
        return Err(Invalid::one("card_no", "invalid.required").into());
    };
    let cm = store::card_member(ctx.db(), card.as_str())
        .await?
        .ok_or(PointsError::MemberNotFound)?;
    let today = business_date(ctx.now(), store.tz);
    card_usable(&masked(&cm), today)?;
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let tier = loyalty
        .tier(&cm.tier_code)
        .ok_or(PointsError::MemberNotFound)?;
    let discounts: Vec<i64> = input
        .lines
        .iter()
        .map(|l| {
            if l.promotional {
                0
            } else {
                // The discount rounds down: the member pays at most the rate.
                l.amount_fen * (100 - tier.discount_percent.clamp(0, 100)) / 100
            }
        })
        .collect();
    let after: Vec<Line> = input
        .lines
        .iter()
        .zip(&discounts)
        .map(|(l, d)| Line {
            amount: Fen(l.amount_fen - d),
            promotional: l.promotional,
        })
        .collect();
    let birthday = cm.birthday.is_some_and(|b| points::is_birthday(b, today));
    let (pts, _) = points::accrue(
        &after,
        AccrualContext {
            points_per_yuan: tier.points_per_yuan,
            multiplier_percent: if birthday {
                loyalty.settings.birthday_multiplier_percent
            } else {
                100
            },
            opening_receipt: false,
            before_card: false,
        },
    );
    let total: i64 = input.lines.iter().map(|l| l.amount_fen).sum();
    let discount: i64 = discounts.iter().sum();
    Ok(QuoteOut {
        discount_fen: discount,
        payable_fen: total - discount,
        points: pts.iter().map(|p| p.0).sum(),
        lines: input
            .lines
            .iter()
            .zip(discounts.iter().zip(&pts))
            .map(|(l, (d, p))| QuoteLineOut {
                line_no: l.line_no,
                discount_fen: *d,
                points: p.0,
            })
            .collect(),
    })
}
