//! The plan (H1): the form or JSON as typed, checked by `parse` into a `Plan`; creating and
//! changing a plan while it is `draft` or `rejected`.

use chrono::{DateTime, Duration, Utc};
use patron_core::Permission;
use patron_core::money::Fen;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, Plan};
use super::{EventsError, KINDS, SEGMENTS, event_for, parse_local, staff_id};
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::{Invalid, required_text};

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

fn int_in(s: &str, min: i64, max: i64, default: Option<i64>) -> Result<i64, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return default.ok_or("invalid.required");
    }
    match patron_core::typed::parse_int(t).ok_or(()) {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err("invalid.number"),
    }
}

pub(super) fn yuan_in(s: &str, required: bool) -> Result<i64, &'static str> {
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
