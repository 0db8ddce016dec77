//! The plans area's errors: what can go wrong in its use cases, and the HTTP status and stable
//! code each becomes.

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error::Code;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;

/// A month whose actuals are frozen keeps its targets too: they can no longer be set.
pub const TARGETS_FROZEN: Code = Code::new("targets_frozen", 409, "error.targets_frozen");

/// The codes this area answers with (besides the kernel's).
pub const CODES: &[Code] = &[TARGETS_FROZEN];

#[derive(Debug, thiserror::Error)]
pub enum PlansError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    /// The month's targets and actuals were frozen at its end.
    #[error("the targets of {0} are frozen")]
    Frozen(String),
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for PlansError {
    fn from(e: sqlx::Error) -> Self {
        PlansError::Db(e.into())
    }
}

impl WriteError for PlansError {
    fn is_retryable(&self) -> bool {
        matches!(self, PlansError::Db(e) if e.is_retryable())
    }
}

impl From<PlansError> for AppError {
    fn from(e: PlansError) -> Self {
        let detail = e.to_string();
        match e {
            PlansError::Invalid(i) => i.into(),
            PlansError::NotFound => AppError::not_found(),
            PlansError::Frozen(_) => AppError {
                fields: vec![FieldError {
                    field: "month".into(),
                    key: "error.targets_frozen",
                }],
                ..AppError::new(TARGETS_FROZEN).detail(detail)
            },
            PlansError::Forbidden(f) => f.into(),
            PlansError::Db(e) => e.into(),
        }
    }
}
