//! The partners area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;
use codes::Code;

/// The codes this area answers with (besides the kernel's).
pub const PARTNER_STAGE_CONFLICT: Code = Code::new(
    "partner_stage_conflict",
    409,
    "error.partner_stage_conflict",
);
pub const CODES: &[Code] = &[PARTNER_STAGE_CONFLICT];

#[derive(Debug, thiserror::Error)]
pub enum PartnersError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    /// Someone else changed the partner first (nothing was written).
    #[error("{0}")]
    Conflict(String),
    #[error("{field} is already taken")]
    Duplicate { field: &'static str },
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for PartnersError {
    fn from(e: sqlx::Error) -> Self {
        PartnersError::Db(e.into())
    }
}

impl WriteError for PartnersError {
    fn is_retryable(&self) -> bool {
        matches!(self, PartnersError::Db(e) if e.is_retryable())
    }
}

impl From<crate::areas::partners::PartnersError> for AppError {
    fn from(e: crate::areas::partners::PartnersError) -> Self {
        use crate::areas::partners::PartnersError as P;
        let detail = e.to_string();
        match e {
            P::Invalid(i) => i.into(),
            P::NotFound => AppError::not_found(),
            P::Conflict(_) => AppError {
                fields: vec![FieldError {
                    field: "to".into(),
                    key: "error.partner_stage_conflict",
                }],
                ..AppError::new(PARTNER_STAGE_CONFLICT).detail(detail)
            },
            P::Duplicate { field } => AppError {
                fields: vec![FieldError {
                    field: field.into(),
                    key: "invalid.duplicate",
                }],
                ..AppError::new(codes::DUPLICATE).detail(detail)
            },
            P::Forbidden(f) => f.into(),
            P::Db(e) => e.into(),
        }
    }
}
