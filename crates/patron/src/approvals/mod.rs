//! Approvals (审批, SPEC A2): one mechanism every area uses. An area submits a request of its
//! own `kind` with a summary and a JSON payload; someone else decides it (the rule lives in
//! `patron_core::approvals`); the area reads the decision and carries out its action in the same
//! transaction as the decision (`decide` returns the request so the caller can act on it).

pub mod pages;
pub mod store;
pub mod tiles;

use std::future::Future;
use std::pin::Pin;

use patron_core::approvals::{ApprovalError, ApprovalStatus, Decision, decide as rule};
use patron_core::{Permission, Role};

use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, Tx, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{Invalid, required_text};
use crate::web::error::AppError;
use codes::Code;

/// The code of a decision by someone whose role may not decide that kind.
pub const APPROVAL_ROLE: Code = Code::new("approval_role", 403, "error.approval_role");
/// The code of a decision on one's own request (another colleague decides it).
pub const APPROVAL_OWN_REQUEST: Code =
    Code::new("approval_own_request", 403, "error.approval_own_request");
/// The code of a withdrawal by someone who did not submit the request.
pub const APPROVAL_NOT_REQUESTER: Code = Code::new(
    "approval_not_requester",
    403,
    "error.approval_not_requester",
);
/// The code of a decision on a request that is no longer pending.
pub const APPROVAL_DECIDED: Code = Code::new("approval_decided", 409, "error.approval_decided");
pub const CODES: &[Code] = &[
    APPROVAL_ROLE,
    APPROVAL_OWN_REQUEST,
    APPROVAL_NOT_REQUESTER,
    APPROVAL_DECIDED,
];
pub use store::ApprovalRow;

/// A decision's work, boxed so that one registry holds every area's kinds.
pub type DecideFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ApprovalRow, AppError>> + Send + 'a>>;

/// A kind of request an area submits, declared in the area's `APPROVALS` list (SPEC A2): who
/// may decide it, and what deciding it does.
#[derive(Clone, Copy)]
pub struct ApprovalKind {
    /// The stored kind (data: never renamed).
    pub kind: &'static str,
    /// The catalog key of its name in the inbox.
    pub label: &'static str,
    /// The roles that may approve or reject it (at the request's store, when it has one).
    pub deciders: &'static [Role],
    /// Decides a request of this kind and carries out its consequence in the same transaction.
    pub decide: fn(&Ctx, i64, Decision) -> DecideFuture<'_>,
    /// The page of the record a request is about (the request's `subject_id` in, its address
    /// out); the inbox links it for those who hold `record_permission`.
    pub record: fn(&str) -> String,
    /// What opening `record` needs.
    pub record_permission: Permission,
}

/// The kind called `kind` in `kinds`.
pub fn find<'k>(kinds: &'k [ApprovalKind], kind: &str) -> Option<&'k ApprovalKind> {
    kinds.iter().find(|k| k.kind == kind)
}

