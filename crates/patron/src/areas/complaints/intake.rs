//! Taking a complaint (I1, I2): from the hotline, online, e-mail or in store, with its time, the
//! complainant (linked to the member when a card number or phone names one), the content, the
//! category and what the customer wants. Severity is decided here: major when the customer
//! reports a serious loss or injury, or complains again while an earlier case of theirs is still
//! unresolved; the clock job makes any case major that is unresolved after 10 days.
//!
//! `take` is the one intake: the JSON API, the console form and the member portal (an online
//! complaint, called with the system's context) all use it.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use patron_core::Permission;
use patron_core::identity::{CardNo, Phone};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::clocks::{self, Settings};
use super::store::{self, NewComplaint};
use super::view::{self, Complaint};
use super::{CATEGORIES, CHANNELS, ComplaintError};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::{Tx, ts};
use crate::kernel::pii::mask_phone;
use crate::kernel::stores::StoreInfo;
use crate::kernel::validation::{Invalid, required_text};

/// A complaint as taken at the desk, sent by a script or (later) by the member portal.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[schema(as = complaints::Intake, examples(json!({
    "channel": "hotline", "complainant": "王女士", "content": "新买的电饭煲第二天就不加热",
    "category": "product_quality", "wants": "换新", "card_no": "HQ00000042"
})))]
pub struct Intake {
    /// `hotline`, `online`, `email` or `in_store`.
    #[serde(default)]
    pub channel: String,
    /// Who complains (a name as given).
    #[serde(default)]
    pub complainant: String,
    #[serde(default)]
    pub content: String,
    /// `product_quality`, `service` or `other`.
    #[serde(default)]
    pub category: String,
    /// What the customer wants (客户要求).
    #[serde(default)]
    pub wants: String,
    /// The member's card number, when the complainant is a member.
    #[serde(default)]
    pub card_no: String,
    /// A phone to call back (stored encrypted, shown masked); it also finds the member.
    #[serde(default)]
    pub phone: String,
    /// The store the complaint is about (code); empty: the taker's store.
    #[serde(default)]
    pub store: String,
    /// When it was received (RFC 3339 or local `2026-10-16T10:30`); empty: now.
    #[serde(default)]
    pub received_at: String,
    /// A serious loss or an injury: the case is major from the start.
    #[serde(default)]
    pub serious: bool,
    /// A key that makes a repeat of the same request take nothing more.
    #[serde(default)]
    pub key: String,
}

#[derive(Debug, Clone)]
struct Checked {
    channel: &'static str,
    category: &'static str,
    complainant: String,
    content: String,
    wants: String,
    card: Option<CardNo>,
    phone: Option<Phone>,
    received_at: DateTime<Utc>,
    key: Option<String>,
}

fn choice(
    bad: &mut Invalid,
    field: &str,
    input: &str,
    of: &[&'static str],
) -> Option<&'static str> {
    let t = input.trim();
    let found = of.iter().copied().find(|c| *c == t);
    if found.is_none() {
        bad.add(
            field,
            if t.is_empty() {
                "invalid.required"
            } else {
                "invalid.choice"
            },
        );
    }
    found
}

fn parse_time(ctx: &Ctx, input: &str) -> Result<DateTime<Utc>, &'static str> {
    let t = input.trim();
    let now = ctx.now();
    if t.is_empty() {
        return Ok(ts(now));
    }
    let at = DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
                .ok()
                .and_then(|n| ctx.app.config.tz().from_local_datetime(&n).earliest())
                .map(|d| d.with_timezone(&Utc))
        });
    match at {
        None => Err("invalid.date"),
        Some(at) if at > now => Err("invalid.future"),
        Some(at) => Ok(ts(at)),
    }
}

fn check(ctx: &Ctx, input: &Intake) -> Result<Checked, Invalid> {
    let mut bad = Invalid::new();
    let channel = choice(&mut bad, "channel", &input.channel, &CHANNELS);
    let complainant = bad.check("complainant", required_text(&input.complainant, 100));
    let content = bad.check("content", required_text(&input.content, 4000));
    let category = choice(&mut bad, "category", &input.category, &CATEGORIES);
    let wants = input.wants.trim().to_owned();
    if wants.chars().count() > 2000 {
        bad.add("wants", "invalid.too_long");
    }
    let card = if input.card_no.trim().is_empty() {
        None
    } else {
        bad.check("card_no", CardNo::parse(&input.card_no))
    };
    let phone = if input.phone.trim().is_empty() {
        None
    } else {
        bad.check("phone", Phone::parse(&input.phone))
    };
    let received_at = bad.check("received_at", parse_time(ctx, &input.received_at));
    let key = Some(input.key.trim().to_owned()).filter(|k| !k.is_empty());
    if key.as_ref().is_some_and(|k| k.len() > 100) {
        bad.add("key", "invalid.too_long");
    }
    bad.into_result()?;
    match (channel, category, complainant, content, received_at) {
        (Some(channel), Some(category), Some(complainant), Some(content), Some(received_at)) => {
            Ok(Checked {
                channel,
                category,
                complainant,
                content,
                wants,
                card,
                phone,
                received_at,
                key,
            })
        }
        _ => Err(Invalid::one("channel", "invalid.required")),
    }
}

