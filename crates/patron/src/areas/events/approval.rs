//! The plan's approval (H2): submitted as kind `event_plan`, decided in the approvals inbox;
//! the decision moves the plan in the same transaction.

use patron_core::Permission;
use patron_core::money::Fen;

use super::{EventsError, KIND_PLAN, event_for, shown, store};
use crate::kernel::ctx::Ctx;

/// The events desk's approval kinds: an event plan goes to the company, decided by a manager
/// (H2).
pub const APPROVALS: &[crate::approvals::ApprovalKind] = &[crate::approvals::ApprovalKind {
    kind: KIND_PLAN,
    label: "approval.kind.event_plan",
    deciders: &[patron_core::Role::Manager],
    decide: decide_boxed,
    record: |id| format!("/events/{id}"),
    record_permission: patron_core::Permission::ViewEvents,
}];

fn decide_boxed(
    ctx: &Ctx,
    id: i64,
    decision: patron_core::approvals::Decision,
) -> crate::approvals::DecideFuture<'_> {
    Box::pin(async move { Ok(decide(ctx, id, decision).await?) })
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
