//! The points exchange (积分兑换, SPEC C7): at the desk by card number, in the portal by the
//! signed-in member. One write debits the points (ledger kind `exchange`), takes the stock
//! (movement kind `exchange`) and records the exchange, or writes nothing.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::Permission;
use patron_core::identity::CardNo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{exchanges as store, gifts, movements};
use super::{GiftsError, Movement, store_at, take_in};
use crate::areas::points::PointsError;
use crate::areas::points::ledger::{Change, debit_in};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx};
use crate::kernel::validation::Invalid;

pub use super::store::exchanges::ExchangeRow;

pub async fn get_exchange(db: &Db, id: i64) -> Result<Option<ExchangeRow>, DbError> {
    store::get(db, id).await
}

/// Recent exchanges at a store (store_id) or of a member (member_id); 0 means any.
pub async fn list_exchanges(
    db: &Db,
    store_id: i64,
    member_id: i64,
) -> Result<Vec<ExchangeRow>, DbError> {
    store::list(db, store_id, member_id).await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = rewards::GiftExchangeIn, examples(json!({
    "store_code": "HQ",
    "card_no": "HQ00000001",
    "gift_code": "MUG",
    "qty": "1",
    "key": "desk-20260925-0042"
})))]
pub struct ExchangeIn {
    pub store_code: String,
    /// The member's card number (desk and API; the portal uses the signed-in member).
    #[serde(default)]
    pub card_no: String,
    pub gift_code: String,
    /// How many; 1 when blank.
    #[serde(default)]
    pub qty: String,
    /// A one-time key: a repeat with the same key answers the first exchange.
    #[serde(default)]
    pub key: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = rewards::GiftExchangeOut)]
pub struct ExchangeOut {
    pub id: i64,
    pub exchange_no: String,
    pub member_id: i64,
    pub store_code: String,
    pub gift_code: String,
    pub qty: i64,
    pub points: i64,
    /// The member's points after the exchange.
    pub points_balance: i64,
    /// The gift's stock at the store after the exchange.
    pub on_hand: i64,
    /// True when the key had been used: nothing new was written.
    pub replayed: bool,
}

/// Who exchanges: a card at the desk, or the portal's signed-in member.
#[derive(Debug, Clone)]
enum Who {
    Card(CardNo),
    Member(i64),
}

/// The desk (and API) exchange: IssueRewards at the store.
pub async fn exchange(ctx: &Ctx, input: &ExchangeIn) -> Result<ExchangeOut, GiftsError> {
    let mut bad = Invalid::new();
    let card = bad.check("card_no", CardNo::parse(&input.card_no));
    let store = store_at(ctx, &input.store_code, Permission::IssueRewards).await?;
    let channel = match ctx.actor {
        crate::kernel::ctx::Actor::Token { .. } => "api",
        _ => "desk",
    };
    let qty = parse_qty(&input.qty, &mut bad);
    bad.into_result()?;
    let Some(card) = card else {
        return Err(Invalid::one("card_no", "invalid.required").into());
    };
    run(ctx, Who::Card(card), store, input, qty, channel).await
}

/// The portal exchange of the signed-in member (the caller checked the session).
pub async fn exchange_for_member(
    ctx: &Ctx,
    member_id: i64,
    input: &ExchangeIn,
) -> Result<ExchangeOut, GiftsError> {
    let mut bad = Invalid::new();
    let store = crate::areas::points::store_or(ctx, &input.store_code, &mut bad).await?;
    let qty = parse_qty(&input.qty, &mut bad);
    if input.key.trim().is_empty() {
        bad.add("key", "invalid.required");
    }
    bad.into_result()?;
    let Some(store) = store else {
        return Err(Invalid::one("store_code", "invalid.store_code").into());
    };
    run(ctx, Who::Member(member_id), store, input, qty, "portal").await
}

fn parse_qty(text: &str, bad: &mut Invalid) -> i64 {
    match text.trim() {
        "" => 1,
        t => match patron_core::typed::parse_int(t).ok_or(()) {
            Ok(n) if (1..=99).contains(&n) => n,
            _ => {
                bad.add("qty", "invalid.number");
                1
            }
        },
    }
}

/// The first answer for a key that was used already.
async fn replay(
    ctx: &Ctx,
    key: &str,
    who: &Who,
    store: &StoreInfo,
) -> Result<Option<ExchangeOut>, GiftsError> {
    let Some((id, member_id)) = store::by_key(ctx.db(), key).await? else {
        return Ok(None);
    };
    if let Who::Member(m) = who
        && *m != member_id
    {
        return Err(Invalid::one("key", "exchange.key_used").into());
    }
    let row = store::get(ctx.db(), id)
        .await?
        .ok_or(GiftsError::NotFound)?;
    let balance = store::points_balance(ctx.db(), member_id).await?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let store_code = stores
        .by_id(row.store_id)
        .map(|s| s.code.clone())
        .unwrap_or_else(|| store.code.clone());
    let gift_id = store::gift_of(ctx.db(), id).await?;
    let on_hand = movements::on_hand(ctx.db(), row.store_id, gift_id).await?;
    Ok(Some(ExchangeOut {
        id,
        exchange_no: row.doc_no.clone(),
        member_id,
        store_code,
        gift_code: row.gift_code,
        qty: row.qty,
        points: row.points,
        points_balance: balance,
        on_hand,
        replayed: true,
    }))
}

