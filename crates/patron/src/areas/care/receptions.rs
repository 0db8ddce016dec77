//! The reception record and the service desk log (J1; VIP服务接待流程, 会员中心服务台): a VIP's
//! visit — arrival, needs, service given, problems solved, gift given, follow-up — and the desk's
//! services (needs registration 会员需求登记, ticket booking, group-buy enquiries, invoices) in
//! one append-only log, linked to the member when there is one (by card number). A repeat with
//! the same key records nothing more.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use patron_core::Permission;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::CareError;
use super::store::receptions::{self as store, Filter, NewReception, ReceptionRow};
use super::store::{self as care_store};
use crate::kernel::ctx::{Ctx, Forbidden};
use crate::kernel::db::ts;
use crate::kernel::stores::StoreInfo;
use crate::kernel::validation::Invalid;

/// Kinds of entry: a VIP reception, and the service desk's services.
pub const KINDS: [&str; 5] = ["reception", "needs", "tickets", "groupbuy", "invoice"];

/// An entry as typed at the desk or sent by a script.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = care::ReceptionIn, examples(json!({
    "kind": "reception", "card_no": "WFJ00000001", "needs": "为母亲挑选羊绒大衣",
    "service": "陪同至三层试穿，预约改衣", "problems": "尺码缺货，已调货", "gift": "丝巾一条",
    "follow_up": "调货到店后电话通知", "follow_up_on": "2026-10-08"
})))]
pub struct ReceptionIn {
    /// `reception`, `needs`, `tickets`, `groupbuy` or `invoice`.
    #[serde(default)]
    pub kind: String,
    /// The member's card number; empty for a visitor who is not a member.
    #[serde(default)]
    pub card_no: String,
    /// The visitor's name when there is no card.
    #[serde(default)]
    pub visitor: String,
    /// The store's code; empty: the member's store, else the caller's first.
    #[serde(default)]
    pub store_code: String,
    /// When they arrived (RFC 3339 or local `2026-09-25T10:30`); empty: now. Never in the future.
    #[serde(default)]
    pub arrived_at: String,
    #[serde(default)]
    pub needs: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub problems: String,
    #[serde(default)]
    pub gift: String,
    #[serde(default)]
    pub follow_up: String,
    /// The day to follow up on (`YYYY-MM-DD`), if any.
    #[serde(default)]
    pub follow_up_on: String,
    /// A key that makes a repeat of the same request record nothing more.
    #[serde(default)]
    pub key: String,
}

#[derive(Debug, Clone)]
struct Checked {
    kind: &'static str,
    visitor: String,
    arrived_at: DateTime<Utc>,
    texts: [String; 5],
    follow_up_on: Option<NaiveDate>,
    key: Option<String>,
}

fn text(bad: &mut Invalid, field: &str, v: &str, max: usize) -> String {
    let t = v.trim();
    if t.chars().count() > max {
        bad.add(field, "invalid.too_long");
    }
    t.to_owned()
}

fn parse_at(ctx: &Ctx, tz: chrono_tz::Tz, input: &str) -> Result<DateTime<Utc>, &'static str> {
    let t = input.trim();
    let now = ctx.now();
    if t.is_empty() {
        return Ok(ts(now));
    }
    let at = if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        Some(d.with_timezone(&Utc))
    } else {
        NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
            .ok()
            .and_then(|n| tz.from_local_datetime(&n).earliest())
            .map(|d| d.with_timezone(&Utc))
    };
    match at {
        None => Err("invalid.date"),
        Some(at) if at > now => Err("invalid.future"),
        Some(at) => Ok(ts(at)),
    }
}

fn check(
    ctx: &Ctx,
    tz: chrono_tz::Tz,
    input: &ReceptionIn,
    member: bool,
) -> Result<Checked, Invalid> {
    let mut bad = Invalid::new();
    let kind = KINDS.iter().copied().find(|k| *k == input.kind.trim());
    if kind.is_none() {
        let key = if input.kind.trim().is_empty() {
            "invalid.required"
        } else {
            "invalid.choice"
        };
        bad.add("kind", key);
    }
    let visitor = text(&mut bad, "visitor", &input.visitor, 100);
    if !member && visitor.is_empty() {
        bad.add("visitor", "invalid.required");
    }
    let arrived_at = bad.check("arrived_at", parse_at(ctx, tz, &input.arrived_at));
    let texts = [
        text(&mut bad, "needs", &input.needs, 2000),
        text(&mut bad, "service", &input.service, 2000),
        text(&mut bad, "problems", &input.problems, 2000),
        text(&mut bad, "gift", &input.gift, 500),
        text(&mut bad, "follow_up", &input.follow_up, 2000),
    ];
    if texts[0].is_empty() && texts[1].is_empty() {
        bad.add("needs", "invalid.required");
    }
    let follow_up_on = match input.follow_up_on.trim() {
        "" => None,
        d => bad.check(
            "follow_up_on",
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| "invalid.date"),
        ),
    };
    let key = Some(input.key.trim().to_owned()).filter(|k| !k.is_empty());
    if key.as_ref().is_some_and(|k| k.len() > 100) {
        bad.add("key", "invalid.too_long");
    }
    bad.into_result()?;
    let (Some(kind), Some(arrived_at)) = (kind, arrived_at) else {
        return Err(Invalid::one("kind", "invalid.required"));
    };
    Ok(Checked {
        kind,
        visitor,
        arrived_at,
        texts,
        follow_up_on,
        key,
    })
}

