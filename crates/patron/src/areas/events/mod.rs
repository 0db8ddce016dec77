//! Member events (会员活动, SPEC H1–H4): plan → approval → invitation → sign-up with capacity and
//! tier priority → check-in → event points once per member → analysis archived with the plan.
//!
//! - A plan is edited while `draft` or `rejected`, submitted for approval (kind `event_plan`)
//!   and decided in the approvals inbox; only an `approved` event invites and takes sign-ups.
//! - The target is a set of tiers, each with its own sign-up opening time (priority windows:
//!   higher tiers open earlier), optionally narrowed to a segment (birthday in the event's month,
//!   or a minimum spend in the last N days).
//! - Invitations go through the outbox, one message per target member under the dedupe key
//!   `event:<event>:<member>`, queued in writes of 500 members (a rerun adds only the missing).
//! - A sign-up moves the event's counter with `… where signed_up < capacity` (and the table's
//!   check constraint), and takes the unique (event, member) row: parallel sign-ups have exactly
//!   `capacity` winners; the others get `event_full`.
//! - Event points are awarded at check-in (by card number at the door): the guarded update
//!   `… where checked_in_at is null` lets one check-in per member through, and only that one
//!   credits the points (ledger kind `event`, source `EV<id>`). A second check-in adds nothing.
//! - Closing the event (after it ended) stores the analysis as it stands (sign-ups, attendance,
//!   points, cost per attendee, attendees' spending N weeks before vs after) with the plan.

pub mod api;
mod error;
pub mod messages;
pub mod pages;
pub mod store;

pub use error::EventsError;

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, TimeZone, Utc};
use patron_core::Permission;
use patron_core::money::Fen;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, WriteError};
use crate::kernel::validation::{Invalid, required_text};
pub use store::{EventRow, Figures, SignupRow};

/// The approval kind of an event plan.
pub const KIND_PLAN: &str = "event_plan";
/// Event types (H1).
pub const KINDS: &[&str] = &["launch", "member_sale", "experience", "birthday", "trip"];
/// Segments narrowing the target tiers.
pub const SEGMENTS: &[&str] = &["", "birthday_month", "min_spend"];
/// Members invited per write.
const INVITE_BATCH: usize = 500;

/// Whether an approval kind belongs to this area.
/// The events desk's approval kinds: an event plan goes to the company, decided by a manager
/// (H2).
pub const APPROVALS: &[crate::approvals::ApprovalKind] = &[crate::approvals::ApprovalKind {
    kind: KIND_PLAN,
    label: "approval.kind.event_plan",
    deciders: &[patron_core::Role::Manager],
    decide: decide_boxed,
}];

fn decide_boxed(
    ctx: &Ctx,
    id: i64,
    decision: patron_core::approvals::Decision,
) -> crate::approvals::DecideFuture<'_> {
    Box::pin(async move { Ok(decide(ctx, id, decision).await?) })
}

/// The plan as typed (console form or JSON): texts, parsed and checked by `parse`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[schema(examples(json!({
    "store_code": "HQ",
    "theme": "秋冬新品发布会",
    "kind": "launch",
    "starts_at": "2026-10-18T14:00",
    "ends_at": "2026-10-18T16:30",
    "place": "三楼中庭",
    "content": "新品走秀与会员专享试穿",
    "capacity": "80",
    "budget": "5000.00",
    "points": "200",
    "analysis_weeks": "4",
    "segment": "",
    "segment_min_spend": "",
    "segment_window_days": "",
    "signup_opens": "2026-10-08T10:00",
    "tiers": [
        {
            "code": "gold",
            "offset_days": "0"
        },
        {
            "code": "silver",
            "offset_days": "2"
        }
    ]
})))]
pub struct EventIn {
    #[serde(default)]
    pub store_code: String,
    #[serde(default)]
    pub theme: String,
    /// launch | member_sale | experience | birthday | trip
    #[serde(default)]
    pub kind: String,
    /// Local time `2026-12-12T14:00`.
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub capacity: String,
    /// Yuan, e.g. `5000.00`.
    #[serde(default)]
    pub budget: String,
    /// Event points per attendee.
    #[serde(default)]
    pub points: String,
    /// Weeks before and after compared by the analysis (default 4).
    #[serde(default)]
    pub analysis_weeks: String,
    /// '' | birthday_month | min_spend
    #[serde(default)]
    pub segment: String,
    /// Yuan, for `min_spend`.
    #[serde(default)]
    pub segment_min_spend: String,
    #[serde(default)]
    pub segment_window_days: String,
    /// Local time sign-up opens for the first tiers (T).
    #[serde(default)]
    pub signup_opens: String,
    /// The target tiers, each opening `offset_days` after T.
    #[serde(default)]
    pub tiers: Vec<TierIn>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct TierIn {
    pub code: String,
    #[serde(default)]
    pub offset_days: String,
}

/// A checked plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub store_id: i64,
    pub theme: String,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
    pub content: String,
    pub segment: String,
    pub segment_min_spend_fen: i64,
    pub segment_window_days: i64,
    pub capacity: i64,
    pub budget_fen: i64,
    pub points: i64,
    pub analysis_weeks: i64,
    pub tiers: Vec<(String, DateTime<Utc>)>,
}

