//! Points the desk gives or takes (SPEC C3, C5): manual adjustments always through an approval,
//! missed receipts (补积分) through the receipt rules and, above the configured amount, through a
//! supervisor's approval; event and referral points. The approval and its effect commit in one
//! transaction.

use std::sync::Arc;

use patron_core::approvals::Decision;
use patron_core::{Permission, Role};
use serde::{Deserialize, Serialize};

use super::receipts::{self, ReceiptIn, ReceiptOut};
use super::store::{self, NewEntry};
use super::{Outcome, PointsError, receipts::spend_lots};
use crate::approvals::{self, ApprovalRow, NewRequest};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;
use crate::kernel::validation::{Invalid, required_text};

/// The approval kinds this area carries out.
pub const KIND_ADJUST: &str = "points.adjust";
pub const KIND_MISSED: &str = "points.missed";

/// The largest single adjustment.
const MAX_ADJUST: i64 = 1_000_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdjustPayload {
    pub member_id: i64,
    pub points: i64,
    pub reason: String,
    /// `adjustment` or `event` (C5: 签到, 抽奖, 问卷, 试用).
    #[serde(default = "adjustment_kind")]
    pub kind: String,
}

fn adjustment_kind() -> String {
    "adjustment".into()
}

/// A tier set by a manager's approval (B7: platinum only 经公司评估).
pub const KIND_TIER: &str = "members.tier";

/// The points desk's approval kinds (SPEC A2, B7, C3): adjustments and missed receipts are
/// decided by a manager, a supervisor or customer service; a tier change (platinum is "经公司评估")
/// by a manager.
pub const APPROVALS: &[approvals::ApprovalKind] = &[
    approvals::ApprovalKind {
        kind: KIND_ADJUST,
        label: "approval.kind.points_adjust",
        deciders: &[Role::Manager, Role::Supervisor, Role::Service],
        decide: decide_boxed,
        record: |id| format!("/members/{id}"),
        record_permission: Permission::ViewMembers,
    },
    approvals::ApprovalKind {
        kind: KIND_MISSED,
        label: "approval.kind.points_missed",
        deciders: &[Role::Manager, Role::Supervisor, Role::Service],
        decide: decide_boxed,
        record: |id| format!("/members/{id}"),
        record_permission: Permission::ViewMembers,
    },
    approvals::ApprovalKind {
        kind: KIND_TIER,
        label: "approval.kind.members_tier",
        deciders: &[Role::Manager],
        decide: decide_boxed,
        record: |id| format!("/members/{id}"),
        record_permission: Permission::ViewMembers,
    },
];

fn decide_boxed(ctx: &Ctx, id: i64, decision: Decision) -> approvals::DecideFuture<'_> {
    Box::pin(async move { Ok(decide(ctx, id, decision).await?) })
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TierPayload {
    pub member_id: i64,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// Asks for a member to be moved to a tier that needs approval.
pub async fn request_tier(
    ctx: &Ctx,
    member_id: i64,
    to: &str,
    reason: &str,
) -> Result<ApprovalRow, PointsError> {
    ctx.require(Permission::AdjustPoints)?;
    let member = store::member_brief(ctx.db(), member_id)
        .await?
        .ok_or(PointsError::MemberNotFound)?;
    ctx.require_at(Permission::AdjustPoints, member.store_id)?;
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let mut bad = Invalid::new();
    let reason = bad.check("tier_reason", required_text(reason, 200));
    let target = loyalty.tier(to).cloned();
    let current_rank = loyalty.tier(&member.tier_code).map_or(0, |t| t.rank);
    if target.as_ref().is_none_or(|t| t.rank <= current_rank) {
        bad.add("tier", "invalid.tier");
    }
    // One open tier request per member: Patron's own (a till reaching platinum) or a clerk's.
    if approvals::is_open(ctx.db(), KIND_TIER, "member", &member_id.to_string()).await? {
        bad.add("tier", "points.invalid.tier_pending");
    }
    bad.into_result()?;
    let (Some(target), Some(reason)) = (target, reason) else {
        return Err(Invalid::one("tier", "invalid.tier").into());
    };
    let payload = TierPayload {
        member_id,
        from: member.tier_code.clone(),
        to: target.code.clone(),
        reason: reason.clone(),
    };
    let req = NewRequest {
        kind: KIND_TIER.into(),
        store_id: Some(member.store_id),
        subject_kind: "member".into(),
        subject_id: member_id.to_string(),
        summary: format!("{} → {} ({reason})", member.name, target.name_zh),
        payload: serde_json::to_value(&payload).unwrap_or_default(),
        previous_id: None,
    };
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, req) = (c.clone(), req.clone());
            Box::pin(async move { Ok::<_, PointsError>(approvals::submit(&c, tx, &req).await?) })
        })
        .await
}

