//! Reward slips (返礼单/领奖单, D4), their claim at the reward desk (领奖, D5), the follow-up of
//! unclaimed slips and their expiry.
//!
//! A slip is made only after the clerk confirms the member's valid ID was checked (its type and
//! last four characters are kept, nothing more); the threshold's points are taken in the same
//! transaction (`points::ledger::debit_in`, kind `reward`). A claim is one guarded update
//! (`state = 'issued' and valid_until >= today`) and takes the gift from the desk's store in the
//! same transaction, so of many desks claiming one slip exactly one wins and stock moves once.
//! A claim at a store other than the card's issuing store queues a message to that store. The
//! daily `reward-slips-expiry` job expires slips past their date and, by the configured rule,
//! gives the points back (`reward_return`).

use chrono::{DateTime, Months, NaiveDate, Utc};
use patron_core::Permission;
use serde::{Deserialize, Serialize};

use super::gifts::{self, Movement};
use super::{RewardsError, settings, staff_id};
use crate::areas::points::ledger::{self, Change};
use crate::jobs::RunReport;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Db, DbError, ts};
use crate::kernel::validation::Invalid;
use crate::{on_db, on_tx};

/// The kinds of valid ID the clerk may have checked.
pub const ID_TYPES: &[&str] = &[
    "id_card",
    "passport",
    "hk_macau_permit",
    "taiwan_permit",
    "other",
];

/// What the desk types to make a slip.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "card_no": "HQ00000001",
    "threshold": "",
    "id_checked": true,
    "id_type": "id_card",
    "id_last4": "123X",
    "list_id": null
})))]
pub struct SlipIn {
    pub store_code: String,
    pub card_no: String,
    /// The threshold to reward (points); empty: the highest the balance reaches.
    #[serde(default)]
    pub threshold: String,
    /// The clerk confirms the member's valid ID was checked (核对有效证件).
    #[serde(default)]
    pub id_checked: bool,
    pub id_type: String,
    /// The last four characters of the ID's number.
    pub id_last4: String,
    /// The month-end list the member was on, if any.
    #[serde(default)]
    pub list_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlipOut {
    pub slip_no: String,
    pub points: i64,
    pub balance_after: i64,
    pub gift_code: String,
    pub valid_until: NaiveDate,
}

/// A slip as lists and the print view show it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlipRow {
    pub id: i64,
    pub slip_no: String,
    pub member_id: i64,
    pub name: String,
    pub phone_masked: Option<String>,
    pub card_no: String,
    pub card_store_code: String,
    pub store_code: String,
    pub store_name: String,
    pub threshold_points: i64,
    pub points: i64,
    pub gift_code: String,
    pub gift_name_zh: String,
    pub gift_name_en: String,
    pub value_fen: i64,
    pub id_type: String,
    pub id_last4: String,
    pub state: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub issued_at: DateTime<Utc>,
    pub issued_by_name: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub claimed_by_name: Option<String>,
    pub claim_store_code: Option<String>,
    pub expired_at: Option<DateTime<Utc>>,
    pub points_returned: i64,
}

impl SlipRow {
    /// Claimed at a store other than the card's issuing store.
    pub fn claimed_elsewhere(&self) -> bool {
        self.claim_store_code
            .as_deref()
            .is_some_and(|c| c != self.card_store_code)
    }
}

const SLIP_SELECT: &str = "select x.id, x.slip_no, x.member_id, m.name, m.phone_masked, x.card_no, \
     cs.code as card_store_code, s.code as store_code, s.name as store_name, x.threshold_points, x.points, \
     g.code as gift_code, g.name_zh as gift_name_zh, g.name_en as gift_name_en, g.value_fen, x.id_type, x.id_last4, \
     x.state, x.issued_on, x.valid_until, x.issued_at, ib.display_name as issued_by_name, x.claimed_at, \
     cb.display_name as claimed_by_name, ks.code as claim_store_code, x.expired_at, x.points_returned \
     from reward_slips x join members m on m.id = x.member_id join stores cs on cs.id = x.card_store_id \
     join stores s on s.id = x.store_id join gifts g on g.id = x.gift_id \
     left join staff ib on ib.id = x.issued_by left join staff cb on cb.id = x.claimed_by \
     left join stores ks on ks.id = x.claim_store_id";