/// Reads a local time `YYYY-MM-DDTHH:MM` (or with a space) in the business time zone.
pub fn parse_local(ctx: &Ctx, s: &str) -> Result<DateTime<Utc>, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err("invalid.required");
    }
    let t = t.replace(' ', "T");
    let naive = NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "invalid.event_time")?;
    ctx.app
        .config
        .tz()
        .from_local_datetime(&naive)
        .earliest()
        .map(|d| crate::kernel::db::ts(d.with_timezone(&Utc)))
        .ok_or("invalid.event_time")
}

/// A time as the staff type it (`2026-12-12T14:00`, business time zone).
pub fn local(ctx: &Ctx, t: DateTime<Utc>) -> String {
    t.with_timezone(&ctx.app.config.tz())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A time as shown in messages (`2026-12-12 14:00`).
pub fn shown(ctx: &Ctx, t: DateTime<Utc>) -> String {
    t.with_timezone(&ctx.app.config.tz())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn int_in(s: &str, min: i64, max: i64, default: Option<i64>) -> Result<i64, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return default.ok_or("invalid.required");
    }
    match t.parse::<i64>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err("invalid.number"),
    }
}

fn yuan_in(s: &str, required: bool) -> Result<i64, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return if required {
            Err("invalid.required")
        } else {
            Ok(0)
        };
    }
    match Fen::parse_yuan(t) {
        Ok(f) if f.0 >= 0 && f.0 <= 10_000_000_000 => Ok(f.0),
        _ => Err("invalid.amount"),
    }
}

/// The default sign-up delay of a tier in days: tiers with the `event_priority` perk open at T,
/// each rank below the lowest of them one day later (gold/platinum T, silver T+1, regular T+2).
pub fn default_offset(tiers: &[crate::areas::points::settings::Tier], code: &str) -> i64 {
    let first = tiers
        .iter()
        .filter(|t| t.perks.split(',').any(|p| p.trim() == "event_priority"))
        .map(|t| t.rank)
        .min()
        .unwrap_or(i64::MAX);
    match tiers.iter().find(|t| t.code == code) {
        Some(t) if first != i64::MAX && t.rank < first => first - t.rank,
        _ => 0,
    }
}

