//! The partners area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use super::*;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;

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
                ..AppError::new("partner_stage_conflict").detail(detail)
            },
            P::Duplicate { field } => AppError {
                fields: vec![FieldError {
                    field: field.into(),
                    key: "invalid.duplicate",
                }],
                ..AppError::new("duplicate").detail(detail)
            },
            P::Forbidden(f) => f.into(),
            P::Db(e) => e.into(),
        }
    }
}
