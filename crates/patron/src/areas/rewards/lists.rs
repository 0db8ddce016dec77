//! The lists of D2 and the 核分 and notice of D3.
//!
//! The month-end list (下月到期并到分值的会员卡) is built once per month and stored: every member
//! whose live card expires in the next month and whose balance reaches a threshold, with the
//! highest threshold reached, the points and the card's expiry, under the card's issuing store.
//! It is one `insert … select` (set-based, served by `cards_expires`), so it takes one statement
//! whatever the number of members. The information desk's list of everyone at a threshold is
//! computed on demand. Each stored row records its 核分 (ledger sum = balance = lots remaining,
//! still at the threshold) and its notice (who, when, how).

use chrono::NaiveDate;
use patron_core::Permission;
use serde::{Deserialize, Serialize};

use super::store::lists::{self as store, CheckMark, NoticeMark};
use super::{RewardsError, staff_id};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::ts;
use crate::kernel::validation::Invalid;

pub use super::store::lists::{
    AtThreshold, ListInfo, ListRow, at_threshold, list_info, lists, rows,
};

/// Whether the actor holds `permission` through a role that serves the whole chain (信息部,
/// D2): the lists it reads cover every store, not only the store it is bound to.
pub fn chain_wide(ctx: &Ctx, permission: Permission) -> bool {
    ctx.actor.staff().is_some_and(|s| {
        s.grants
            .iter()
            .any(|g| g.role.serves_chain() && patron_core::access::allows(g.role, permission))
    })
}

/// The stores a D2 list covers for this reader, chosen at `store_id`: every store (`None`) for
/// a role that serves the whole chain, else that store.
pub fn scope(ctx: &Ctx, store_id: i64) -> Option<i64> {
    (!chain_wide(ctx, Permission::ViewRewards)).then_some(store_id)
}

/// What the month-end build did.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListSummary {
    pub list_id: i64,
    /// The month whose expiring cards are listed (`2026-12`).
    pub month: String,
    pub rows: i64,
    /// (store code, rows) per issuing store.
    #[schema(schema_with = store_row_pairs)]
    pub per_store: Vec<(String, i64)>,
    /// The list had been built before: nothing was written.
    pub already_built: bool,
}

/// How the OpenAPI document shows `ListSummary::per_store` (a list of `(String, i64)`): arrays of
/// a string then an integer, without the boolean `items` schema many OpenAPI tools refuse.
fn store_row_pairs() -> utoipa::openapi::Array {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let int64 = SchemaFormat::KnownFormat(KnownFormat::Int64);
    ArrayBuilder::new()
        .items(
            ArrayBuilder::new()
                .prefix_items([
                    ObjectBuilder::new().schema_type(Type::String).build(),
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .format(Some(int64))
                        .build(),
                ])
                .min_items(Some(2))
                .max_items(Some(2))
                .description(Some("`[store code, rows]`.")),
        )
        .description(Some("(store code, rows) per issuing store."))
        .build()
}

/// Builds and stores the month-end list for the month after `date` (once per month: a second
/// build answers the stored list). Called by the `reward-month-end` job and by hand.
pub async fn build_month_end(ctx: &Ctx, date: NaiveDate) -> Result<ListSummary, RewardsError> {
    ctx.require(Permission::IssueRewards)?;
    let (first, last) = crate::kernel::dates::next_month(date);
    let month = first.format("%Y-%m").to_string();
    let now = ts(ctx.now());
    let by = ctx.actor.audit_name();
    let (ctx2, month2) = (ctx.clone(), month.clone());
    let (list_id, built) = ctx
        .db()
        .write(move |tx| {
            let (ctx, month, by) = (ctx2.clone(), month2.clone(), by.clone());
            Box::pin(async move {
                let Some(id) = store::create(tx, &month, date, now, &by).await? else {
                    return Ok::<_, RewardsError>((store::month_end_id(tx, &month).await?, false));
                };
                let n = store::fill(tx, id, first, last).await?;
                tx.audit(
                    ctx.audit("reward.audit.month_end", "reward_list", id)
                        .after(&serde_json::json!({ "month": month, "rows": n })),
                );
                Ok((id, true))
            })
        })
        .await?;
    let per_store = store::per_store(ctx.db(), list_id).await?;
    Ok(ListSummary {
        list_id,
        month,
        rows: per_store.iter().map(|(_, n)| n).sum(),
        per_store,
        already_built: !built,
    })
}