/// Checks a plan; every bad field at once.
pub async fn parse(ctx: &Ctx, input: &EventIn) -> Result<Plan, EventsError> {
    let mut bad = Invalid::new();
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let store = stores.by_code(input.store_code.trim()).cloned();
    if store.is_none() {
        bad.add("store_code", "invalid.store");
    }
    let theme = bad.check("theme", required_text(&input.theme, 100));
    let kind = input.kind.trim().to_string();
    if !KINDS.contains(&kind.as_str()) {
        bad.add("kind", "invalid.choice");
    }
    let starts_at = bad.check("starts_at", parse_local(ctx, &input.starts_at));
    let ends_at = bad.check("ends_at", parse_local(ctx, &input.ends_at));
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && e <= s
    {
        bad.add("ends_at", "invalid.event_ends_before");
    }
    let place = bad.check("place", required_text(&input.place, 100));
    if input.content.chars().count() > 2000 {
        bad.add("content", "invalid.too_long");
    }
    let capacity = bad.check("capacity", int_in(&input.capacity, 1, 100_000, None));
    let budget = bad.check("budget", yuan_in(&input.budget, false));
    let points = bad.check("points", int_in(&input.points, 0, 100_000, Some(0)));
    let weeks = bad.check(
        "analysis_weeks",
        int_in(&input.analysis_weeks, 1, 26, Some(4)),
    );
    let segment = input.segment.trim().to_string();
    let (mut seg_min, mut seg_days) = (0, 0);
    if !SEGMENTS.contains(&segment.as_str()) {
        bad.add("segment", "invalid.choice");
    } else if segment == "min_spend" {
        match yuan_in(&input.segment_min_spend, true) {
            Ok(f) if f > 0 => seg_min = f,
            Ok(_) => bad.add("segment_min_spend", "invalid.amount"),
            Err(k) => bad.add("segment_min_spend", k),
        }
        if let Some(d) = bad.check(
            "segment_window_days",
            int_in(&input.segment_window_days, 1, 730, None),
        ) {
            seg_days = d;
        }
    }
    let opens = bad.check("signup_opens", parse_local(ctx, &input.signup_opens));
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let mut tiers: Vec<(String, DateTime<Utc>)> = Vec::new();
    if input.tiers.is_empty() {
        bad.add("tiers", "invalid.event_no_tiers");
    }
    for t in &input.tiers {
        let code = t.code.trim();
        if loyalty.tier(code).is_none() {
            bad.add("tiers", "invalid.tier");
            continue;
        }
        if tiers.iter().any(|(c, _)| c == code) {
            continue;
        }
        let field = format!("offset.{code}");
        let Some(days) = bad.check(&field, int_in(&t.offset_days, 0, 60, Some(0))) else {
            continue;
        };
        if let (Some(o), Some(s)) = (opens, starts_at) {
            let at = o + Duration::days(days);
            if at >= s {
                bad.add(&field, "invalid.event_opens_after_start");
            }
            tiers.push((code.to_string(), at));
        }
    }
    bad.into_result()?;
    let (Some(store), Some(theme), Some(starts_at), Some(ends_at), Some(place)) =
        (store, theme, starts_at, ends_at, place)
    else {
        return Err(Invalid::one("theme", "invalid.required").into());
    };
    Ok(Plan {
        store_id: store.id,
        theme,
        kind,
        starts_at,
        ends_at,
        place,
        content: input.content.trim().to_string(),
        segment,
        segment_min_spend_fen: seg_min,
        segment_window_days: seg_days,
        capacity: capacity.unwrap_or(1),
        budget_fen: budget.unwrap_or(0),
        points: points.unwrap_or(0),
        analysis_weeks: weeks.unwrap_or(4),
        tiers,
    })
}

fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

/// An event for a use case that needs `permission` at its store.
pub async fn event_for(
    ctx: &Ctx,
    id: i64,
    permission: Permission,
) -> Result<EventRow, EventsError> {
    ctx.require(permission)?;
    let ev = store::get(ctx.db(), id)
        .await?
        .ok_or(EventsError::NotFound)?;
    ctx.require_at(permission, ev.store_id)?;
    Ok(ev)
}

/// Creates a plan (`draft`). Returns its id.
pub async fn create(ctx: &Ctx, input: &EventIn) -> Result<i64, EventsError> {
    ctx.require(Permission::ManageEvents)?;
    let plan = std::sync::Arc::new(parse(ctx, input).await?);
    ctx.require_at(Permission::ManageEvents, plan.store_id)?;
    let (c, now, by) = (ctx.clone(), ctx.now(), staff_id(ctx));
    ctx.db()
        .write(move |tx| {
            let (c, plan) = (c.clone(), plan.clone());
            Box::pin(async move {
                let id = store::insert(tx, &plan, by, now).await?;
                tx.audit(
                    c.audit("event.create", "event", id)
                        .after(&plan_json(&plan)),
                );
                Ok::<_, EventsError>(id)
            })
        })
        .await
}