/// Asks for a manual adjustment (C5): positive gives, negative takes. Nothing changes until
/// someone else approves.
pub async fn request_adjustment(
    ctx: &Ctx,
    member_id: i64,
    points: i64,
    reason: &str,
) -> Result<ApprovalRow, PointsError> {
    request_points(ctx, member_id, points, reason, "adjustment").await
}

/// As `request_adjustment`, for `kind` `adjustment` or `event` (event points, C5).
pub async fn request_points(
    ctx: &Ctx,
    member_id: i64,
    points: i64,
    reason: &str,
    kind: &str,
) -> Result<ApprovalRow, PointsError> {
    ctx.require(Permission::AdjustPoints)?;
    let kind = match kind {
        "event" => "event",
        _ => "adjustment",
    };
    let mut bad = Invalid::new();
    if points == 0 || points.abs() > MAX_ADJUST {
        bad.add("points", "invalid.adjust_points");
    }
    let reason = bad.check("reason", required_text(reason, 200));
    bad.into_result()?;
    let reason = reason.unwrap_or_default();
    let member = store::member_brief(ctx.db(), member_id)
        .await?
        .ok_or(PointsError::MemberNotFound)?;
    // Points of a member are adjusted by staff of the member's store.
    ctx.require_at(Permission::AdjustPoints, member.store_id)?;
    let payload = AdjustPayload {
        member_id,
        points,
        reason: reason.clone(),
        kind: kind.into(),
    };
    let req = NewRequest {
        kind: KIND_ADJUST.into(),
        store_id: Some(member.store_id),
        subject_kind: "member".into(),
        subject_id: member_id.to_string(),
        summary: format!("{} {points:+} ({reason})", member.name),
        payload: serde_json::to_value(&payload).unwrap_or_default(),
        previous_id: None,
    };
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, req) = (c.clone(), req.clone());
            Box::pin(async move { Ok::<_, PointsError>(approvals::submit(&c, tx, &req).await?) })
        })
        .await
}

/// What a missed-points entry did.
#[derive(Debug, Clone, Serialize)]
pub enum Missed {
    /// Accrued at once (below the approval amount).
    Accrued(Outcome, ReceiptOut),
    /// Waiting for a supervisor (at or above the amount).
    Pending(Box<ApprovalRow>),
}

/// A receipt the till missed (C3), entered at the desk: the same rules and the same
/// idempotency as the till, checked the same way whatever the amount (a receipt credited before
/// is said with when and how many points; one from before the card or after it expired is
/// refused); at or above the configured amount it waits for a supervisor.
pub async fn enter_missed(ctx: &Ctx, input: &ReceiptIn) -> Result<Missed, PointsError> {
    ctx.require(Permission::AdjustPoints)?;
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let parsed = receipts::parse_public(ctx, input).await?;
    ctx.require_at(Permission::AdjustPoints, parsed.store_id())?;
    let cm = receipts::check_missed(ctx, &parsed).await?;
    let total: i64 = input.lines.iter().map(|l| l.amount_fen.max(0)).sum();
    if total < loyalty.settings.missed_points_approval_fen {
        let (o, out) = receipts::accrue(ctx, input, "missed").await?;
        if o == Outcome::Replayed {
            // Someone credited it between the check and the write: say so.
            receipts::check_missed(ctx, &parsed).await?;
        }
        return Ok(Missed::Accrued(o, out));
    }
    let receipt_no = parsed.receipt_no().to_string();
    let waiting =
        approvals::store::pending_about(ctx.db(), KIND_MISSED, "member", &cm.member_id.to_string())
            .await?;
    let same = |row: &ApprovalRow| {
        serde_json::from_str::<ReceiptIn>(&row.payload).is_ok_and(|r| {
            r.receipt_no.trim() == receipt_no
                && r.store_code
                    .trim()
                    .eq_ignore_ascii_case(input.store_code.trim())
        })
    };
    if let Some(id) = waiting.iter().find(|r| same(r)).map(|r| r.id) {
        return Err(PointsError::MissedPending {
            receipt_no,
            approval_id: id,
        });
    }
    let req = NewRequest {
        kind: KIND_MISSED.into(),
        store_id: Some(parsed.store_id()),
        subject_kind: "member".into(),
        subject_id: cm.member_id.to_string(),
        summary: format!("{} {receipt_no} {}", cm.name, patron_core::Fen(total)),
        payload: serde_json::to_value(input).unwrap_or_default(),
        previous_id: None,
    };
    let c = ctx.clone();
    let row = ctx
        .db()
        .write(move |tx| {
            let (c, req) = (c.clone(), req.clone());
            Box::pin(async move { Ok::<_, PointsError>(approvals::submit(&c, tx, &req).await?) })
        })
        .await?;
    Ok(Missed::Pending(Box::new(row)))
}

