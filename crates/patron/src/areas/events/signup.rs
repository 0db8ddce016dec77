//! Sign-ups and check-in (H3): the capacity-guarded sign-up (desk by card, or the member in
//! the portal), cancelling, and the door's once-only check-in with its event points.

use patron_core::Permission;
use serde::Serialize;
use utoipa::ToSchema;

use super::{EventsError, event_for, shown, staff_id, store};
use crate::kernel::ctx::Ctx;
use crate::kernel::validation::Invalid;

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
                let ev = store::get(&mut *tx, id)
                    .await?
                    .ok_or(EventsError::NotFound)?;
                if ev.state != "approved" {
                    return Err(EventsError::NotApproved);
                }
                if now >= ev.starts_at {
                    return Err(EventsError::SignupClosed);
                }
                let opens = store::opens_for(&mut *tx, &ev, member_id, now, tz)
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
                let ev = store::get(&mut *tx, id)
                    .await?
                    .ok_or(EventsError::NotFound)?;
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
    let today = crate::kernel::dates::business_date(now, ctx.app.config.tz());
    let (store_id, theme) = (ev.store_id, ev.theme.clone());
    ctx.db()
        .write(move |tx| {
            let (c, card, theme) = (c.clone(), card.clone(), theme.clone());
            Box::pin(async move {
                let state = store::state(tx, id).await?;
                if state.as_deref() != Some("approved") {
                    return Err(EventsError::NotApproved);
                }
                let m = crate::areas::points::store::card_member(&mut *tx, &card)
                    .await?
                    .filter(|m| m.member_status == "active")
                    .ok_or(EventsError::MemberNotFound)?;
                let points = store::points_of(tx, id).await?;
                if !store::check_in(tx, id, m.member_id, by, now, points).await? {
                    return Err(
                        match store::signup_status(&mut *tx, id, m.member_id).await? {
                            Some((s, true)) if s == "signed" => EventsError::AlreadyCheckedIn,
                            _ => EventsError::NotSignedUp,
                        },
                    );
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
                let attendees = store::attendees(tx, id).await?;
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