fn plan_json(p: &Plan) -> serde_json::Value {
    serde_json::json!({
        "theme": p.theme, "kind": p.kind, "starts_at": p.starts_at, "ends_at": p.ends_at,
        "place": p.place, "capacity": p.capacity, "budget_fen": p.budget_fen, "points": p.points,
        "segment": p.segment, "tiers": p.tiers,
    })
}

/// Changes a plan while it is `draft` or `rejected`.
pub async fn update(ctx: &Ctx, id: i64, input: &EventIn) -> Result<(), EventsError> {
    let ev = event_for(ctx, id, Permission::ManageEvents).await?;
    let plan = std::sync::Arc::new(parse(ctx, input).await?);
    ctx.require_at(Permission::ManageEvents, plan.store_id)?;
    let (c, now) = (ctx.clone(), ctx.now());
    let before = serde_json::json!({ "theme": ev.theme, "capacity": ev.capacity });
    ctx.db()
        .write(move |tx| {
            let (c, plan, before) = (c.clone(), plan.clone(), before.clone());
            Box::pin(async move {
                if !store::update(tx, id, &plan, now).await? {
                    return Err(EventsError::Conflict(
                        "only a draft or rejected plan can be changed".into(),
                    ));
                }
                tx.audit(
                    c.audit("event.update", "event", id)
                        .before(&before)
                        .after(&plan_json(&plan)),
                );
                Ok(())
            })
        })
        .await
}

/// Submits a draft (or rejected) plan for approval. Returns the approval id.
pub async fn submit(ctx: &Ctx, id: i64) -> Result<i64, EventsError> {
    let ev = event_for(ctx, id, Permission::ManageEvents).await?;
    let c = ctx.clone();
    let summary = format!(
        "会员活动 EV{id}：{}（{}，{} 人，预算 {}）",
        ev.theme,
        shown(ctx, ev.starts_at),
        ev.capacity,
        Fen(ev.budget_fen).plain()
    );
    let summary: String = summary.chars().take(200).collect();
    let previous = ev.approval_id.filter(|_| ev.state == "rejected");
    ctx.db()
        .write(move |tx| {
            let (c, summary) = (c.clone(), summary.clone());
            Box::pin(async move {
                let row = crate::approvals::submit(
                    &c,
                    tx,
                    &crate::approvals::NewRequest {
                        kind: KIND_PLAN.into(),
                        store_id: Some(ev.store_id),
                        subject_kind: "event".into(),
                        subject_id: id.to_string(),
                        summary,
                        payload: serde_json::json!({ "event_id": id }),
                        previous_id: previous,
                    },
                )
                .await?;
                if !store::set_pending(tx, id, row.id, c.now()).await? {
                    return Err(EventsError::Conflict(
                        "only a draft or rejected plan can be submitted".into(),
                    ));
                }
                tx.audit(
                    c.audit("event.submit", "event", id)
                        .after(&serde_json::json!({ "approval_id": row.id })),
                );
                Ok(row.id)
            })
        })
        .await
}

/// Decides an event plan's approval and moves the plan in the same transaction.
pub async fn decide(
    ctx: &Ctx,
    id: i64,
    decision: patron_core::approvals::Decision,
) -> Result<crate::approvals::ApprovalRow, EventsError> {
    let c = ctx.clone();
    let decision = std::sync::Arc::new(decision);
    ctx.db()
        .write(move |tx| {
            let (c, decision) = (c.clone(), decision.clone());
            Box::pin(async move {
                let row = crate::approvals::decide(&c, tx, id, &decision, APPROVALS).await?;
                if row.kind != KIND_PLAN {
                    return Err(EventsError::NotFound);
                }
                let event_id: i64 = row.subject_id.parse().map_err(|_| EventsError::NotFound)?;
                let to = match row.status.as_str() {
                    "approved" => "approved",
                    // rejected or withdrawn: the plan can be changed and submitted again
                    _ => "rejected",
                };
                store::set_decided(tx, event_id, row.id, to, c.now()).await?;
                Ok(row)
            })
        })
        .await
}

