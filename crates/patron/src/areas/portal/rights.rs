//! The member's data rights (B11): their own data as a readable file (profile, cards, points
//! history, receipts, reward slips, events, complaints), and a request to close the account. The request goes to the
//! desk of the member's store (a notice in its inbox and the list `/portal-requests`); closing
//! itself stays the desk's confirmed and approved step (`members::closing`), and the desk marks
//! the request handled when it has acted on it.

use patron_core::Permission;
use serde_json::json;

use super::PortalError;
use super::store::rights::{self as store, CloseRequest, SignupRow, SlipRow};
use crate::areas::complaints::MemberComplaint;
use crate::areas::members::data::{MemberData, member_data};
use crate::areas::members::store as mstore;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::validation::Invalid;

/// Everything the download holds: what the desk's copy holds (`members::data`, numbers
/// masked) and what the member did in the portal's other areas.
pub struct MyData {
    pub data: MemberData,
    pub consents: Vec<super::store::consent::Answer>,
    pub slips: Vec<SlipRow>,
    pub signups: Vec<SignupRow>,
    pub complaints: Vec<MemberComplaint>,
}

/// The member's own data, read for the download (audited: personal data left the system).
pub async fn my_data(app: &App, member_id: i64) -> Result<MyData, PortalError> {
    let db = &app.db;
    let data = match member_data(db, member_id, app.clock.now()).await {
        Ok(Some(d)) => d,
        Ok(None) => return Err(PortalError::InvalidCredentials),
        Err(e) => return Err(e.into()),
    };
    let data = MyData {
        data,
        consents: super::store::consent::answers(db, member_id).await?,
        slips: store::slips(db, member_id).await?,
        signups: store::signups(db, member_id).await?,
        complaints: crate::areas::complaints::for_member(db, member_id).await?,
    };
    let ctx = Ctx::new(app.clone(), Actor::System, None);
    app.db
        .write(move |tx| {
            let ctx = ctx.clone();
            Box::pin(async move {
                tx.audit(ctx.audit("portal.data_download", "member", member_id));
                Ok::<_, PortalError>(())
            })
        })
        .await?;
    Ok(data)
}

/// The member asks to close their account. `confirmed`: they ticked that they understand the
/// points are forfeited and the personal data erased. Whether a new request was made (false:
/// one is open already).
pub async fn request_close(
    app: &App,
    member_id: i64,
    reason: &str,
    confirmed: bool,
) -> Result<bool, PortalError> {
    let reason = reason.trim().chars().take(200).collect::<String>();
    if !confirmed {
        return Err(PortalError::Invalid(Invalid::one(
            "confirm",
            "portal.close_confirm_required",
        )));
    }
    let Some(m) = mstore::get_member(&app.db, member_id).await? else {
        return Err(PortalError::InvalidCredentials);
    };
    let ctx = Ctx::new(app.clone(), Actor::System, None);
    let now = app.clock.now();
    let card = m.card_no.clone().unwrap_or_default();
    let (store_id, name) = (m.store_id, m.name.clone());
    app.db
        .write(move |tx| {
            let (ctx, reason, card, name) =
                (ctx.clone(), reason.clone(), card.clone(), name.clone());
            Box::pin(async move {
                let Some(id) =
                    store::open_close_request(tx, member_id, store_id, &reason, now).await?
                else {
                    return Ok::<_, PortalError>(false);
                };
                crate::notify::notice(
                    tx,
                    &crate::notify::Notice {
                        to: crate::notify::To::Store(store_id),
                        kind: "portal_close_request",
                        dedupe_key: format!("portal_close_request:{id}"),
                        payload: json!({ "request_id": id, "member": name, "card_no": card }),
                        at: now,
                    },
                )
                .await?;
                tx.audit(
                    ctx.audit("portal.close_requested", "member", member_id)
                        .after(&json!({ "request_id": id, "reason": reason })),
                );
                Ok(true)
            })
        })
        .await
}

/// The member's latest close request, for the portal page.
pub async fn my_close_request(
    app: &App,
    member_id: i64,
) -> Result<Option<CloseRequest>, PortalError> {
    Ok(store::latest_of(&app.db, member_id).await?)
}

/// The stores whose requests the caller sees: `None` for every store.
fn scope(ctx: &Ctx) -> Option<Vec<i64>> {
    ctx.actor.staff().map(|s| {
        s.grants
            .iter()
            .filter(|g| patron_core::access::allows(g.role, Permission::ViewMembers))
            .map(|g| g.store_id)
            .collect()
    })
}

/// The desk's list of close requests at the caller's stores (`state`: open, handled or all).
pub async fn close_requests(ctx: &Ctx, state: &str) -> Result<Vec<CloseRequest>, PortalError> {
    ctx.require(Permission::ViewMembers)?;
    let state = match state {
        "open" | "handled" => state,
        _ => "",
    };
    let stores = scope(ctx);
    Ok(store::close_requests(ctx.db(), stores.as_deref(), state).await?)
}

/// How many requests wait at a store (the dashboard's tile).
pub async fn open_count(ctx: &Ctx, store_id: i64) -> Result<i64, PortalError> {
    ctx.require_at(Permission::ViewMembers, store_id)?;
    Ok(store::count_open(ctx.db(), store_id).await?)
}

/// The desk marks a request handled, with what it did (asked for the close, or why not).
pub async fn handle(ctx: &Ctx, id: i64, note: &str) -> Result<(), PortalError> {
    ctx.require(Permission::ManageMembers)?;
    let note = note.trim().chars().take(200).collect::<String>();
    if note.is_empty() {
        return Err(PortalError::Invalid(Invalid::one(
            "note",
            "invalid.required",
        )));
    }
    let (c, now) = (ctx.clone(), ctx.now());
    let by = ctx.actor.staff().map(|s| s.id);
    ctx.db()
        .write(move |tx| {
            let (c, note) = (c.clone(), note.clone());
            Box::pin(async move {
                let Some((member_id, store_id, _)) = store::request_head(tx, id).await? else {
                    return Err(PortalError::NotFound);
                };
                c.require_at(Permission::ManageMembers, store_id)?;
                if !store::mark_handled(tx, id, by, &note, now).await? {
                    return Err(PortalError::AlreadyHandled);
                }
                tx.audit(
                    c.audit("portal.close_handled", "member", member_id)
                        .after(&json!({ "request_id": id, "note": note })),
                );
                Ok(())
            })
        })
        .await
}
