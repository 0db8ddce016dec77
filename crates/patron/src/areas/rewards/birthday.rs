//! Birthday gifts by tier (生日礼, SPEC J3): each tier may have a birthday gift; the
//! `birthday-greetings` job also creates the year's entitlement of each member whose birthday
//! is today (one per member and year); the reward desk hands it over during the birthday month,
//! once, taking the gift from the store's stock (movement kind `birthday`).

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use patron_core::Permission;
use patron_core::identity::CardNo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RewardsError;
use super::catalogue::gift_by_code_in;
use super::gifts::{Movement, take_in};
use super::stock::store_at;
use crate::areas::points::PointsError;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, ts};
use crate::kernel::validation::Invalid;
use crate::{on_db, on_tx};

/// A tier and its birthday gift.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TierGift {
    pub tier_code: String,
    pub tier_zh: String,
    pub tier_en: String,
    pub gift_code: Option<String>,
    pub gift_zh: Option<String>,
    pub gift_en: Option<String>,
    pub qty: Option<i64>,
}

pub async fn settings(db: &Db) -> Result<Vec<TierGift>, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
            "select t.code as tier_code, t.name_zh as tier_zh, t.name_en as tier_en, g.code as gift_code, \
             g.name_zh as gift_zh, g.name_en as gift_en, s.qty from tiers t \
             left join birthday_gift_settings s on s.tier_code = t.code \
             left join gifts g on g.id = s.gift_id order by t.rank",
        )
        .fetch_all(p)
        .await?
    }))
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
pub async fn save_setting(ctx: &Ctx, input: &TierGiftIn) -> Result<(), RewardsError> {
    ctx.require(Permission::ManageRewardSettings)?;
    let mut bad = Invalid::new();
    let qty = match input.qty.trim() {
        "" => 1,
        t => match t.parse::<i64>() {
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
                let known: Option<String> = on_tx!(tx, |x| {
                    sqlx::query_scalar("select code from tiers where code = $1")
                        .bind(&tier)
                        .fetch_optional(x)
                        .await?
                });
                if known.is_none() {
                    return Err(Invalid::one("tier_code", "invalid.required").into());
                }
                if input.gift_code.trim().is_empty() {
                    on_tx!(tx, |x| {
                        sqlx::query("delete from birthday_gift_settings where tier_code = $1")
                            .bind(&tier)
                            .execute(x)
                            .await
                            .map(|r| r.rows_affected())
                    })?;
                } else {
                    let Some(gift) = gift_by_code_in(tx, &input.gift_code)
                        .await?
                        .filter(|g| g.active)
                    else {
                        return Err(Invalid::one("gift_code", "gift.unknown").into());
                    };
                    on_tx!(tx, |x| {
                        sqlx::query(
                            "insert into birthday_gift_settings (tier_code, gift_id, qty) values ($1, $2, $3) \
                             on conflict (tier_code) do update set gift_id = $2, qty = $3",
                        )
                        .bind(&tier)
                        .bind(gift.id)
                        .bind(*qty)
                        .execute(x)
                        .await
                        .map(|r| r.rows_affected())
                    })?;
                }
                tx.audit(c.audit("birthday.settings", "tier", &tier).after(
                    &serde_json::json!({"gift": input.gift_code.trim().to_ascii_uppercase(), "qty": qty}),
                ));
                Ok::<_, RewardsError>(())
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
            Box::pin(async move {
                let n = on_tx!(tx, |c| {
                    sqlx::query(
                        "insert into birthday_entitlements (member_id, year, birth_month, tier_code, gift_id, qty, created_at) \
                         select m.id, $1, $2, m.tier_code, s.gift_id, s.qty, $3 from members m \
                         join birthday_gift_settings s on s.tier_code = m.tier_code \
                         where m.birth_md in ($4, $5) and m.status = 'active' \
                         on conflict (member_id, year) do nothing",
                    )
                    .bind(year)
                    .bind(month)
                    .bind(ts(now))
                    .bind(&md)
                    .bind(&also)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                Ok::<_, DbError>(n)
            })
        })
        .await
}

/// An entitlement as the desk's list shows it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
pub struct EntitlementRow {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub card_no: Option<String>,
    pub year: i64,
    pub birth_month: i64,
    pub tier_code: String,
    pub gift_code: String,
    pub gift_zh: String,
    pub gift_en: String,
    pub qty: i64,
    pub created_at: DateTime<Utc>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claimed_store_id: Option<i64>,
}

impl EntitlementRow {
    pub fn no(&self) -> String {
        format!("SR{:06}", self.id)
    }
}

const ENTITLEMENT: &str = "select b.id, b.member_id, m.name as member_name, c.card_no, b.year, \
     b.birth_month, b.tier_code, g.code as gift_code, g.name_zh as gift_zh, g.name_en as gift_en, \
     b.qty, b.created_at, b.claimed_at, b.claimed_store_id from birthday_entitlements b \
     join members m on m.id = b.member_id join gifts g on g.id = b.gift_id \
     left join cards c on c.member_id = b.member_id and c.state in ('issued', 'active', 'frozen')";

/// The entitlements of a birthday month.
pub async fn month_list(db: &Db, year: i64, month: i64) -> Result<Vec<EntitlementRow>, DbError> {
    let sql = format!("{ENTITLEMENT} where b.year = $1 and b.birth_month = $2 order by b.id");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(year)
            .bind(month)
            .fetch_all(p)
            .await?
    }))
}