/// Queues the invitation to every target member who has none yet, in writes of 500 members.
/// Returns how many messages were new.
pub async fn invite(ctx: &Ctx, id: i64) -> Result<u64, EventsError> {
    let ev = event_for(ctx, id, Permission::ManageEvents).await?;
    if ev.state != "approved" {
        return Err(EventsError::NotApproved);
    }
    let now = ctx.now();
    let targets = store::targets(ctx.db(), &ev, now, ctx.app.config.tz()).await?;
    let mut new = 0u64;
    for chunk in targets.chunks(INVITE_BATCH) {
        let chunk = std::sync::Arc::new(chunk.to_vec());
        let payloads: std::sync::Arc<Vec<serde_json::Value>> = std::sync::Arc::new(
            chunk
                .iter()
                .map(|t| {
                    serde_json::json!({
                        "event_id": id, "theme": ev.theme, "place": ev.place,
                        "starts_at": shown(ctx, ev.starts_at), "opens_at": shown(ctx, t.opens_at),
                    })
                })
                .collect(),
        );
        new += ctx
            .db()
            .write(move |tx| {
                let (chunk, payloads) = (chunk.clone(), payloads.clone());
                Box::pin(async move {
                    // Nothing is queued for an event that stopped being approved meanwhile.
                    let state = store::state_in(tx, id).await?;
                    if state.as_deref() != Some("approved") {
                        return Err(EventsError::NotApproved);
                    }
                    let mut n = 0u64;
                    for (t, payload) in chunk.iter().zip(payloads.iter()) {
                        let fresh = crate::notify::queue(
                            tx,
                            &crate::notify::NewMessage {
                                member_id: Some(t.member_id),
                                kind: "event_invite",
                                channel: if t.has_phone == 0 && t.has_email == 1 {
                                    "email"
                                } else {
                                    "sms"
                                },
                                dedupe_key: format!("event:{id}:{}", t.member_id),
                                payload: payload.clone(),
                                marketing: true,
                                at: now,
                            },
                        )
                        .await?;
                        if fresh {
                            n += 1;
                        }
                    }
                    Ok::<_, EventsError>(n)
                })
            })
            .await?;
    }
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let total = store::record_invited(tx, id, now).await?;
                tx.audit(
                    c.audit("event.invite", "event", id)
                        .after(&serde_json::json!({ "new": new, "invited": total })),
                );
                Ok::<_, EventsError>(())
            })
        })
        .await?;
    Ok(new)
}

/// What a sign-up answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignupOut {
    pub event_id: i64,
    pub member_id: i64,
    pub signed_up: i64,
    pub capacity: i64,
}

/// Who signs a member up.
#[derive(Debug, Clone, Copy)]
pub enum Channel {
    Desk,
    Portal,
}

/// Signs a member up (desk: by card number; portal: the member themself). Refused when the
/// event is not approved, has started, is not for the member, their tier's window has not
/// opened, they signed up already, or it is full. The counter and the row change together.
pub async fn signup(
    ctx: &Ctx,
    id: i64,
    member_id: i64,
    channel: Channel,
) -> Result<SignupOut, EventsError> {
    let (c, now, by) = (ctx.clone(), ctx.now(), staff_id(ctx));
    let tz = ctx.app.config.tz();
    let channel_code = match channel {
        Channel::Desk => "desk",
        Channel::Portal => "portal",
    };
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let ev = store::get_in(tx, id).await?.ok_or(EventsError::NotFound)?;
                if ev.state != "approved" {
                    return Err(EventsError::NotApproved);
                }
                if now >= ev.starts_at {
                    return Err(EventsError::SignupClosed);
                }
                let opens = store::opens_for_in(tx, &ev, member_id, now, tz)
                    .await?
                    .ok_or(EventsError::NotInTarget)?;
                if now < opens {
                    return Err(EventsError::NotYetOpen(shown(&c, opens)));
                }
                if !store::take_signup(tx, id, member_id, channel_code, by, now).await? {
                    return Err(EventsError::AlreadySignedUp);
                }
                let Some(count) = store::bump(tx, id).await? else {
                    return Err(EventsError::Full);
                };
                tx.audit(c.audit("event.signup", "event", id).after(
                    &serde_json::json!({ "member_id": member_id, "channel": channel_code }),
                ));
                Ok(SignupOut {
                    event_id: id,
                    member_id,
                    signed_up: count,
                    capacity: ev.capacity,
                })
            })
        })
        .await
}

