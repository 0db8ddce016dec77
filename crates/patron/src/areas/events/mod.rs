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
//!
//! Files: `plan.rs` (the plan's input, checks, create and change), `approval.rs` (submit,
//! decide), `invite.rs`, `signup.rs` (sign-up, cancel, check-in), `analysis.rs` (figures,
//! close); `mod.rs` keeps the times, the event lookup, the list and the portal's events. SQL
//! in `store/`, console and portal pages in `pages/`, JSON routes in `api.rs`.

mod analysis;
pub mod api;
mod approval;
pub mod error;
mod invite;
pub mod messages;
pub mod pages;
mod plan;
mod signup;
pub mod store;

pub use analysis::{Analysis, analysis, analysis_of, close};
pub use approval::{APPROVALS, decide, submit};
pub use error::EventsError;
pub use invite::{Invited, invite, invite_members};
pub use plan::{EventIn, TierIn, create, default_offset, parse, update};
pub use signup::{
    Channel, CheckinOut, SignupOut, cancel, cancel_card, checkin, member_of_card, signup,
    signup_card,
};
pub use store::{EventRow, Figures, Plan, SignupRow, windows};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use patron_core::Permission;
use serde::Deserialize;

use crate::kernel::ctx::Ctx;

/// The approval kind of an event plan.
pub const KIND_PLAN: &str = "event_plan";
/// Event types (H1).
pub const KINDS: &[&str] = &["launch", "member_sale", "experience", "birthday", "trip"];
/// Segments narrowing the target tiers.
pub const SEGMENTS: &[&str] = &["", "birthday_month", "min_spend"];

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