/// A member's unclaimed entitlement of `year` in its birthday month (the portal's note).
pub async fn open_for(
    db: &Db,
    member_id: i64,
    today: NaiveDate,
) -> Result<Option<EntitlementRow>, DbError> {
    let sql = format!(
        "{ENTITLEMENT} where b.member_id = $1 and b.year = $2 and b.birth_month = $3 and b.claimed_at is null"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(member_id)
            .bind(i64::from(today.year()))
            .bind(i64::from(today.month()))
            .fetch_optional(p)
            .await?
    }))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = rewards::BirthdayClaimIn, examples(json!({"store_code": "HQ", "card_no": "HQ00000001"})))]
pub struct ClaimIn {
    pub store_code: String,
    pub card_no: String,
}

/// Hands over a member's birthday gift at the desk: only in the birthday month, once, from
/// this store's stock (out of stock refuses and writes nothing).
pub async fn claim(ctx: &Ctx, input: &ClaimIn) -> Result<EntitlementRow, RewardsError> {
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
                let now = c.now();
                let today = crate::areas::points::business_date(now, store.tz);
                let cm = crate::areas::points::store::card_member_in(tx, card.as_str())
                    .await?
                    .ok_or(PointsError::MemberNotFound)?;
                crate::areas::points::receipts::card_usable(&cm, today)?;
                #[allow(clippy::type_complexity)]
                let ent: Option<(i64, i64, i64, i64, Option<DateTime<Utc>>)> = on_tx!(tx, |x| {
                    sqlx::query_as(
                        "select id, birth_month, gift_id, qty, claimed_at from birthday_entitlements \
                         where member_id = $1 and year = $2",
                    )
                    .bind(cm.member_id)
                    .bind(i64::from(today.year()))
                    .fetch_optional(x)
                    .await?
                });
                let Some((id, month, gift_id, qty, claimed)) = ent else {
                    return Err(Invalid::one("card_no", "birthday.no_entitlement").into());
                };
                if claimed.is_some() {
                    return Err(Invalid::one("card_no", "birthday.already_claimed").into());
                }
                if month != i64::from(today.month()) {
                    return Err(Invalid::one("card_no", "birthday.not_birthday_month").into());
                }
                let staff_id = c.actor.staff().map(|s| s.id);
                let n = on_tx!(tx, |x| {
                    sqlx::query(
                        "update birthday_entitlements set claimed_at = $1, claimed_store_id = $2, claimed_by = $3 \
                         where id = $4 and claimed_at is null",
                    )
                    .bind(ts(now))
                    .bind(store.id)
                    .bind(staff_id)
                    .bind(id)
                    .execute(x)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                if n != 1 {
                    return Err(Invalid::one("card_no", "birthday.already_claimed").into());
                }
                let no = format!("SR{id:06}");
                if take_in(
                    tx,
                    &Movement {
                        store_id: store.id,
                        gift_id,
                        kind: "birthday",
                        qty,
                        doc_kind: "birthday",
                        doc_no: &no,
                        note: "",
                        staff_id,
                        business_date: today,
                        at: now,
                    },
                )
                .await?
                .is_none()
                {
                    let gift = super::catalogue::gift_in(tx, gift_id)
                        .await?
                        .map(|g| g.name_zh)
                        .unwrap_or_default();
                    return Err(RewardsError::OutOfStock {
                        gift,
                        store: store.code.clone(),
                    });
                }
                tx.audit(
                    c.audit("birthday.claim", "birthday_entitlement", id)
                        .store(store.id)
                        .after(&serde_json::json!({"member_id": cm.member_id, "doc_no": no})),
                );
                Ok::<_, RewardsError>(id)
            })
        })
        .await?;
    let sql = format!("{ENTITLEMENT} where b.id = $1");
    let row: Option<EntitlementRow> = on_db!(ctx.db(), |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(p)
            .await?
    });
    row.ok_or(RewardsError::NotFound)
}