/// The member of a card, for desk operations.
pub async fn member_of_card(ctx: &Ctx, card_no: &str) -> Result<i64, EventsError> {
    let card = card_no.trim();
    if card.is_empty() {
        return Err(Invalid::one("card_no", "invalid.required").into());
    }
    crate::areas::points::store::card_member(ctx.db(), card)
        .await?
        .filter(|m| m.member_status == "active")
        .map(|m| m.member_id)
        .ok_or(EventsError::MemberNotFound)
}

/// Desk sign-up by card number.
pub async fn signup_card(ctx: &Ctx, id: i64, card_no: &str) -> Result<SignupOut, EventsError> {
    event_for(ctx, id, Permission::ManageEvents).await?;
    let member = member_of_card(ctx, card_no).await?;
    signup(ctx, id, member, Channel::Desk).await
}

/// Cancels a sign-up before the event starts (not after check-in); frees the place.
pub async fn cancel(ctx: &Ctx, id: i64, member_id: i64) -> Result<(), EventsError> {
    let (c, now) = (ctx.clone(), ctx.now());
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let ev = store::get_in(tx, id).await?.ok_or(EventsError::NotFound)?;
                if ev.state != "approved" || now >= ev.starts_at {
                    return Err(EventsError::SignupClosed);
                }
                if !store::cancel_signup(tx, id, member_id, now).await? {
                    return Err(EventsError::NotSignedUp);
                }
                tx.audit(
                    c.audit("event.cancel_signup", "event", id)
                        .after(&serde_json::json!({ "member_id": member_id })),
                );
                Ok(())
            })
        })
        .await
}

/// Desk cancellation by card number.
pub async fn cancel_card(ctx: &Ctx, id: i64, card_no: &str) -> Result<(), EventsError> {
    event_for(ctx, id, Permission::ManageEvents).await?;
    let member = member_of_card(ctx, card_no).await?;
    cancel(ctx, id, member).await
}

/// What the door sees after a check-in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckinOut {
    pub member_id: i64,
    pub name: String,
    pub card_no: String,
    pub tier_code: String,
    pub points: i64,
    pub balance_after: i64,
    pub attendees: i64,
}

/// Checks a signed-up member in by card number and awards the event points, once.
pub async fn checkin(ctx: &Ctx, id: i64, card_no: &str) -> Result<CheckinOut, EventsError> {
    let ev = event_for(ctx, id, Permission::ManageEvents).await?;
    let card = card_no.trim().to_string();
    if card.is_empty() {
        return Err(Invalid::one("card_no", "invalid.required").into());
    }
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let valid_months = u32::try_from(loyalty.settings.points_valid_months).unwrap_or(24);
    let (c, now, by) = (ctx.clone(), ctx.now(), staff_id(ctx));
    let today = crate::areas::points::business_date(now, ctx.app.config.tz());
    let (store_id, theme) = (ev.store_id, ev.theme.clone());
    ctx.db()
        .write(move |tx| {
            let (c, card, theme) = (c.clone(), card.clone(), theme.clone());
            Box::pin(async move {
                let state = store::state_in(tx, id).await?;
                if state.as_deref() != Some("approved") {
                    return Err(EventsError::NotApproved);
                }
                let m = crate::areas::points::store::card_member_in(tx, &card)
                    .await?
                    .filter(|m| m.member_status == "active")
                    .ok_or(EventsError::MemberNotFound)?;
                let points = store::points_of_in(tx, id).await?;
                if !store::check_in(tx, id, m.member_id, by, now, points).await? {
                    return Err(match store::signup_status_in(tx, id, m.member_id).await? {
                        Some((s, true)) if s == "signed" => EventsError::AlreadyCheckedIn,
                        _ => EventsError::NotSignedUp,
                    });
                }
                let mut balance = m.points_balance;
                if points > 0 {
                    let source = format!("EV{id}");
                    balance = crate::areas::points::ledger::credit_in(
                        tx,
                        &crate::areas::points::ledger::Change {
                            member_id: m.member_id,
                            points,
                            kind: "event",
                            store_id: Some(store_id),
                            source_ref: &source,
                            staff_id: by,
                            note: &theme,
                            today,
                            now,
                        },
                        valid_months,
                    )
                    .await?;
                }
                let attendees = store::attendees_in(tx, id).await?;
                tx.audit(
                    c.audit("event.checkin", "event", id)
                        .after(&serde_json::json!({ "member_id": m.member_id, "points": points })),
                );
                Ok(CheckinOut {
                    member_id: m.member_id,
                    name: m.name,
                    card_no: m.card_no,
                    tier_code: m.tier_code,
                    points,
                    balance_after: balance,
                    attendees,
                })
            })
        })
        .await
}