/// Decides a points request; an approval carries it out in the same transaction, so an
/// adjustment that can no longer be made (the member spent the points) leaves the request
/// pending and says why.
pub async fn decide(ctx: &Ctx, id: i64, decision: Decision) -> Result<ApprovalRow, PointsError> {
    let row = approvals::store::get(ctx.db(), id)
        .await?
        .ok_or(PointsError::Approvals(approvals::ApprovalsError::NotFound))?;
    let payload: serde_json::Value = serde_json::from_str(&row.payload).unwrap_or_default();
    let missed = if row.kind == KIND_MISSED {
        let input: ReceiptIn = serde_json::from_value(payload.clone())
            .map_err(|_| Invalid::one("payload", "invalid.json"))?;
        Some(Arc::new(receipts::parse_public(ctx, &input).await?))
    } else {
        None
    };
    let adjust: Option<AdjustPayload> = (row.kind == KIND_ADJUST)
        .then(|| serde_json::from_value(payload.clone()).ok())
        .flatten();
    let tier: Option<TierPayload> = (row.kind == KIND_TIER)
        .then(|| serde_json::from_value(payload.clone()).ok())
        .flatten();
    let loyalty = ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(ctx.db())
        .await?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let c = ctx.clone();
    let decision = Arc::new(decision);
    ctx.db()
        .write(move |tx| {
            let (c, decision, missed, adjust, loyalty, stores, tier) = (
                c.clone(),
                decision.clone(),
                missed.clone(),
                adjust.clone(),
                loyalty.clone(),
                stores.clone(),
                tier.clone(),
            );
            Box::pin(async move {
                let decided = approvals::decide(&c, tx, id, &decision, APPROVALS).await?;
                if decided.status != "approved" {
                    return Ok(decided);
                }
                let approver = c.actor.staff().map(|s| s.id);
                let now = c.now();
                if let Some(r) = missed {
                    // The clerk who entered it earns the entry; the approver is recorded apart.
                    let by = receipts::By {
                        till_id: None,
                        staff_id: decided.requested_by,
                        approved_by: approver,
                    };
                    receipts::accrue_parsed(&c, tx, &r, &loyalty, by, now, "missed")
                        .await
                        .map_err(|e| match e {
                            PointsError::AlreadyRecorded => PointsError::ReceiptConflict,
                            e => e,
                        })?;
                }
                if let Some(t) = tier {
                    let today = business_date(now, c.app.config.tz());
                    let moved = store::set_tier(
                        tx,
                        t.member_id,
                        &t.from,
                        &t.to,
                        now,
                        today,
                        &format!("approval #{id}"),
                        approver,
                    )
                    .await?;
                    if !moved {
                        // The member's tier changed since the request: it no longer applies.
                        return Err(Invalid::one("tier", "invalid.tier_changed").into());
                    }
                    receipts::tier_change_sms(tx, &loyalty, t.member_id, &t.from, &t.to, now)
                        .await?;
                }
                if let Some(a) = adjust {
                    let member = store::member_brief(&mut *tx, a.member_id)
                        .await?
                        .ok_or(PointsError::MemberNotFound)?;
                    let tz = stores
                        .by_id(member.store_id)
                        .map_or(chrono_tz::Asia::Shanghai, |s| s.tz);
                    let balance = if a.points > 0 {
                        let b = store::add_balance(tx, a.member_id, a.points).await?;
                        let expires = patron_core::points::lot_expiry(
                            business_date(now, tz),
                            loyalty.settings.points_valid_months as u32,
                        );
                        store::add_to_lot(tx, a.member_id, expires, a.points).await?;
                        b
                    } else {
                        let b = store::take_balance(tx, a.member_id, -a.points)
                            .await?
                            .ok_or(PointsError::InsufficientPoints {
                                available: member.points_balance,
                            })?;
                        spend_lots(tx, a.member_id, -a.points).await?;
                        b
                    };
                    let source = format!("approval #{id}");
                    store::insert_entry(
                        tx,
                        &NewEntry {
                            member_id: a.member_id,
                            at: now,
                            kind: if a.kind == "event" && a.points > 0 {
                                "event"
                            } else {
                                "adjustment"
                            },
                            points: a.points,
                            balance_after: balance,
                            store_id: Some(member.store_id),
                            source_ref: Some(&source),
                            till_id: None,
                            staff_id: decided.requested_by,
                            approved_by: approver,
                            note: &a.reason,
                        },
                    )
                    .await?;
                    tx.audit(
                        c.audit("points.adjust", "member", a.member_id)
                            .after(&serde_json::json!({ "points": a.points, "reason": a.reason, "approval": id, "balance": balance })),
                    );
                }
                Ok(decided)
            })
        })
        .await
}