pub async fn get(db: &Db, slip_no: &str) -> Result<Option<SlipRow>, DbError> {
    let sql = format!("{SLIP_SELECT} where x.slip_no = $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(slip_no.trim().to_ascii_uppercase())
            .fetch_optional(p)
            .await?
    }))
}

/// The slips a store made or whose card it issued (so the issuing store sees claims made
/// elsewhere), newest first; `state` filters (empty: all).
pub async fn for_store(db: &Db, store_id: i64, state: &str) -> Result<Vec<SlipRow>, DbError> {
    let sql = format!(
        "{SLIP_SELECT} where (x.store_id = $1 or x.card_store_id = $1 or x.claim_store_id = $1) \
         and ($2 = '' or x.state = $2) order by x.id desc limit 500"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(state)
            .fetch_all(p)
            .await?
    }))
}

/// Unclaimed slips of a store in their follow-up period: the last `follow_up_months` before
/// they lapse (valid_until − follow-up ≤ today ≤ valid_until).
pub async fn follow_up_due(
    db: &Db,
    store_id: i64,
    today: NaiveDate,
    follow_up_months: i64,
) -> Result<Vec<SlipRow>, DbError> {
    let horizon = today
        .checked_add_months(Months::new(u32::try_from(follow_up_months).unwrap_or(1)))
        .unwrap_or(today);
    let sql = format!(
        "{SLIP_SELECT} where (x.store_id = $1 or x.card_store_id = $1) and x.state = 'issued' \
         and x.valid_until >= $2 and x.valid_until <= $3 order by x.valid_until, x.id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(store_id)
            .bind(today)
            .bind(horizon)
            .fetch_all(p)
            .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowUpRow {
    pub id: i64,
    pub slip_id: i64,
    pub at: DateTime<Utc>,
    pub staff_name: Option<String>,
    pub how: String,
    pub result: String,
    pub note: String,
}

pub async fn follow_ups(db: &Db, slip_ids: &[i64]) -> Result<Vec<FollowUpRow>, DbError> {
    if slip_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = slip_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "select f.id, f.slip_id, f.at, st.display_name as staff_name, f.how, f.result, f.note \
         from reward_follow_ups f left join staff st on st.id = f.staff_id where f.slip_id in ({list}) order by f.id"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(p)
            .await?
    }))
}

pub(crate) async fn store_by_code(ctx: &Ctx, code: &str) -> Result<StoreInfo, RewardsError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    stores
        .by_code(code)
        .cloned()
        .ok_or_else(|| Invalid::one("store_code", "reward.invalid.store").into())
}

fn today_at(ctx: &Ctx, store: &StoreInfo) -> NaiveDate {
    crate::areas::points::business_date(ctx.now(), store.tz)
}

/// Checks what was typed; the (threshold, id type, last four).
fn check_slip_in(input: &SlipIn) -> Result<(Option<i64>, String, String), Invalid> {
    let mut bad = Invalid::new();
    if !input.id_checked {
        bad.add("id_checked", "reward.invalid.id_checked");
    }
    let id_type = input.id_type.trim().to_string();
    if !ID_TYPES.contains(&id_type.as_str()) {
        bad.add("id_type", "reward.invalid.id_type");
    }
    let last4 = input.id_last4.trim().to_ascii_uppercase();
    if last4.chars().count() != 4 || !last4.chars().all(|c| c.is_ascii_alphanumeric()) {
        bad.add("id_last4", "reward.invalid.id_last4");
    }
    if input.card_no.trim().is_empty() {
        bad.add("card_no", "reward.invalid.card_no");
    }
    let threshold = match input.threshold.trim() {
        "" => None,
        t => match t.replace(',', "").parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                bad.add("threshold", "reward.invalid.threshold");
                None
            }
        },
    };
    bad.into_result()?;
    Ok((threshold, id_type, last4))
}