/// The analysis of an event (H4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Analysis {
    pub invited: i64,
    pub signups: i64,
    pub cancelled: i64,
    pub attendees: i64,
    /// Attendees per thousand sign-ups.
    pub attendance_permille: i64,
    pub points_awarded: i64,
    /// The recorded actual cost, or the budget when none was recorded.
    pub cost_fen: i64,
    pub cost_is_actual: bool,
    pub cost_per_attendee_fen: Option<i64>,
    pub weeks: i64,
    pub before_from: DateTime<Utc>,
    pub before_to: DateTime<Utc>,
    pub after_from: DateTime<Utc>,
    pub after_to: DateTime<Utc>,
    /// Attendees' receipts in the N weeks before the event started.
    pub spend_before_fen: i64,
    pub receipts_before: i64,
    /// Attendees' receipts in the N weeks after the event ended.
    pub spend_after_fen: i64,
    pub receipts_after: i64,
    /// (after − before) per thousand of before; none when before is zero.
    pub spend_change_permille: Option<i64>,
    /// Whether the after window had ended when the figures were taken.
    pub complete: bool,
    pub computed_at: DateTime<Utc>,
}

/// The windows of the spending comparison.
pub fn windows(ev: &EventRow) -> [DateTime<Utc>; 4] {
    let w = Duration::weeks(ev.analysis_weeks);
    [ev.starts_at - w, ev.starts_at, ev.ends_at, ev.ends_at + w]
}

/// Builds the analysis from the counted figures.
pub fn analysis_of(ev: &EventRow, f: &Figures, now: DateTime<Utc>) -> Analysis {
    let [bf, bt, af, at] = windows(ev);
    let (cost, actual) = match ev.actual_cost_fen {
        Some(c) => (c, true),
        None => (ev.budget_fen, false),
    };
    Analysis {
        invited: ev.invited_count,
        signups: f.signups,
        cancelled: f.cancelled,
        attendees: f.attendees,
        attendance_permille: if f.signups > 0 {
            f.attendees * 1000 / f.signups
        } else {
            0
        },
        points_awarded: f.points_awarded,
        cost_fen: cost,
        cost_is_actual: actual,
        cost_per_attendee_fen: (f.attendees > 0).then(|| cost / f.attendees),
        weeks: ev.analysis_weeks,
        before_from: bf,
        before_to: bt,
        after_from: af,
        after_to: at,
        spend_before_fen: f.spend_before,
        receipts_before: f.receipts_before,
        spend_after_fen: f.spend_after,
        receipts_after: f.receipts_after,
        spend_change_permille: (f.spend_before > 0)
            .then(|| (f.spend_after - f.spend_before) * 1000 / f.spend_before),
        complete: now >= at,
        computed_at: now,
    }
}

/// The analysis: the archived one of a closed event, or as it stands now.
pub async fn analysis(ctx: &Ctx, ev: &EventRow) -> Result<Analysis, EventsError> {
    if let Some(a) = ev
        .analysis
        .as_deref()
        .and_then(|s| serde_json::from_str::<Analysis>(s).ok())
    {
        return Ok(a);
    }
    let f = store::figures(ctx.db(), ev).await?;
    Ok(analysis_of(ev, &f, ctx.now()))
}