/// The outcome of a 核分.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Check {
    pub ok: bool,
    pub ledger_sum: i64,
    pub balance: i64,
    pub lots_remaining: i64,
    pub threshold_points: i64,
    pub detail: String,
}

/// 核分: checks a listed member's points against the ledger (sum of entries = balance = lots
/// remaining, and still at the row's threshold) and records the outcome on the row (audited).
pub async fn verify(ctx: &Ctx, list_id: i64, member_id: i64) -> Result<Check, RewardsError> {
    ctx.require(Permission::IssueRewards)?;
    let now = ts(ctx.now());
    let who = staff_id(ctx);
    let ctx2 = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let ctx = ctx2.clone();
            Box::pin(async move {
                let threshold = store::row_threshold(tx, list_id, member_id)
                    .await?
                    .ok_or(RewardsError::NotFound)?;
                let (ledger_sum, balance, lots_remaining) =
                    store::ledger_totals(tx, member_id).await?;
                let ok = ledger_sum == balance && balance == lots_remaining && balance >= threshold;
                let detail = format!(
                    "ledger {ledger_sum} / balance {balance} / lots {lots_remaining} / threshold {threshold}"
                );
                let mark = CheckMark {
                    list_id,
                    member_id,
                    at: now,
                    by: who,
                    ok,
                    detail: &detail,
                };
                store::record_check(tx, &mark).await?;
                tx.audit(
                    ctx.audit("reward.audit.check", "reward_list_row", format!("{list_id}:{member_id}"))
                        .after(&serde_json::json!({ "ok": ok, "detail": detail })),
                );
                Ok::<_, RewardsError>(Check {
                    ok,
                    ledger_sum,
                    balance,
                    lots_remaining,
                    threshold_points: threshold,
                    detail,
                })
            })
        })
        .await
}

/// How a member was told.
pub const NOTICE_HOW: &[&str] = &["phone", "sms", "letter"];

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(examples(json!({"how": "phone", "note": "本人接听，周末来领"})))]
pub struct NoticeIn {
    /// phone | sms | letter
    pub how: String,
    #[serde(default)]
    pub note: String,
}

/// Records that the member was told (only after a 核分 that agreed: the seed's rule).
pub async fn record_notice(
    ctx: &Ctx,
    list_id: i64,
    member_id: i64,
    input: &NoticeIn,
) -> Result<(), RewardsError> {
    ctx.require(Permission::IssueRewards)?;
    let mut bad = Invalid::new();
    if !NOTICE_HOW.contains(&input.how.as_str()) {
        bad.add("how", "reward.invalid.notice_how");
    }
    let note = input.note.trim().to_string();
    if note.chars().count() > 200 {
        bad.add("note", "reward.invalid.note");
    }
    bad.into_result()?;
    let how = input.how.clone();
    let now = ts(ctx.now());
    let who = staff_id(ctx);
    let ctx2 = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (ctx, how, note) = (ctx2.clone(), how.clone(), note.clone());
            Box::pin(async move {
                let mark = NoticeMark {
                    list_id,
                    member_id,
                    at: now,
                    by: who,
                    how: &how,
                    note: &note,
                };
                let recorded = store::record_notice(tx, &mark).await?;
                if !recorded {
                    return Err(RewardsError::Conflict(
                        "verify the points (核分) before notifying".into(),
                    ));
                }
                tx.audit(
                    ctx.audit(
                        "reward.audit.notice",
                        "reward_list_row",
                        format!("{list_id}:{member_id}"),
                    )
                    .after(&serde_json::json!({ "how": how })),
                );
                Ok::<_, RewardsError>(())
            })
        })
        .await
}