/// Whether the actor holds one of `kind`'s deciding roles, at `store_id` when the request
/// belongs to a store. (The four-eyes rule is checked separately, on the request itself.)
pub fn may_decide(ctx: &Ctx, kind: &ApprovalKind, store_id: Option<i64>) -> bool {
    match ctx.actor.staff() {
        Some(s) => s
            .grants
            .iter()
            .any(|g| kind.deciders.contains(&g.role) && store_id.is_none_or(|id| g.store_id == id)),
        None => matches!(
            ctx.actor,
            crate::kernel::ctx::Actor::Cli { .. } | crate::kernel::ctx::Actor::System
        ),
    }
}

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
    /// The request is of a kind that other roles decide.
    #[error("requests of kind {kind} are decided by {roles}")]
    NotDecider { kind: String, roles: String },
    /// The request is not of a kind the caller decides.
    #[error("no approval kind {0:?} here")]
    UnknownKind(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<ApprovalsError> for AppError {
    fn from(e: ApprovalsError) -> Self {
        let detail = e.to_string();
        match e {
            ApprovalsError::Invalid(i) => i.into(),
            ApprovalsError::Rule(ApprovalError::ReasonRequired) => {
                Invalid::one("reason", "invalid.required").into()
            }
            ApprovalsError::Rule(ApprovalError::OwnRequest) => {
                AppError::new(APPROVAL_OWN_REQUEST).detail(detail)
            }
            ApprovalsError::Rule(ApprovalError::NotRequester) => {
                AppError::new(APPROVAL_NOT_REQUESTER).detail(detail)
            }
            ApprovalsError::Rule(ApprovalError::NotPending(_)) => {
                AppError::new(APPROVAL_DECIDED).detail(detail)
            }
            ApprovalsError::NotFound => AppError::not_found(),
            ApprovalsError::Forbidden(f) => f.into(),
            ApprovalsError::NotStaff => AppError::new(codes::FORBIDDEN).detail(detail),
            ApprovalsError::NotDecider { .. } => AppError::new(APPROVAL_ROLE).detail(detail),
            ApprovalsError::UnknownKind(_) => AppError::new(codes::CONFLICT).detail(detail),
            ApprovalsError::Db(e) => e.into(),
        }
    }
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

/// Whether a request of `kind` about a subject is waiting for a decision.
pub async fn is_open(
    db: &crate::kernel::db::Db,
    kind: &str,
    subject_kind: &str,
    subject_id: &str,
) -> Result<bool, DbError> {
    Ok(!store::pending_about(db, kind, subject_kind, subject_id)
        .await?
        .is_empty())
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
        let previous = store::get(&mut *tx, prev)
            .await?
            .ok_or(ApprovalsError::NotFound)?;
        if previous.status != ApprovalStatus::Rejected.code() || previous.kind != req.kind {
            return Err(Invalid::one("previous_id", "invalid.resubmit").into());
        }
    }
    let row = store::insert(tx, req, Some(requester), ctx.now()).await?;
    tx.audit(
        ctx.audit("approval.submit", "approval", row.id)
            .after(&serde_json::json!({ "kind": row.kind, "summary": row.summary, "subject": format!("{}:{}", row.subject_kind, row.subject_id) })),
    );
    Ok(row)
}

/// Raises a request on Patron's own account inside the caller's write: no staff member asked
/// (B7: a till accrual reached platinum spend). Idempotent: while a request of this kind about
/// this subject is open, nothing is added and `None` is returned. Audited under the actor of the
/// write (the till, a job, a clerk's missed-points entry).
pub async fn submit_system(
    ctx: &Ctx,
    tx: &mut Tx,
    req: &NewRequest,
) -> Result<Option<ApprovalRow>, ApprovalsError> {
    let mut bad = Invalid::new();
    bad.check("summary", required_text(&req.summary, 200));
    bad.check("kind", required_text(&req.kind, 64));
    bad.into_result()?;
    let Some(row) = store::insert_system(tx, req, ctx.now()).await? else {
        return Ok(None);
    };
    tx.audit(
        ctx.audit("approval.submit", "approval", row.id)
            .after(&serde_json::json!({ "kind": row.kind, "summary": row.summary, "subject": format!("{}:{}", row.subject_kind, row.subject_id), "requested_by": "system" })),
    );
    Ok(Some(row))
}

/// Approves, rejects (with a reason) or withdraws a request inside the caller's write. The
/// request must be of one of `kinds` (the caller's area's list), and only that kind's deciding
/// roles may approve or reject it. The status changes only from `pending`, guarded in SQL, so
/// two deciders cannot both win.
pub async fn decide(
    ctx: &Ctx,
    tx: &mut Tx,
    id: i64,
    decision: &Decision,
    kinds: &[ApprovalKind],
) -> Result<ApprovalRow, ApprovalsError> {
    let actor = staff_id(ctx)?;
    if !matches!(decision, Decision::Withdraw) {
        ctx.require(Permission::DecideApprovals)?;
    }
    let current = store::get(&mut *tx, id)
        .await?
        .ok_or(ApprovalsError::NotFound)?;
    if let Some(store_id) = current.store_id
        && !matches!(decision, Decision::Withdraw)
    {
        ctx.require_at(Permission::DecideApprovals, store_id)?;
    }
    let kind = find(kinds, &current.kind)
        .ok_or_else(|| ApprovalsError::UnknownKind(current.kind.clone()))?;
    if !matches!(decision, Decision::Withdraw) && !may_decide(ctx, kind, current.store_id) {
        return Err(ApprovalsError::NotDecider {
            kind: current.kind.clone(),
            roles: kind
                .deciders
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>()
                .join(", "),
        });
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
        let now = store::get(&mut *tx, id)
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
