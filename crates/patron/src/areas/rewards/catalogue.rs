//! The gift list (gifts and coupons, their value and points price) and the points exchange
//! catalogue (积分兑换, SPEC C7): at the desk by card number, in the portal by the signed-in
//! member. One write debits the points (ledger kind `exchange`), takes the stock (movement kind
//! `exchange`) and records the exchange, or writes nothing.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use patron_core::Permission;
use patron_core::identity::CardNo;
use patron_core::money::Fen;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::gifts::{Movement, take_in};
use super::{RewardsError, stock::store_at};
use crate::areas::points::PointsError;
use crate::areas::points::ledger::{Change, debit_in};
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, Tx, ts};
use crate::kernel::validation::{Invalid, required_text};
use crate::{on_db, on_tx};

/// One gift or coupon of the list.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct GiftRow {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `gift` or `coupon`.
    pub kind: String,
    pub value_fen: i64,
    /// Null: not in the exchange catalogue.
    pub points_price: Option<i64>,
    pub active: bool,
}

impl GiftRow {
    pub fn name(&self, en: bool) -> &str {
        if en && !self.name_en.is_empty() {
            &self.name_en
        } else {
            &self.name_zh
        }
    }
}

const GIFT: &str =
    "select id, code, name_zh, name_en, kind, value_fen, points_price, active from gifts";

pub async fn list_gifts(db: &Db) -> Result<Vec<GiftRow>, DbError> {
    let sql = format!("{GIFT} order by kind, code");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

pub async fn gift_by_code(db: &Db, code: &str) -> Result<Option<GiftRow>, DbError> {
    let sql = format!("{GIFT} where code = $1");
    let code = code.trim().to_ascii_uppercase();
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(p)
            .await?
    }))
}

pub(crate) async fn gift_by_code_in(tx: &mut Tx, code: &str) -> Result<Option<GiftRow>, DbError> {
    let sql = format!("{GIFT} where code = $1");
    let code = code.trim().to_ascii_uppercase();
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(c)
            .await?
    }))
}

pub(crate) async fn gift_in(tx: &mut Tx, id: i64) -> Result<Option<GiftRow>, DbError> {
    let sql = format!("{GIFT} where id = $1");
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await?
    }))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct GiftIn {
    /// Upper-case letters, digits and `-`; an existing code edits that gift.
    pub code: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// `gift` or `coupon`.
    pub kind: String,
    /// Value in yuan.
    pub value: String,
    /// Points price; blank: not exchangeable.
    #[serde(default)]
    pub points_price: String,
    #[serde(default)]
    pub active: bool,
}

/// Creates a gift, or edits the one with this code (ManageRewardSettings; audited).
pub async fn save_gift(ctx: &Ctx, input: &GiftIn) -> Result<i64, RewardsError> {
    ctx.require(Permission::ManageRewardSettings)?;
    let mut bad = Invalid::new();
    let code = input.code.trim().to_ascii_uppercase();
    if code.is_empty()
        || code.len() > 32
        || !code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
    {
        bad.add("code", "gift.invalid_code");
    }
    let name_zh = bad.check("name_zh", required_text(&input.name_zh, 100));
    let name_en = input.name_en.trim().to_string();
    if name_en.chars().count() > 100 {
        bad.add("name_en", "invalid.too_long");
    }
    if !["gift", "coupon"].contains(&input.kind.as_str()) {
        bad.add("kind", "invalid.required");
    }
    let value = match Fen::parse_yuan(&input.value) {
        Ok(f) if f.0 >= 0 && f.0 <= 100_000_000 => f.0,
        _ => {
            bad.add("value", "invalid.amount");
            0
        }
    };
    let price = match input.points_price.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if (1..=10_000_000).contains(&n) => Some(n),
            _ => {
                bad.add("points_price", "invalid.points");
                None
            }
        },
    };
    bad.into_result()?;
    let row = Arc::new((
        ctx.clone(),
        GiftRow {
            id: 0,
            code,
            name_zh: name_zh.unwrap_or_default(),
            name_en,
            kind: input.kind.clone(),
            value_fen: value,
            points_price: price,
            active: input.active,
        },
    ));
    ctx.db()
        .write(move |tx| {
            let row = row.clone();
            Box::pin(async move {
                let (c, g) = &*row;
                let before = gift_by_code_in(tx, &g.code).await?;
                let id: i64 = match &before {
                    Some(b) => {
                        on_tx!(tx, |x| {
                            sqlx::query(
                                "update gifts set name_zh = $1, name_en = $2, kind = $3, value_fen = $4, \
                                 points_price = $5, active = $6 where id = $7",
                            )
                            .bind(&g.name_zh)
                            .bind(&g.name_en)
                            .bind(&g.kind)
                            .bind(g.value_fen)
                            .bind(g.points_price)
                            .bind(g.active)
                            .bind(b.id)
                            .execute(x)
                            .await
                            .map(|r| r.rows_affected())
                        })?;
                        b.id
                    }
                    None => on_tx!(tx, |x| {
                        sqlx::query_scalar(
                            "insert into gifts (code, name_zh, name_en, kind, value_fen, points_price, active, created_at) \
                             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
                        )
                        .bind(&g.code)
                        .bind(&g.name_zh)
                        .bind(&g.name_en)
                        .bind(&g.kind)
                        .bind(g.value_fen)
                        .bind(g.points_price)
                        .bind(g.active)
                        .bind(ts(c.now()))
                        .fetch_one(x)
                        .await?
                    }),
                };
                let mut entry = c.audit("gift.save", "gift", id).after(g);
                if let Some(b) = &before {
                    entry = entry.before(b);
                }
                tx.audit(entry);
                Ok::<_, RewardsError>(id)
            })
        })
        .await
}