/// Makes a slip: checks the ID confirmation, takes the threshold's points and records the slip
/// in one transaction; a refusal writes nothing.
pub async fn issue(ctx: &Ctx, input: &SlipIn) -> Result<SlipOut, RewardsError> {
    let store = store_by_code(ctx, &input.store_code).await?;
    ctx.require_at(Permission::IssueRewards, store.id)?;
    let (want, id_type, last4) = check_slip_in(input)?;
    let card_no = input.card_no.trim().to_string();
    let list_id = input.list_id;
    let today = today_at(ctx, &store);
    let now = ts(ctx.now());
    let who = staff_id(ctx);
    let ctx2 = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (ctx, store, card_no, id_type, last4) = (
                ctx2.clone(),
                store.clone(),
                card_no.clone(),
                id_type.clone(),
                last4.clone(),
            );
            Box::pin(async move {
                let card: Option<(i64, i64, String, Option<String>, i64)> = on_tx!(tx, |c| {
                    sqlx::query_as(
                        "select c.member_id, c.store_id, m.status, m.id_masked, m.points_balance from cards c \
                         join members m on m.id = c.member_id \
                         where c.card_no = $1 and c.state in ('issued', 'active', 'frozen')",
                    )
                    .bind(&card_no)
                    .fetch_optional(c)
                    .await?
                });
                let Some((member_id, card_store_id, status, id_masked, balance)) = card else {
                    return Err(Invalid::one("card_no", "reward.invalid.card_no").into());
                };
                if status != "active" {
                    return Err(Invalid::one("card_no", "reward.invalid.card_no").into());
                }
                // The last four typed must match the ID on file, where there is one.
                if let Some(m) = id_masked.as_deref().filter(|m| m.chars().count() >= 4) {
                    let tail: String = m.chars().skip(m.chars().count() - 4).collect();
                    if tail.chars().all(|c| c.is_ascii_alphanumeric())
                        && !tail.eq_ignore_ascii_case(&last4)
                    {
                        return Err(Invalid::one("id_last4", "reward.invalid.id_mismatch").into());
                    }
                }
                let s = settings::load_in(tx).await?;
                let threshold = match want {
                    Some(p) => s
                        .threshold(p)
                        .ok_or_else(|| Invalid::one("threshold", "reward.invalid.threshold"))?,
                    None => s.reached(balance).ok_or(RewardsError::Points(
                        crate::areas::points::PointsError::InsufficientPoints { available: balance },
                    ))?,
                }
                .clone();
                let slip_no =
                    crate::areas::groupbuy::store::doc_no(tx, "FL", &store.code, today).await?;
                let balance_after = ledger::debit_in(
                    tx,
                    &Change {
                        member_id,
                        points: threshold.points,
                        kind: "reward",
                        store_id: Some(store.id),
                        source_ref: &slip_no,
                        staff_id: who,
                        note: "",
                        today,
                        now,
                    },
                )
                .await?;
                let months = u32::try_from(s.rules.slip_valid_months).unwrap_or(3);
                let valid_until = today.checked_add_months(Months::new(months)).unwrap_or(today);
                on_tx!(tx, |c| {
                    sqlx::query(
                        "insert into reward_slips (slip_no, member_id, card_no, card_store_id, store_id, list_id, \
                         threshold_points, points, gift_id, id_type, id_last4, state, issued_on, valid_until, \
                         issued_at, issued_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'issued', $12, $13, $14, $15)",
                    )
                    .bind(&slip_no)
                    .bind(member_id)
                    .bind(&card_no)
                    .bind(card_store_id)
                    .bind(store.id)
                    .bind(list_id)
                    .bind(threshold.points)
                    .bind(threshold.points)
                    .bind(threshold.gift_id)
                    .bind(&id_type)
                    .bind(&last4)
                    .bind(today)
                    .bind(valid_until)
                    .bind(now)
                    .bind(who)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                // No personal data in the audit entry: the slip, the member's id and the points.
                tx.audit(
                    ctx.audit("reward.audit.slip", "reward_slip", &slip_no)
                        .store(store.id)
                        .after(&serde_json::json!({
                            "member_id": member_id, "points": threshold.points,
                            "gift": threshold.gift_code, "valid_until": valid_until,
                        })),
                );
                Ok::<_, RewardsError>(SlipOut {
                    slip_no,
                    points: threshold.points,
                    balance_after,
                    gift_code: threshold.gift_code,
                    valid_until,
                })
            })
        })
        .await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = rewards::SlipClaimIn, examples(json!({"store_code": "HQ", "slip_no": "FLHQ20260925-001"})))]