/// The store an entry is recorded at: the one named, else the member's, else the caller's first
/// store where they may care for members.
async fn store_of(
    ctx: &Ctx,
    code: &str,
    member_store: Option<i64>,
) -> Result<StoreInfo, CareError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let chosen = if !code.trim().is_empty() {
        stores.by_code(code).cloned()
    } else if let Some(id) = member_store.filter(|id| ctx.can_at(Permission::CareForMembers, *id)) {
        stores.by_id(id).cloned()
    } else {
        let mut mine: Vec<StoreInfo> = stores
            .all()
            .into_iter()
            .filter(|s| s.active && ctx.can_at(Permission::CareForMembers, s.id))
            .collect();
        mine.sort_by(|a, b| a.code.cmp(&b.code));
        mine.into_iter().next()
    };
    let Some(store) = chosen else {
        return Err(Invalid::one("store_code", "invalid.choice").into());
    };
    ctx.require_at(Permission::CareForMembers, store.id)?;
    Ok(store)
}

/// Records an entry of the log. A repeat under the same key answers the first entry.
pub async fn record(ctx: &Ctx, input: &ReceptionIn) -> Result<ReceptionRow, CareError> {
    ctx.require(Permission::CareForMembers)?;
    let Some(me) = ctx.actor.staff().map(|s| s.id) else {
        return Err(Forbidden(Permission::CareForMembers).into());
    };
    let card = input.card_no.trim();
    let member = if card.is_empty() {
        None
    } else {
        let id = care_store::member_of_card(ctx.db(), card)
            .await?
            .ok_or_else(|| Invalid::one("card_no", "invalid.card_unknown"))?;
        Some(
            care_store::member(ctx.db(), id)
                .await?
                .filter(|m| m.status == "active")
                .ok_or_else(|| Invalid::one("card_no", "invalid.card_unknown"))?,
        )
    };
    let store = store_of(ctx, &input.store_code, member.as_ref().map(|m| m.store_id)).await?;
    let k = check(ctx, store.tz, input, member.is_some())?;
    if let Some(key) = &k.key
        && let Some(first) = store::by_key(ctx.db(), key).await?
    {
        return Ok(first);
    }
    let member_id = member.map(|m| m.id);
    let c = ctx.clone();
    let store_id = store.id;
    let id = ctx
        .db()
        .write(move |tx| {
            let (c, k) = (c.clone(), k.clone());
            Box::pin(async move {
                let new = NewReception {
                    store_id,
                    kind: k.kind,
                    member_id,
                    visitor: &k.visitor,
                    arrived_at: k.arrived_at,
                    needs: &k.texts[0],
                    service: &k.texts[1],
                    problems: &k.texts[2],
                    gift: &k.texts[3],
                    follow_up: &k.texts[4],
                    follow_up_on: k.follow_up_on,
                    staff_id: me,
                    created_at: c.now(),
                    request_key: k.key.as_deref(),
                };
                let Some(id) = store::insert(tx, &new).await? else {
                    let first = store::by_key(&mut *tx, k.key.as_deref().unwrap_or_default())
                        .await?
                        .ok_or(CareError::NotFound)?;
                    return Ok(first.id);
                };
                tx.audit(
                    c.audit("care.reception_recorded", "care_reception", id)
                        .store(store_id)
                        .after(&json!({ "kind": k.kind, "member_id": member_id, "arrived_at": k.arrived_at })),
                );
                Ok::<_, CareError>(id)
            })
        })
        .await?;
    store::reception(ctx.db(), id)
        .await?
        .ok_or(CareError::NotFound)
}

/// The log's lines the filter selects (the caller may care for members).
pub async fn list(ctx: &Ctx, f: &Filter) -> Result<Vec<ReceptionRow>, CareError> {
    ctx.require(Permission::CareForMembers)?;
    Ok(store::list(ctx.db(), f).await?)
}
