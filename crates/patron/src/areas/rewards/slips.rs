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

use super::store::slips::{self as store, NewFollowUp, NewSlip};
use super::{RewardsError, settings, staff_id};
use crate::areas::gifts::{self, Movement};
use crate::areas::points::ledger::{self, Change};
use crate::jobs::RunReport;
use crate::kernel::cache::StoreInfo;
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Tx, ts};
use crate::kernel::validation::Invalid;

pub use super::store::slips::{
    FollowUpRow, SlipRow, card_holder, count_claimable, follow_ups, for_store, get,
};

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

/// Unclaimed slips of a store in their follow-up period: the last `follow_up_months` before
/// they lapse (valid_until − follow-up ≤ today ≤ valid_until).
pub async fn follow_up_due(
    db: &crate::kernel::db::Db,
    store_id: i64,
    today: NaiveDate,
    follow_up_months: i64,
) -> Result<Vec<SlipRow>, DbError> {
    let horizon = today
        .checked_add_months(Months::new(u32::try_from(follow_up_months).unwrap_or(1)))
        .unwrap_or(today);
    store::open_until_between(db, store_id, today, horizon).await
}

pub(crate) async fn store_by_code(ctx: &Ctx, code: &str) -> Result<StoreInfo, RewardsError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    stores
        .by_code(code)
        .cloned()
        .ok_or_else(|| Invalid::one("store_code", "reward.invalid.store").into())
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
        t => match patron_core::typed::parse_int(t).ok_or(()) {
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

/// What a slip write needs, checked.
#[derive(Clone)]
struct SlipReq {
    ctx: Ctx,
    store: StoreInfo,
    card_no: String,
    want: Option<i64>,
    id_type: String,
    last4: String,
    list_id: Option<i64>,
    today: NaiveDate,
    now: DateTime<Utc>,
}

/// Makes a slip: checks the ID confirmation, takes the threshold's points and records the slip
/// in one transaction; a refusal writes nothing.
pub async fn issue(ctx: &Ctx, input: &SlipIn) -> Result<SlipOut, RewardsError> {
    let store = store_by_code(ctx, &input.store_code).await?;
    ctx.require_at(Permission::IssueRewards, store.id)?;
    let (want, id_type, last4) = check_slip_in(input)?;
    let req = SlipReq {
        ctx: ctx.clone(),
        today: ctx.today_at(&store),
        now: ts(ctx.now()),
        store,
        card_no: input.card_no.trim().to_string(),
        want,
        id_type,
        last4,
        list_id: input.list_id,
    };
    ctx.db()
        .write(move |tx| {
            let req = req.clone();
            Box::pin(async move { write_slip(tx, &req).await })
        })
        .await
}

/// The member, issuing store and balance of the card a slip is for; the last four typed must
/// match the ID on file, where there is one.
async fn slip_card(
    tx: &mut Tx,
    card_no: &str,
    last4: &str,
) -> Result<store::SlipCard, RewardsError> {
    let card = store::slip_card(tx, card_no)
        .await?
        .filter(|c| c.status == "active")
        .ok_or_else(|| Invalid::one("card_no", "reward.invalid.card_no"))?;
    if let Some(m) = card.id_masked.as_deref().filter(|m| m.chars().count() >= 4) {
        let tail: String = m.chars().skip(m.chars().count() - 4).collect();
        if tail.chars().all(|c| c.is_ascii_alphanumeric()) && !tail.eq_ignore_ascii_case(last4) {
            return Err(Invalid::one("id_last4", "reward.invalid.id_mismatch").into());
        }
    }
    Ok(card)
}

/// Inside the write: the points taken and the slip recorded.
async fn write_slip(tx: &mut Tx, r: &SlipReq) -> Result<SlipOut, RewardsError> {
    let (store, today, now, who) = (&r.store, r.today, r.now, staff_id(&r.ctx));
    let card = slip_card(tx, &r.card_no, &r.last4).await?;
    let s = settings::load(&mut *tx).await?;
    let threshold = match r.want {
        Some(p) => s
            .threshold(p)
            .ok_or_else(|| Invalid::one("threshold", "reward.invalid.threshold"))?,
        None => s.reached(card.points_balance).ok_or(RewardsError::Points(
            crate::areas::points::PointsError::InsufficientPoints {
                available: card.points_balance,
            },
        ))?,
    }
    .clone();
    let slip_no = crate::kernel::docno::doc_no(tx, "FL", &store.code, today).await?;
    let balance_after = ledger::debit_in(
        tx,
        &Change {
            member_id: card.member_id,
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
    let valid_until = today
        .checked_add_months(Months::new(months))
        .unwrap_or(today);
    store::insert(
        tx,
        &NewSlip {
            slip_no: &slip_no,
            member_id: card.member_id,
            card_no: &r.card_no,
            card_store_id: card.store_id,
            store_id: store.id,
            list_id: r.list_id,
            points: threshold.points,
            gift_id: threshold.gift_id,
            id_type: &r.id_type,
            id_last4: &r.last4,
            issued_on: today,
            valid_until,
            issued_at: now,
            issued_by: who,
        },
    )
    .await?;
    // No personal data in the audit entry: the slip, the member's id and the points.
    tx.audit(
        r.ctx
            .audit("reward.audit.slip", "reward_slip", &slip_no)
            .store(store.id)
            .after(&serde_json::json!({
                "member_id": card.member_id, "points": threshold.points,
                "gift": threshold.gift_code, "valid_until": valid_until,
            })),
    );
    Ok(SlipOut {
        slip_no,
        points: threshold.points,
        balance_after,
        gift_code: threshold.gift_code,
        valid_until,
    })
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = rewards::SlipClaimIn, examples(json!({"store_code": "HQ", "slip_no": "FLHQ20260925-001"})))]
pub struct ClaimIn {
    /// The reward desk's store.
    pub store_code: String,
    pub slip_no: String,
    /// The desk checked the member's ID document against the slip (D4: 凭证件领取); without it
    /// nothing is handed over.
    #[serde(default)]
    pub id_checked: bool,
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
    if !input.id_checked {
        return Err(Invalid::one("id_checked", "reward.claim.check_id").into());
    }
    let today = ctx.today_at(&store);
    let now = ts(ctx.now());
    let ctx2 = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (ctx, store, slip_no) = (ctx2.clone(), store.clone(), slip_no.clone());
            Box::pin(async move { write_claim(tx, &ctx, &store, &slip_no, today, now).await })
        })
        .await
}