pub struct ClaimIn {
    /// The reward desk's store.
    pub store_code: String,
    pub slip_no: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimOut {
    pub slip_no: String,
    pub gift_code: String,
    /// The gift's stock left at the desk's store.
    pub stock_left: i64,
    /// The card's issuing store was told (a claim at another store).
    pub issuing_store_notified: bool,
}

/// Hands the gift over against the slip, once: one guarded update, the gift taken from the
/// desk's stock in the same transaction (out of stock: refused, nothing written).
pub async fn claim(ctx: &Ctx, input: &ClaimIn) -> Result<ClaimOut, RewardsError> {
    let store = store_by_code(ctx, &input.store_code).await?;
    ctx.require_at(Permission::ClaimRewards, store.id)?;
    let slip_no = input.slip_no.trim().to_ascii_uppercase();
    if slip_no.is_empty() || slip_no.len() > 40 {
        return Err(Invalid::one("slip_no", "reward.invalid.slip_no").into());
    }
    let today = today_at(ctx, &store);
    let now = ts(ctx.now());
    let who = staff_id(ctx);
    let ctx2 = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (ctx, store, slip_no) = (ctx2.clone(), store.clone(), slip_no.clone());
            Box::pin(async move {
                let won: Option<(i64, i64, i64, i64)> = on_tx!(tx, |c| {
                    sqlx::query_as(
                        "update reward_slips set state = 'claimed', claimed_at = $1, claimed_by = $2, claim_store_id = $3 \
                         where slip_no = $4 and state = 'issued' and valid_until >= $5 \
                         returning id, member_id, gift_id, card_store_id",
                    )
                    .bind(now)
                    .bind(who)
                    .bind(store.id)
                    .bind(&slip_no)
                    .bind(today)
                    .fetch_optional(c)
                    .await?
                });
                let Some((slip_id, member_id, gift_id, card_store_id)) = won else {
                    let state: Option<(String, NaiveDate)> = on_tx!(tx, |c| {
                        sqlx::query_as("select state, valid_until from reward_slips where slip_no = $1")
                            .bind(&slip_no)
                            .fetch_optional(c)
                            .await?
                    });
                    return Err(match state {
                        None => Invalid::one("slip_no", "reward.invalid.slip_unknown").into(),
                        Some((s, _)) if s == "claimed" => {
                            RewardsError::Conflict(format!("slip {slip_no} was claimed already"))
                        }
                        Some((_, until)) => RewardsError::Conflict(format!(
                            "slip {slip_no} expired (valid until {until})"
                        )),
                    });
                };
                let gift: (String, String) = on_tx!(tx, |c| {
                    sqlx::query_as("select code, name_zh from gifts where id = $1")
                        .bind(gift_id)
                        .fetch_one(c)
                        .await?
                });
                let left = gifts::take_in(
                    tx,
                    &Movement {
                        store_id: store.id,
                        gift_id,
                        kind: "slip",
                        qty: 1,
                        doc_kind: "slip",
                        doc_no: &slip_no,
                        note: "",
                        staff_id: who,
                        business_date: today,
                        at: now,
                    },
                )
                .await?;
                let Some(left) = left else {
                    return Err(RewardsError::OutOfStock {
                        gift: gift.1,
                        store: store.name.clone(),
                    });
                };
                let elsewhere = card_store_id != store.id;
                if elsewhere {
                    // 顾客在其它店面返礼，该店面必须第一时间通知开卡店.
                    crate::notify::queue(
                        tx,
                        &crate::notify::NewMessage {
                            member_id: None,
                            kind: "reward_claimed_elsewhere",
                            channel: "store",
                            dedupe_key: format!("reward-claim:{slip_no}"),
                            payload: serde_json::json!({
                                "to_store_id": card_store_id, "slip_no": slip_no,
                                "claimed_at_store": store.code, "member_id": member_id,
                                "gift": gift.0,
                            }),
                            marketing: false,
                            at: now,
                        },
                    )
                    .await?;
                }
                tx.audit(
                    ctx.audit("reward.audit.claim", "reward_slip", &slip_no)
                        .store(store.id)
                        .after(&serde_json::json!({ "slip_id": slip_id, "gift": gift.0, "elsewhere": elsewhere })),
                );
                Ok::<_, RewardsError>(ClaimOut {
                    slip_no,
                    gift_code: gift.0,
                    stock_left: left,
                    issuing_store_notified: elsewhere,
                })
            })
        })
        .await
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(examples(json!({"valid_until": "2026-12-31", "reason": "顾客出差，延期领取"})))]
pub struct ExtendIn {
    /// The new last valid day (YYYY-MM-DD), later than the current one.
    pub valid_until: String,
    #[serde(default)]
    pub reason: String,
}

