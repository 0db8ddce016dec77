//! Invitations (H2): one outbox message per target member under `event:<event>:<member>`,
//! queued in writes of 500 members; a rerun adds only the missing. `invite` asks every target
//! member; `invite_members` only those of a list picked elsewhere (an RFM segment's members,
//! M1) who are targets — active, in the event's tiers and segment — through the same queueing,
//! so a member invited either way is never invited twice.

use std::collections::HashSet;

use patron_core::Permission;

use super::store::Target;
use super::{EventRow, EventsError, event_for, shown, store};
use crate::kernel::ctx::Ctx;

/// Members invited per write.
const INVITE_BATCH: usize = 500;

/// Queues the invitation to every target member who has none yet, in writes of 500 members.
/// Returns how many messages were new.
pub async fn invite(ctx: &Ctx, id: i64) -> Result<u64, EventsError> {
    let ev = event_for(ctx, id, Permission::ManageEvents).await?;
    if ev.state != "approved" {
        return Err(EventsError::NotApproved);
    }
    let targets = store::targets(ctx.db(), &ev, ctx.now(), ctx.app.config.tz()).await?;
    queue(ctx, &ev, &targets).await
}

/// What inviting a list of members came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invited {
    /// Members on the list.
    pub asked: u64,
    /// Of them, the event's targets (active, in its tiers and segment).
    pub targets: u64,
    /// Of those, invited now (the others had their invitation already).
    pub new: u64,
}

/// Queues the invitation to those of `member_ids` who are the event's targets and have none
/// yet, as `invite` does.
pub async fn invite_members(
    ctx: &Ctx,
    id: i64,
    member_ids: &[i64],
) -> Result<Invited, EventsError> {
    let ev = event_for(ctx, id, Permission::ManageEvents).await?;
    if ev.state != "approved" {
        return Err(EventsError::NotApproved);
    }
    let wanted: HashSet<i64> = member_ids.iter().copied().collect();
    let targets: Vec<Target> = store::targets(ctx.db(), &ev, ctx.now(), ctx.app.config.tz())
        .await?
        .into_iter()
        .filter(|t| wanted.contains(&t.member_id))
        .collect();
    let new = queue(ctx, &ev, &targets).await?;
    Ok(Invited {
        asked: wanted.len() as u64,
        targets: targets.len() as u64,
        new,
    })
}

/// Queues the invitation to each of `targets` who has none yet, in writes of 500 members, and
/// records how many the event has invited. Returns how many messages were new.
async fn queue(ctx: &Ctx, ev: &EventRow, targets: &[Target]) -> Result<u64, EventsError> {
    let (id, now) = (ev.id, ctx.now());
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
                    let state = store::state(tx, id).await?;
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