/// The exchange catalogue at a store: active gifts with a points price and the stock there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogueItem {
    pub gift: GiftRow,
    pub on_hand: i64,
}

pub async fn catalogue(db: &Db, store_id: i64) -> Result<Vec<CatalogueItem>, DbError> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        String,
        String,
        String,
        String,
        i64,
        Option<i64>,
        bool,
        Option<i64>,
    )> = on_db!(db, |p| {
        sqlx::query_as(
            "select g.id, g.code, g.name_zh, g.name_en, g.kind, g.value_fen, g.points_price, \
                 g.active, s.on_hand from gifts g \
                 left join gift_stock s on s.gift_id = g.id and s.store_id = $1 \
                 where g.active and g.points_price is not null order by g.points_price, g.code",
        )
        .bind(store_id)
        .fetch_all(p)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(id, code, name_zh, name_en, kind, value_fen, points_price, active, on_hand)| {
                CatalogueItem {
                    gift: GiftRow {
                        id,
                        code,
                        name_zh,
                        name_en,
                        kind,
                        value_fen,
                        points_price,
                        active,
                    },
                    on_hand: on_hand.unwrap_or(0),
                }
            },
        )
        .collect())
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

/// The exchange's document number.
pub fn exchange_no(id: i64) -> String {
    format!("DH{id:06}")
}

/// An exchange as lists and the slip show it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct ExchangeRow {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub card_no: Option<String>,
    pub store_id: i64,
    pub gift_code: String,
    pub gift_name_zh: String,
    pub gift_name_en: String,
    pub qty: i64,
    pub points: i64,
    pub channel: String,
    pub staff_id: Option<i64>,
    pub business_date: NaiveDate,
    pub at: DateTime<Utc>,
}

impl ExchangeRow {
    pub fn no(&self) -> String {
        exchange_no(self.id)
    }
}

const EXCHANGE: &str = "select e.id, e.member_id, m.name as member_name, c.card_no, e.store_id, \
     g.code as gift_code, g.name_zh as gift_name_zh, g.name_en as gift_name_en, e.qty, e.points, \
     e.channel, e.staff_id, e.business_date, e.at from gift_exchanges e \
     join members m on m.id = e.member_id join gifts g on g.id = e.gift_id \
     left join cards c on c.member_id = e.member_id and c.state in ('issued', 'active', 'frozen')";

pub async fn get_exchange(db: &Db, id: i64) -> Result<Option<ExchangeRow>, DbError> {
    let sql = format!("{EXCHANGE} where e.id = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    }))
}

/// Recent exchanges at a store (store_id) or of a member (member_id); 0 means any.
pub async fn list_exchanges(
    db: &Db,
    store_id: i64,
    member_id: i64,
) -> Result<Vec<ExchangeRow>, DbError> {
    let sql = format!(
        "{EXCHANGE} where ($1 = 0 or e.store_id = $1) and ($2 = 0 or e.member_id = $2) \
         order by e.id desc limit 200"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(member_id)
            .fetch_all(p)
            .await?
    }))
}

/// Who exchanges: a card at the desk, or the portal's signed-in member.
#[derive(Debug, Clone)]
enum Who {
    Card(CardNo),
    Member(i64),
}

/// The desk (and API) exchange: IssueRewards at the store.
pub async fn exchange(ctx: &Ctx, input: &ExchangeIn) -> Result<ExchangeOut, RewardsError> {
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
) -> Result<ExchangeOut, RewardsError> {
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
        t => match t.parse::<i64>() {
            Ok(n) if (1..=99).contains(&n) => n,
            _ => {
                bad.add("qty", "invalid.number");
                1
            }
        },
    }
}

async fn find_by_key(db: &Db, key: &str) -> Result<Option<(i64, i64)>, DbError> {
    let key = key.to_string();
    Ok(on_db!(db, |p| {
        sqlx::query_as("select id, member_id from gift_exchanges where idem_key = $1")
            .bind(key)
            .fetch_optional(p)
            .await?
    }))
}