/// A manager extends an unclaimed slip (audited with the old and new date).
pub async fn extend(ctx: &Ctx, slip_no: &str, input: &ExtendIn) -> Result<(), RewardsError> {
    ctx.require(Permission::ManageRewardSettings)?;
    let mut bad = Invalid::new();
    let until = NaiveDate::parse_from_str(input.valid_until.trim(), "%Y-%m-%d").ok();
    if until.is_none() {
        bad.add("valid_until", "reward.invalid.date");
    }
    let reason = input.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 200 {
        bad.add("reason", "reward.invalid.reason");
    }
    bad.into_result()?;
    let until = until.unwrap_or_default();
    let slip = get(ctx.db(), slip_no)
        .await?
        .ok_or(RewardsError::NotFound)?;
    if until <= slip.valid_until {
        return Err(Invalid::one("valid_until", "reward.invalid.extend_date").into());
    }
    let ctx2 = ctx.clone();
    let no = slip.slip_no.clone();
    let old = slip.valid_until;
    ctx.db()
        .write(move |tx| {
            let (ctx, no, reason) = (ctx2.clone(), no.clone(), reason.clone());
            Box::pin(async move {
                let n = on_tx!(tx, |c| {
                    sqlx::query(
                        "update reward_slips set valid_until = $1 where slip_no = $2 and state = 'issued' and valid_until = $3",
                    )
                    .bind(until)
                    .bind(&no)
                    .bind(old)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                if n == 0 {
                    return Err(RewardsError::Conflict(format!(
                        "slip {no} is no longer open"
                    )));
                }
                tx.audit(
                    ctx.audit("reward.audit.extend", "reward_slip", &no)
                        .before(&serde_json::json!({ "valid_until": old }))
                        .after(&serde_json::json!({ "valid_until": until, "reason": reason })),
                );
                Ok::<_, RewardsError>(())
            })
        })
        .await
}

pub const FOLLOW_UP_HOW: &[&str] = &["phone", "sms", "letter", "visit"];

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(examples(json!({"how": "phone", "result": "已电话提醒，顾客表示下周来领", "note": ""})))]
pub struct FollowUpIn {
    pub how: String,
    pub result: String,
    #[serde(default)]
    pub note: String,
}

/// Records a follow-up of an unclaimed slip (who, when, how, result).
pub async fn follow_up(ctx: &Ctx, slip_no: &str, input: &FollowUpIn) -> Result<(), RewardsError> {
    ctx.require(Permission::IssueRewards)?;
    let mut bad = Invalid::new();
    if !FOLLOW_UP_HOW.contains(&input.how.as_str()) {
        bad.add("how", "reward.invalid.notice_how");
    }
    let result = input.result.trim().to_string();
    if result.is_empty() || result.chars().count() > 200 {
        bad.add("result", "reward.invalid.result");
    }
    let note = input.note.trim().to_string();
    if note.chars().count() > 200 {
        bad.add("note", "reward.invalid.note");
    }
    bad.into_result()?;
    let slip = get(ctx.db(), slip_no)
        .await?
        .ok_or(RewardsError::NotFound)?;
    if slip.state != "issued" {
        return Err(RewardsError::Conflict(format!(
            "slip {} is {}",
            slip.slip_no, slip.state
        )));
    }
    let (how, now, who, id) = (input.how.clone(), ts(ctx.now()), staff_id(ctx), slip.id);
    let ctx2 = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (ctx, how, result, note) = (ctx2.clone(), how.clone(), result.clone(), note.clone());
            Box::pin(async move {
                on_tx!(tx, |c| {
                    sqlx::query(
                        "insert into reward_follow_ups (slip_id, at, staff_id, how, result, note) values ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(now)
                    .bind(who)
                    .bind(&how)
                    .bind(&result)
                    .bind(&note)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                tx.audit(
                    ctx.audit("reward.audit.follow_up", "reward_slip", id)
                        .after(&serde_json::json!({ "how": how })),
                );
                Ok::<_, RewardsError>(())
            })
        })
        .await
}

/// The daily job: expires slips past their last valid day and, when the rule says so, gives
/// the points back (`reward_return`). Each slip in its own write with a guarded update, so a
/// rerun or a crash halfway changes nothing twice.
pub async fn expire_due(ctx: &Ctx, today: NaiveDate) -> Result<RunReport, RewardsError> {
    let due: Vec<i64> = on_db!(ctx.db(), |p| {
        sqlx::query_scalar(
            "select id from reward_slips where state = 'issued' and valid_until < $1 order by id",
        )
        .bind(today)
        .fetch_all(p)
        .await?
    });
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let valid_months = u32::try_from(loyalty.settings.points_valid_months).unwrap_or(12);
    let mut report = RunReport::default();
    for id in due {
        report.seen += 1;
        let now = ts(ctx.now());
        let ctx2 = ctx.clone();
        let done = ctx
            .db()
            .write(move |tx| {
                let ctx = ctx2.clone();
                Box::pin(async move {
                    let hit: Option<(String, i64, i64, i64)> = on_tx!(tx, |c| {
                        sqlx::query_as(
                            "update reward_slips set state = 'expired', expired_at = $1 \
                             where id = $2 and state = 'issued' and valid_until < $3 \
                             returning slip_no, member_id, points, store_id",
                        )
                        .bind(now)
                        .bind(id)
                        .bind(today)
                        .fetch_optional(c)
                        .await?
                    });
                    let Some((slip_no, member_id, points, store_id)) = hit else {
                        return Ok::<_, RewardsError>(false);
                    };
                    let rules = settings::load_in(tx).await?.rules;
                    let mut returned = 0;
                    if rules.return_points_on_expiry {
                        ledger::credit_in(
                            tx,
                            &Change {
                                member_id,
                                points,
                                kind: "reward_return",
                                store_id: Some(store_id),
                                source_ref: &slip_no,
                                staff_id: None,
                                note: "",
                                today,
                                now,
                            },
                            valid_months,
                        )
                        .await?;
                        returned = points;
                        on_tx!(tx, |c| {
                            sqlx::query(
                                "update reward_slips set points_returned = $1 where id = $2",
                            )
                            .bind(returned)
                            .bind(id)
                            .execute(c)
                            .await
                            .map(|r| r.rows_affected())
                        })?;
                    }
                    tx.audit(
                        ctx.audit("reward.audit.expire", "reward_slip", &slip_no)
                            .store(store_id)
                            .after(&serde_json::json!({ "points_returned": returned })),
                    );
                    Ok(true)
                })
            })
            .await?;
        if done {
            report.processed += 1;
        }
    }
    Ok(report)
}
