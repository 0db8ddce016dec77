//! The customers area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/care.md`: codes never change once published).

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;
use crate::web::said::Said;
use codes::Code;

/// The same organisation is already on file (same name or the same credit code).
pub const CUSTOMER_EXISTS: Code = Code::new("customer_exists", 409, "error.customer_exists");

/// A visit was marked done, or given minutes, before its request was approved (F6).
pub const VISIT_NOT_APPROVED: Code =
    Code::new("visit_not_approved", 409, "error.visit_not_approved");

/// The claimer already holds as many customers as the cap allows.
pub const CLAIM_CAP_REACHED: Code = Code::new("claim_cap_reached", 409, "error.claim_cap_reached");

/// The customer is in the shared pool: nobody may log a callback until someone claims it.
pub const CUSTOMER_IN_POOL: Code = Code::new("customer_in_pool", 409, "error.customer_in_pool");
/// Only the customer's owner (or a manager who assigns customers) may log its callbacks.
pub const NOT_CUSTOMER_OWNER: Code =
    Code::new("not_customer_owner", 403, "error.not_customer_owner");
/// No holiday campaign was built for that festival and year.
pub const CAMPAIGN_NOT_BUILT: Code =
    Code::new("campaign_not_built", 404, "error.campaign_not_built");

/// The codes this area answers with (besides the kernel's).
pub const CODES: &[Code] = &[
    CUSTOMER_EXISTS,
    VISIT_NOT_APPROVED,
    CLAIM_CAP_REACHED,
    CUSTOMER_IN_POOL,
    NOT_CUSTOMER_OWNER,
    CAMPAIGN_NOT_BUILT,
];

#[derive(Debug, thiserror::Error)]
pub enum CustomersError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    /// The organisation is on file already: `owner` is its owner's name (empty: in the pool).
    #[error("customer {customer_id} is already on file, owned by {owner:?}")]
    Exists {
        customer_id: i64,
        owner: String,
        field: &'static str,
    },
    /// Someone else changed the record first (nothing was written).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
    /// The visit is not approved (its state is given): it cannot be done or get minutes.
    #[error("the visit is {0}, not approved")]
    VisitNotApproved(String),
    #[error(transparent)]
    Approvals(#[from] crate::approvals::ApprovalsError),
    /// A claim from the pool by someone holding `cap` customers already.
    #[error("the claimer holds {cap} customers, the most one person may hold")]
    CapReached { cap: i64 },
    /// The customer is in the shared pool (no owner): claim it first.
    #[error("customer {0} is in the shared pool: claim it before logging a callback")]
    InPool(i64),
    /// The caller neither owns the customer nor assigns customers.
    #[error("customer {0} is owned by someone else")]
    NotOwner(i64),
    /// No campaign was built for this festival and year.
    #[error("no holiday campaign was built for {0} {1}")]
    CampaignNotBuilt(&'static str, i32),
}

impl From<sqlx::Error> for CustomersError {
    fn from(e: sqlx::Error) -> Self {
        CustomersError::Db(e.into())
    }
}

impl WriteError for CustomersError {
    fn is_retryable(&self) -> bool {
        match self {
            CustomersError::Db(e) => e.is_retryable(),
            CustomersError::Approvals(a) => a.is_retryable(),
            _ => false,
        }
    }
}

impl From<CustomersError> for AppError {
    fn from(e: CustomersError) -> Self {
        let detail = e.to_string();
        match e {
            CustomersError::Invalid(i) => i.into(),
            CustomersError::NotFound => AppError::not_found(),
            CustomersError::Exists { field, owner, .. } => {
                let said = if owner.is_empty() {
                    Said::new("customers.exists_in_pool")
                } else {
                    Said::new("customers.exists_owned").text("owner", owner)
                };
                AppError {
                    fields: vec![FieldError {
                        field: field.into(),
                        key: "error.customer_exists",
                    }],
                    ..AppError::new(CUSTOMER_EXISTS).detail(detail).note(said)
                }
            }
            CustomersError::Conflict(_) => AppError::new(codes::CONFLICT).detail(detail),
            CustomersError::Forbidden(f) => f.into(),
            CustomersError::Db(e) => e.into(),
            CustomersError::VisitNotApproved(_) => AppError::new(VISIT_NOT_APPROVED).detail(detail),
            CustomersError::Approvals(a) => a.into(),
            CustomersError::CapReached { .. } => AppError::new(CLAIM_CAP_REACHED).detail(detail),
            CustomersError::InPool(_) => AppError::new(CUSTOMER_IN_POOL).detail(detail),
            CustomersError::NotOwner(_) => AppError::new(NOT_CUSTOMER_OWNER).detail(detail),
            CustomersError::CampaignNotBuilt(..) => {
                AppError::new(CAMPAIGN_NOT_BUILT).detail(detail)
            }
        }
    }
}
