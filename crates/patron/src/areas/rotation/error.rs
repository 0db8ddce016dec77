//! The rotation area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes.

use patron_core::rotation::RotationError as Rule;

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error::Code;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;

/// Nobody in the team is free to receive a customer (everyone busy or away).
pub const NOBODY_FREE: Code = Code::new("rotation_nobody_free", 409, "error.rotation_nobody_free");
/// The visit's sale was already marked with another receipt.
pub const SALE_MARKED: Code = Code::new("rotation_sale_marked", 409, "error.rotation_sale_marked");

/// The codes this area answers with (besides the kernel's).
pub const CODES: &[Code] = &[NOBODY_FREE, SALE_MARKED];

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Rule(#[from] Rule),
    #[error("the visit's sale is already marked with receipt {0}")]
    SaleMarked(String),
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for RotationError {
    fn from(e: sqlx::Error) -> Self {
        RotationError::Db(e.into())
    }
}

impl WriteError for RotationError {
    fn is_retryable(&self) -> bool {
        matches!(self, RotationError::Db(e) if e.is_retryable())
    }
}

fn field(code: Code, field: &str, key: &'static str, detail: String) -> AppError {
    AppError {
        fields: vec![FieldError {
            field: field.into(),
            key,
        }],
        ..AppError::new(code).detail(detail)
    }
}

impl From<RotationError> for AppError {
    fn from(e: RotationError) -> Self {
        let detail = e.to_string();
        match e {
            RotationError::Invalid(i) => i.into(),
            RotationError::NotFound => AppError::not_found(),
            RotationError::Rule(Rule::NobodyFree) => AppError::new(NOBODY_FREE).detail(detail),
            RotationError::Rule(Rule::NotInTeam(_)) => {
                Invalid::one("username", "rotation.invalid.not_in_team").into()
            }
            RotationError::Rule(Rule::EmptyTeam) => {
                Invalid::one("representatives", "rotation.invalid.empty_team").into()
            }
            RotationError::Rule(Rule::Duplicate) => {
                Invalid::one("representatives", "rotation.invalid.duplicate").into()
            }
            RotationError::Rule(Rule::NoSuchVisit(_)) => AppError::not_found(),
            RotationError::SaleMarked(_) => field(
                SALE_MARKED,
                "receipt_no",
                "error.rotation_sale_marked",
                detail,
            ),
            RotationError::Forbidden(f) => f.into(),
            RotationError::Db(e) => e.into(),
        }
    }
}