/// Closes an approved event after it ended: records the actual cost (optional, yuan) and
/// archives the analysis with the plan.
pub async fn close(ctx: &Ctx, id: i64, actual_cost: &str) -> Result<Analysis, EventsError> {
    let ev = event_for(ctx, id, Permission::ManageEvents).await?;
    let cost = if actual_cost.trim().is_empty() {
        None
    } else {
        Some(yuan_in(actual_cost, true).map_err(|k| Invalid::one("actual_cost", k))?)
    };
    if ev.state != "approved" {
        return Err(EventsError::Conflict(
            "only an approved event can be closed".into(),
        ));
    }
    let now = ctx.now();
    if now < ev.ends_at {
        return Err(EventsError::Conflict(format!(
            "the event ends at {}",
            shown(ctx, ev.ends_at)
        )));
    }
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                let mut ev = store::get_in(tx, id).await?.ok_or(EventsError::NotFound)?;
                if cost.is_some() {
                    ev.actual_cost_fen = cost;
                }
                let f = store::figures_in(tx, &ev).await?;
                let a = analysis_of(&ev, &f, now);
                let text = serde_json::to_string(&a).unwrap_or_default();
                if !store::set_closed(tx, id, ev.actual_cost_fen, &text, now).await? {
                    return Err(EventsError::Conflict(
                        "only an approved event can be closed".into(),
                    ));
                }
                tx.audit(
                    c.audit("event.close", "event", id)
                        .after(&serde_json::json!({
                            "signups": a.signups, "attendees": a.attendees,
                            "points_awarded": a.points_awarded, "cost_fen": a.cost_fen,
                        })),
                );
                Ok(a)
            })
        })
        .await
}

/// Filters of the event list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub store: String,
    /// `2026-12`: events starting in that month.
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub q: String,
}

/// Events matching the filters, newest start first.
pub async fn list(ctx: &Ctx, f: &ListFilter) -> Result<Vec<EventRow>, EventsError> {
    ctx.require(Permission::ViewEvents)?;
    let rows = store::list(ctx.db()).await?;
    let tz = ctx.app.config.tz();
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let q = f.q.trim().to_lowercase();
    Ok(rows
        .into_iter()
        .filter(|e| ctx.can_at(Permission::ViewEvents, e.store_id))
        .filter(|e| f.state.is_empty() || e.state == f.state)
        .filter(|e| f.kind.is_empty() || e.kind == f.kind)
        .filter(|e| {
            f.store.is_empty()
                || stores
                    .by_id(e.store_id)
                    .is_some_and(|s| s.code.eq_ignore_ascii_case(f.store.trim()))
        })
        .filter(|e| {
            f.month.trim().is_empty()
                || e.starts_at.with_timezone(&tz).format("%Y-%m").to_string() == f.month.trim()
        })
        .filter(|e| q.is_empty() || e.theme.to_lowercase().contains(&q))
        .collect())
}

/// An event the member may see in the portal, with their tier's opening time.
#[derive(Debug, Clone)]
pub struct PortalEvent {
    pub ev: EventRow,
    pub opens_at: DateTime<Utc>,
    pub open_now: bool,
    pub signed: bool,
}

/// Approved events not yet started that are for this member.
pub async fn for_member(ctx: &Ctx, member_id: i64) -> Result<Vec<PortalEvent>, EventsError> {
    let now = ctx.now();
    let tz = ctx.app.config.tz();
    let mut out = Vec::new();
    for ev in store::list(ctx.db()).await? {
        if ev.state != "approved" || ev.ends_at <= now {
            continue;
        }
        let Some(opens) = store::opens_for(ctx.db(), &ev, member_id, now, tz).await? else {
            continue;
        };
        let signed = store::signup_status(ctx.db(), ev.id, member_id)
            .await?
            .is_some_and(|(s, _)| s == "signed");
        out.push(PortalEvent {
            open_now: now >= opens && now < ev.starts_at,
            opens_at: opens,
            signed,
            ev,
        });
    }
    out.sort_by_key(|p| p.ev.starts_at);
    Ok(out)
}

/// The month (`01`–`12`) of a time in the business time zone, for the birthday segment.
pub(crate) fn month_of(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    format!("{:02}", t.with_timezone(&tz).month())
}