/// The store a complaint is taken for: the one named, else the first the taker may take at.
async fn store_for(ctx: &Ctx, code: &str) -> Result<StoreInfo, ComplaintError> {
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let code = code.trim();
    if !code.is_empty() {
        let s = stores
            .by_code(&code.to_ascii_uppercase())
            .filter(|s| s.active)
            .ok_or_else(|| Invalid::one("store", "invalid.store_code"))?;
        ctx.require_at(Permission::TakeComplaints, s.id)?;
        return Ok(s.clone());
    }
    stores
        .all()
        .into_iter()
        .find(|s| s.active && ctx.can_at(Permission::TakeComplaints, s.id))
        .ok_or_else(|| Invalid::one("store", "invalid.store").into())
}

/// Takes a complaint: checks it, links the member, decides the severity, starts the clocks.
/// A repeat under the same `key` takes nothing more and answers the first case.
pub async fn take(ctx: &Ctx, input: &Intake) -> Result<Complaint, ComplaintError> {
    ctx.require(Permission::TakeComplaints)?;
    let k = check(ctx, input)?;
    let store = store_for(ctx, &input.store).await?;
    let pii = &ctx.app.pii;
    let phone = k.phone.as_ref().map(|p| {
        (
            pii.encrypt(p.as_str()),
            pii.lookup("phone", p.as_str()),
            mask_phone(p.as_str()),
        )
    });
    let member = store::member_by(
        ctx.db(),
        k.card.as_ref().map(CardNo::as_str),
        phone.as_ref().map(|p| p.1.as_str()),
    )
    .await?;
    if k.card.is_some() && member.is_none() {
        return Err(Invalid::one("card_no", "invalid.no_such_card").into());
    }
    let settings = Settings::load(ctx.db()).await?;
    let c = ctx.clone();
    let serious = input.serious;
    let id = ctx
        .db()
        .write(move |tx| {
            let (c, k, phone, member, settings, store) = (
                c.clone(),
                k.clone(),
                phone.clone(),
                member.clone(),
                settings.clone(),
                store.clone(),
            );
            Box::pin(async move {
                if let Some(key) = &k.key
                    && let Some(first) = store::by_key(tx, key).await?
                {
                    return Ok(first.id);
                }
                let hash = phone.as_ref().map(|p| p.1.clone());
                let repeated =
                    store::has_unresolved(tx, member.as_ref().map(|m| m.0), hash.as_deref())
                        .await?;
                let reason = if serious {
                    Some("serious_loss")
                } else if repeated {
                    Some("repeated")
                } else {
                    None
                };
                let new = NewComplaint {
                    store_id: store.id,
                    channel: k.channel,
                    received_at: k.received_at,
                    complainant: &k.complainant,
                    member_id: member.as_ref().map(|m| m.0),
                    card_no: k.card.as_ref().map(CardNo::as_str),
                    phone,
                    top_tier: member.as_ref().is_some_and(|m| m.2),
                    content: &k.content,
                    category: k.category,
                    wants: &k.wants,
                    severity: if reason.is_some() { "major" } else { "minor" },
                    major_reason: reason,
                    taken_by: c.actor.staff().map(|s| s.id),
                    request_key: k.key.as_deref(),
                    now: c.now(),
                };
                let Some(id) = store::insert(tx, &new).await? else {
                    let key = k.key.clone().unwrap_or_default();
                    return Ok(store::by_key(tx, &key)
                        .await?
                        .ok_or(ComplaintError::NotFound)?
                        .id);
                };
                start(tx, &c, &settings, id, store.id, k.received_at, reason).await?;
                tx.audit(
                    c.audit("complaints.taken", "complaint", id)
                        .store(store.id)
                        .after(&json!({
                            "channel": k.channel, "category": k.category,
                            "severity": new.severity, "major_reason": reason,
                            "member_id": new.member_id,
                        })),
                );
                Ok::<_, ComplaintError>(id)
            })
        })
        .await?;
    view::load(ctx.db(), id).await
}

/// Starts the clocks of a new case (and a major one's two more).
async fn start(
    tx: &mut Tx,
    c: &Ctx,
    settings: &Settings,
    id: i64,
    store_id: i64,
    received_at: DateTime<Utc>,
    major: Option<&str>,
) -> Result<(), ComplaintError> {
    for clock in ["acknowledge", "route", "feedback"] {
        let due = clocks::wall_due(settings, clock, received_at);
        store::start_clock(tx, id, clock, None, received_at, due).await?;
    }
    if let Some(reason) = major {
        start_major(tx, settings, id, store_id, received_at, reason, c.now()).await?;
    }
    Ok(())
}

/// A case became major at `since`: the report and resolve clocks start, the store is told.
pub async fn start_major(
    tx: &mut Tx,
    settings: &Settings,
    id: i64,
    store_id: i64,
    since: DateTime<Utc>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), ComplaintError> {
    for clock in ["report", "resolve"] {
        let due = clocks::wall_due(settings, clock, since);
        store::start_clock(tx, id, clock, None, since, due).await?;
    }
    clocks::tell_major(tx, id, store_id, reason, now).await?;
    Ok(())
}
