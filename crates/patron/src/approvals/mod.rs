//! Approvals (审批, SPEC A2): one mechanism every area uses. An area submits a request of its
//! own `kind` with a summary and a JSON payload; someone else decides it (the rule lives in
//! `patron_core::approvals`); the area reads the decision and carries out its action in the same
//! transaction as the decision (`decide` returns the request so the caller can act on it).

pub mod store;

use patron_core::Permission;
use patron_core::approvals::{ApprovalError, ApprovalStatus, Decision, decide as rule};

use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Tx, WriteError};
use crate::kernel::validation::{Invalid, required_text};
pub use store::ApprovalRow;

#[derive(Debug, thiserror::Error)]
pub enum ApprovalsError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Rule(#[from] ApprovalError),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error("only staff members submit or decide requests")]
    NotStaff,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ApprovalsError {
    fn from(e: sqlx::Error) -> Self {
        DbError::from(e).into()
    }
}

impl WriteError for ApprovalsError {
    fn is_retryable(&self) -> bool {
        matches!(self, ApprovalsError::Db(e) if e.is_retryable())
    }
}

/// A new request.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// The area's action, e.g. `points.adjust`.
    pub kind: String,
    pub store_id: Option<i64>,
    pub subject_kind: String,
    pub subject_id: String,
    /// One line a decider reads in the inbox.
    pub summary: String,
    pub payload: serde_json::Value,
    /// The rejected request this one corrects, if any.
    pub previous_id: Option<i64>,
}

fn staff_id(ctx: &Ctx) -> Result<i64, ApprovalsError> {
    ctx.actor
        .staff()
        .map(|s| s.id)
        .ok_or(ApprovalsError::NotStaff)
}

/// Submits a request inside the caller's write (so the area's own rows and the request commit
/// together).
pub async fn submit(
    ctx: &Ctx,
    tx: &mut Tx,
    req: &NewRequest,
) -> Result<ApprovalRow, ApprovalsError> {
    let requester = staff_id(ctx)?;
    let mut bad = Invalid::new();
    bad.check("summary", required_text(&req.summary, 200));
    bad.check("kind", required_text(&req.kind, 64));
    bad.into_result()?;
    if let Some(prev) = req.previous_id {
        let previous = store::get_in(tx, prev)
            .await?
            .ok_or(ApprovalsError::NotFound)?;
        if previous.status != ApprovalStatus::Rejected.code() || previous.kind != req.kind {
            return Err(Invalid::one("previous_id", "invalid.resubmit").into());
        }
    }
    let row = store::insert(tx, req, requester, ctx.now()).await?;
    tx.audit(
        ctx.audit("approval.submit", "approval", row.id)
            .after(&serde_json::json!({ "kind": row.kind, "summary": row.summary, "subject": format!("{}:{}", row.subject_kind, row.subject_id) })),
    );
    Ok(row)
}

/// Approves, rejects (with a reason) or withdraws a request inside the caller's write. The
/// status changes only from `pending`, guarded in SQL, so two deciders cannot both win.
pub async fn decide(
    ctx: &Ctx,
    tx: &mut Tx,
    id: i64,
    decision: &Decision,
) -> Result<ApprovalRow, ApprovalsError> {
    let actor = staff_id(ctx)?;
    if !matches!(decision, Decision::Withdraw) {
        ctx.require(Permission::DecideApprovals)?;
    }
    let current = store::get_in(tx, id)
        .await?
        .ok_or(ApprovalsError::NotFound)?;
    if let Some(store_id) = current.store_id
        && !matches!(decision, Decision::Withdraw)
    {
        ctx.require_at(Permission::DecideApprovals, store_id)?;
    }
    let status = ApprovalStatus::from_code(&current.status).ok_or(ApprovalsError::NotFound)?;
    let next = rule(status, current.requested_by, actor, decision)?;
    let reason = match decision {
        Decision::Reject { reason } => Some(reason.trim().to_string()),
        _ => None,
    };
    let updated = store::set_status(tx, id, next, actor, ctx.now(), reason.as_deref()).await?;
    // Someone else decided first: report the state they left.
    let Some(row) = updated else {
        let now = store::get_in(tx, id)
            .await?
            .ok_or(ApprovalsError::NotFound)?;
        let st = ApprovalStatus::from_code(&now.status).unwrap_or(ApprovalStatus::Approved);
        return Err(ApprovalError::NotPending(st).into());
    };
    tx.audit(
        ctx.audit(&format!("approval.{}", next.code()), "approval", id)
            .before(&serde_json::json!({ "status": current.status }))
            .after(&serde_json::json!({ "status": row.status, "reason": row.reason })),
    );
    Ok(row)
}

/// Requests waiting for a decision.
pub async fn pending(ctx: &Ctx) -> Result<Vec<ApprovalRow>, ApprovalsError> {
    ctx.require(Permission::ViewApprovals)?;
    Ok(store::pending(ctx.db()).await?)
}