/// The refusal of a slip number that names no slip.
pub fn lookup_refusal() -> RewardsError {
    Invalid::one("slip_no", "reward.invalid.slip_unknown").into()
}

/// Why a slip could not be claimed: unknown, claimed already, or expired.
async fn refused_claim(tx: &mut Tx, slip_no: &str) -> Result<RewardsError, RewardsError> {
    Ok(match store::state(tx, slip_no).await? {
        None => Invalid::one("slip_no", "reward.invalid.slip_unknown").into(),
        Some((s, _)) if s == "claimed" => {
            RewardsError::Conflict(format!("slip {slip_no} was claimed already"))
        }
        Some((_, until)) => {
            RewardsError::Conflict(format!("slip {slip_no} expired (valid until {until})"))
        }
    })
}

/// Inside the write: the slip claimed, its gift taken from the desk's stock and, for a claim
/// at another store, a message queued for the card's issuing store.
async fn write_claim(
    tx: &mut Tx,
    ctx: &Ctx,
    store: &StoreInfo,
    slip_no: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ClaimOut, RewardsError> {
    let who = staff_id(ctx);
    let won = store::claim(tx, slip_no, store.id, who, now, today).await?;
    let Some((slip_id, member_id, gift_id, card_store_id)) = won else {
        return Err(refused_claim(tx, slip_no).await?);
    };
    let gift = gifts::catalogue::gift(&mut *tx, gift_id)
        .await?
        .ok_or(RewardsError::NotFound)?;
    let left = gifts::take_in(
        tx,
        &Movement {
            store_id: store.id,
            gift_id,
            kind: "slip",
            qty: 1,
            doc_kind: "slip",
            doc_no: slip_no,
            note: "",
            staff_id: who,
            business_date: today,
            at: now,
        },
    )
    .await?;
    let Some(left) = left else {
        return Err(RewardsError::OutOfStock {
            gift: gift.name_zh,
            store: store.name.clone(),
        });
    };
    let elsewhere = card_store_id != store.id;
    if elsewhere {
        // 顾客在其它店面返礼，该店面必须第一时间通知开卡店.
        // The store's inbox shows it to everyone working there; its e-mail, if it has one, too.
        crate::notify::notice(
            tx,
            &crate::notify::Notice {
                to: crate::notify::To::Store(card_store_id),
                kind: "reward_claimed_elsewhere",
                dedupe_key: format!("reward-claim:{slip_no}"),
                payload: serde_json::json!({
                    "to_store_id": card_store_id, "slip_no": slip_no,
                    "claimed_at_store": store.code, "claimed_at_store_name": store.name,
                    "member_id": member_id, "gift": gift.code, "gift_name": gift.name_zh,
                }),
                at: now,
            },
        )
        .await?;
    }
    tx.audit(
        ctx.audit("reward.audit.claim", "reward_slip", slip_no)
            .store(store.id)
            .after(&serde_json::json!({ "slip_id": slip_id, "gift": gift.code, "elsewhere": elsewhere })),
    );
    Ok(ClaimOut {
        slip_no: slip_no.to_string(),
        gift_code: gift.code,
        stock_left: left,
        issuing_store_notified: elsewhere,
    })
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
                if !store::extend(tx, &no, old, until).await? {
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
            let (ctx, how, result, note) =
                (ctx2.clone(), how.clone(), result.clone(), note.clone());
            Box::pin(async move {
                store::add_follow_up(
                    tx,
                    &NewFollowUp {
                        slip_id: id,
                        at: now,
                        staff_id: who,
                        how: &how,
                        result: &result,
                        note: &note,
                    },
                )
                .await?;
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
    let due = store::due_for_expiry(ctx.db(), today).await?;
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
                Box::pin(async move { expire_one(tx, &ctx, id, today, now, valid_months).await })
            })
            .await?;
        if done {
            report.processed += 1;
        }
    }
    Ok(report)
}

/// Inside the write: slip `id` expired (if it is still due) and, by the rule, its points back.
async fn expire_one(
    tx: &mut Tx,
    ctx: &Ctx,
    id: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
    valid_months: u32,
) -> Result<bool, RewardsError> {
    let Some((slip_no, member_id, points, store_id)) = store::expire(tx, id, now, today).await?
    else {
        return Ok(false);
    };
    let rules = settings::load(&mut *tx).await?.rules;
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
        store::set_points_returned(tx, id, returned).await?;
    }
    tx.audit(
        ctx.audit("reward.audit.expire", "reward_slip", &slip_no)
            .store(store_id)
            .after(&serde_json::json!({ "points_returned": returned })),
    );
    Ok(true)
}