async fn run(
    ctx: &Ctx,
    who: Who,
    store: StoreInfo,
    input: &ExchangeIn,
    qty: i64,
    channel: &'static str,
) -> Result<ExchangeOut, GiftsError> {
    let key = input.key.trim().to_string();
    if !key.is_empty() {
        if key.len() > 100 {
            return Err(Invalid::one("key", "invalid.too_long").into());
        }
        if let Some(out) = replay(ctx, &key, &who, &store).await? {
            return Ok(out);
        }
    }
    let req = Arc::new(Request {
        ctx: ctx.clone(),
        who: who.clone(),
        store: store.clone(),
        gift_code: input.gift_code.trim().to_ascii_uppercase(),
        key: key.clone(),
        qty,
        channel,
    });
    let result = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move { write_exchange(tx, &req).await })
        })
        .await;
    match result {
        Err(GiftsError::AlreadyRecorded) => replay(ctx, &key, &who, &store)
            .await?
            .ok_or(GiftsError::NotFound),
        other => other,
    }
}

/// What one exchange write needs.
struct Request {
    ctx: Ctx,
    who: Who,
    store: StoreInfo,
    gift_code: String,
    key: String,
    qty: i64,
    channel: &'static str,
}

/// The member who exchanges: the signed-in member (while active) or the card's holder (while
/// the card is usable).
async fn member_of(tx: &mut Tx, who: &Who, today: NaiveDate) -> Result<i64, GiftsError> {
    match who {
        Who::Member(id) => {
            let status = store::member_status(tx, *id).await?;
            if status.as_deref() != Some("active") {
                return Err(GiftsError::Points(PointsError::MemberNotFound));
            }
            Ok(*id)
        }
        Who::Card(card) => {
            let cm = crate::areas::points::store::card_member(&mut *tx, card.as_str())
                .await?
                .ok_or(PointsError::MemberNotFound)?;
            crate::areas::points::receipts::card_usable(&cm, today)?;
            Ok(cm.member_id)
        }
    }
}

/// Inside the write: the exchange row, the points debit and the stock taken, or nothing.
async fn write_exchange(tx: &mut Tx, r: &Request) -> Result<ExchangeOut, GiftsError> {
    let (c, store, qty) = (&r.ctx, &r.store, r.qty);
    let now: DateTime<Utc> = c.now();
    let today = crate::kernel::dates::business_date(now, store.tz);
    let member_id = member_of(tx, &r.who, today).await?;
    let gift = gifts::by_code(&mut *tx, &r.gift_code).await?;
    let Some((gift, price)) = gift
        .filter(|g| g.active)
        .and_then(|g| g.points_price.map(|p| (g, p)))
    else {
        return Err(Invalid::one("gift_code", "exchange.not_exchangeable").into());
    };
    let points = price
        .checked_mul(qty)
        .ok_or_else(|| Invalid::one("qty", "invalid.number"))?;
    let staff_id = c.actor.staff().map(|s| s.id);
    let no = crate::kernel::docno::doc_no(tx, store::EXCHANGE_PREFIX, &store.code, today).await?;
    let id = store::insert(
        tx,
        &store::NewExchange {
            doc_no: &no,
            member_id,
            store_id: store.id,
            gift_id: gift.id,
            qty,
            points,
            channel: r.channel,
            key: &r.key,
            staff_id,
            business_date: today,
            at: now,
        },
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            GiftsError::AlreadyRecorded
        } else {
            GiftsError::Db(e)
        }
    })?;
    let balance = debit_in(
        tx,
        &Change {
            member_id,
            points,
            kind: "exchange",
            store_id: Some(store.id),
            source_ref: &no,
            staff_id,
            note: &gift.name_zh,
            today,
            now,
        },
    )
    .await?;
    let on_hand = take_in(
        tx,
        &Movement {
            store_id: store.id,
            gift_id: gift.id,
            kind: "exchange",
            qty,
            doc_kind: "exchange",
            doc_no: &no,
            note: "",
            staff_id,
            business_date: today,
            at: now,
        },
    )
    .await?
    .ok_or_else(|| GiftsError::OutOfStock {
        gift: gift.name_zh.clone(),
        store: store.code.clone(),
    })?;
    tx.audit(
        c.audit("gift.exchange", "gift_exchange", id)
            .store(store.id)
            .after(&serde_json::json!({
                "exchange_no": no, "member_id": member_id, "gift": gift.code,
                "qty": qty, "points": points, "channel": r.channel,
            })),
    );
    Ok(ExchangeOut {
        id,
        exchange_no: no,
        member_id,
        store_code: store.code.clone(),
        gift_code: gift.code.clone(),
        qty,
        points,
        points_balance: balance,
        on_hand,
        replayed: false,
    })
}