/// The first answer for a key that was used already.
async fn replay(
    ctx: &Ctx,
    key: &str,
    who: &Who,
    store: &StoreInfo,
) -> Result<Option<ExchangeOut>, RewardsError> {
    let Some((id, member_id)) = find_by_key(ctx.db(), key).await? else {
        return Ok(None);
    };
    if let Who::Member(m) = who
        && *m != member_id
    {
        return Err(Invalid::one("key", "exchange.key_used").into());
    }
    let row = get_exchange(ctx.db(), id)
        .await?
        .ok_or(RewardsError::NotFound)?;
    let balance: i64 = on_db!(ctx.db(), |p| {
        sqlx::query_scalar("select points_balance from members where id = $1")
            .bind(member_id)
            .fetch_one(p)
            .await?
    });
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let store_code = stores
        .by_id(row.store_id)
        .map(|s| s.code.clone())
        .unwrap_or_else(|| store.code.clone());
    let gift_id: i64 = on_db!(ctx.db(), |p| {
        sqlx::query_scalar("select gift_id from gift_exchanges where id = $1")
            .bind(id)
            .fetch_one(p)
            .await?
    });
    let on_hand: Option<i64> = on_db!(ctx.db(), |p| {
        sqlx::query_scalar("select on_hand from gift_stock where store_id = $1 and gift_id = $2")
            .bind(row.store_id)
            .bind(gift_id)
            .fetch_optional(p)
            .await?
    });
    Ok(Some(ExchangeOut {
        id,
        exchange_no: exchange_no(id),
        member_id,
        store_code,
        gift_code: row.gift_code,
        qty: row.qty,
        points: row.points,
        points_balance: balance,
        on_hand: on_hand.unwrap_or(0),
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
) -> Result<ExchangeOut, RewardsError> {
    let key = input.key.trim().to_string();
    if !key.is_empty() {
        if key.len() > 100 {
            return Err(Invalid::one("key", "invalid.too_long").into());
        }
        if let Some(out) = replay(ctx, &key, &who, &store).await? {
            return Ok(out);
        }
    }
    let gift_code = input.gift_code.trim().to_ascii_uppercase();
    let req = Arc::new((
        ctx.clone(),
        who.clone(),
        store.clone(),
        gift_code,
        key.clone(),
    ));
    let result = ctx
        .db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move {
                let (c, who, store, gift_code, key) = &*req;
                let now = c.now();
                let today = crate::areas::points::business_date(now, store.tz);
                let member_id = match who {
                    Who::Member(id) => {
                        let status: Option<String> = on_tx!(tx, |x| {
                            sqlx::query_scalar("select status from members where id = $1")
                                .bind(*id)
                                .fetch_optional(x)
                                .await?
                        });
                        if status.as_deref() != Some("active") {
                            return Err(RewardsError::Points(PointsError::MemberNotFound));
                        }
                        *id
                    }
                    Who::Card(card) => {
                        let cm = crate::areas::points::store::card_member_in(tx, card.as_str())
                            .await?
                            .ok_or(PointsError::MemberNotFound)?;
                        crate::areas::points::receipts::card_usable(&cm, today)?;
                        cm.member_id
                    }
                };
                let gift = gift_by_code_in(tx, gift_code).await?;
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
                let id: i64 = on_tx!(tx, |x| {
                    sqlx::query_scalar(
                        "insert into gift_exchanges (member_id, store_id, gift_id, qty, points, channel, \
                         idem_key, staff_id, business_date, at) \
                         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
                    )
                    .bind(member_id)
                    .bind(store.id)
                    .bind(gift.id)
                    .bind(qty)
                    .bind(points)
                    .bind(channel)
                    .bind(if key.is_empty() { None } else { Some(key.as_str()) })
                    .bind(staff_id)
                    .bind(today)
                    .bind(ts(now))
                    .fetch_one(x)
                    .await
                    .map_err(on_duplicate)?
                });
                let no = exchange_no(id);
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
                .ok_or_else(|| RewardsError::OutOfStock {
                    gift: gift.name_zh.clone(),
                    store: store.code.clone(),
                })?;
                tx.audit(
                    c.audit("gift.exchange", "gift_exchange", id)
                        .store(store.id)
                        .after(&serde_json::json!({
                            "exchange_no": no, "member_id": member_id, "gift": gift.code,
                            "qty": qty, "points": points, "channel": channel,
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
            })
        })
        .await;
    match result {
        Err(RewardsError::AlreadyRecorded) => replay(ctx, &key, &who, &store)
            .await?
            .ok_or(RewardsError::NotFound),
        other => other,
    }
}

pub(crate) fn on_duplicate(e: sqlx::Error) -> RewardsError {
    let e = DbError::from(e);
    if e.is_unique_violation() {
        RewardsError::AlreadyRecorded
    } else {
        RewardsError::Db(e)
    }
}
