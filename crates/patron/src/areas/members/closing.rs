//! Closing a member (B11) is irreversible: the personal data is erased and the card dies. The
//! desk asks for it, stating what happens to the remaining points; a supervisor or manager (not
//! the one who asked) approves, and the approval carries it out in one transaction: the
//! remaining points are forfeited by a ledger entry (so the liability falls), the card is
//! closed and the personal data erased.

use std::sync::Arc;

use patron_core::{Permission, Role};
use serde::{Deserialize, Serialize};

use super::MembersError;
use super::store::{self, LiveCard};
use crate::approvals::{self, ApprovalRow, NewRequest};
use crate::areas::points::ledger;
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::db::Tx;
use crate::kernel::validation::{Invalid, required_text};
use patron_core::approvals::Decision;

pub const KIND_CLOSE: &str = "members.close";

/// The members area's approval kinds: closing a member is decided by a supervisor or manager.
pub const APPROVALS: &[approvals::ApprovalKind] = &[approvals::ApprovalKind {
    kind: KIND_CLOSE,
    label: "approval.kind.members_close",
    deciders: &[Role::Manager, Role::Supervisor],
    decide: decide_boxed,
    record: |id| format!("/members/{id}"),
    record_permission: patron_core::Permission::ViewMembers,
}];

fn decide_boxed(ctx: &Ctx, id: i64, decision: Decision) -> approvals::DecideFuture<'_> {
    Box::pin(async move { Ok(decide(ctx, id, decision).await?) })
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClosePayload {
    pub member_id: i64,
    pub reason: String,
    /// The balance when asked (shown to the approver; the approval forfeits what is left then).
    pub points: i64,
}

/// Asks for a member to be closed. `confirmed` is the desk's tick that the member was told the
/// remaining points are forfeited and the personal data erased.
pub async fn request_close(
    ctx: &Ctx,
    member_id: i64,
    reason: &str,
    confirmed: bool,
) -> Result<ApprovalRow, MembersError> {
    ctx.require(Permission::ManageMembers)?;
    let m = store::get_member(ctx.db(), member_id)
        .await?
        .filter(|m| m.status == "active")
        .ok_or(MembersError::NotFound)?;
    ctx.require_at(Permission::ManageMembers, m.store_id)?;
    let mut bad = Invalid::new();
    let reason = bad.check("close_reason", required_text(reason, 200));
    if !confirmed {
        bad.add("close_confirm", "member.close_confirm_required");
    }
    bad.into_result()?;
    let reason = reason.unwrap_or_default();
    let payload = ClosePayload {
        member_id,
        reason: reason.clone(),
        points: m.points_balance,
    };
    let req = NewRequest {
        kind: KIND_CLOSE.into(),
        store_id: Some(m.store_id),
        subject_kind: "member".into(),
        subject_id: member_id.to_string(),
        summary: format!(
            "注销会员 {}（{}），剩余积分 {} 分作废：{reason}",
            m.name,
            m.card_no.as_deref().unwrap_or("-"),
            m.points_balance
        ),
        payload: serde_json::to_value(&payload).unwrap_or_default(),
        previous_id: None,
    };
    if approvals::is_open(ctx.db(), KIND_CLOSE, "member", &member_id.to_string()).await? {
        return Err(Invalid::one("close_reason", "member.close_pending").into());
    }
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, req) = (c.clone(), req.clone());
            Box::pin(async move { Ok::<_, MembersError>(approvals::submit(&c, tx, &req).await?) })
        })
        .await
}

/// Decides a close request; an approval closes the member in the same transaction.
pub async fn decide(ctx: &Ctx, id: i64, decision: Decision) -> Result<ApprovalRow, MembersError> {
    let row = approvals::store::get(ctx.db(), id)
        .await?
        .ok_or(MembersError::Approvals(approvals::ApprovalsError::NotFound))?;
    let p: ClosePayload =
        serde_json::from_str(&row.payload).map_err(|_| Invalid::one("payload", "invalid.json"))?;
    let c = ctx.clone();
    let decision = Arc::new(decision);
    ctx.db()
        .write(move |tx| {
            let (c, decision, p) = (c.clone(), decision.clone(), p.clone());
            Box::pin(async move {
                let decided = approvals::decide(&c, tx, id, &decision, APPROVALS).await?;
                if decided.status != "approved" {
                    return Ok(decided);
                }
                let card = store::live_card(tx, p.member_id)
                    .await?
                    .ok_or(MembersError::NotFound)?;
                let forfeited = close_in(&c, tx, &card, p.member_id, id).await?;
                tx.audit(
                    c.audit("card.close", "member", p.member_id)
                        .before(
                            &serde_json::json!({ "card_no": card.card_no, "state": card.state }),
                        )
                        .after(&serde_json::json!({
                            "approval": id, "reason": p.reason, "points_forfeited": forfeited,
                        })),
                );
                Ok(decided)
            })
        })
        .await
}

/// Forfeits the remaining points, closes the card and erases the personal data; the points
/// forfeited.
async fn close_in(
    c: &Ctx,
    tx: &mut Tx,
    card: &LiveCard,
    member_id: i64,
    approval: i64,
) -> Result<i64, MembersError> {
    let now = c.now();
    let today = business_date(now, c.app.config.tz());
    crate::areas::points::store::lock_balance(tx, member_id).await?;
    // Points past their date expire as they would anyway; the rest is forfeited.
    crate::areas::points::expiry::expire_member_in(tx, member_id, today, now).await?;
    let balance = crate::areas::points::store::lock_balance(tx, member_id).await?;
    if balance > 0 {
        let source = format!("approval #{approval}");
        ledger::debit_in(
            tx,
            &ledger::Change {
                member_id,
                points: balance,
                kind: "forfeit",
                store_id: Some(card.store_id),
                source_ref: &source,
                staff_id: c.actor.staff().map(|s| s.id),
                note: "",
                today,
                now,
            },
        )
        .await?;
    }
    let n = store::set_card_state(tx, &card.card_no, &card.state, "closed", now, false).await?;
    if n != 1 {
        return Err(MembersError::CardState(card.state.clone()));
    }
    store::erase_member(tx, member_id, &format!("已注销会员 #{member_id}"), now).await?;
    Ok(balance)
}
