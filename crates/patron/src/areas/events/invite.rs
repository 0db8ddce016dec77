//! Invitations (H2): one outbox message per target member under `event:<event>:<member>`,
//! queued in writes of 500 members; a rerun adds only the missing.

use patron_core::Permission;

use super::{EventsError, event_for, shown, store};
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
