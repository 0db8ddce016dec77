//! The plans area's errors: what can go wrong in its use cases, and the HTTP status and stable
//! code each becomes.

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error::Code;
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;

/// The codes this area answers with (besides the kernel's).
pub const CODES: &[Code] = &[];

#[derive(Debug, thiserror::Error)]
pub enum PlansError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
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
        match e {
            PlansError::Invalid(i) => i.into(),
            PlansError::NotFound => AppError::not_found(),
            PlansError::Forbidden(f) => f.into(),
            PlansError::Db(e) => e.into(),
        }
    }
}
