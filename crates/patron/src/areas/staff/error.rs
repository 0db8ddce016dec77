//! The staff area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use super::*;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{field} is already taken")]
    Duplicate { field: &'static str },
    #[error("not found")]
    NotFound,
    #[error("this would leave no active administrator")]
    LastAdmin,
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error(transparent)]
    Db(DbError),
    #[error(transparent)]
    Hash(#[from] password::HashError),
}

impl From<DbError> for StaffError {
    fn from(e: DbError) -> Self {
        StaffError::Db(e)
    }
}

impl From<sqlx::Error> for StaffError {
    fn from(e: sqlx::Error) -> Self {
        DbError::from(e).into()
    }
}

impl WriteError for StaffError {
    fn is_retryable(&self) -> bool {
        matches!(self, StaffError::Db(e) if e.is_retryable())
    }
}

impl From<StaffError> for AppError {
    fn from(e: StaffError) -> Self {
        match e {
            StaffError::Invalid(i) => i.into(),
            StaffError::Duplicate { field } => AppError {
                fields: vec![FieldError {
                    field: field.into(),
                    key: "invalid.duplicate",
                }],
                ..AppError::new("duplicate").detail(format!("{field} is already taken"))
            },
            StaffError::NotFound => AppError::not_found(),
            StaffError::LastAdmin => AppError::new("last_admin"),
            StaffError::Forbidden(f) => f.into(),
            StaffError::Db(e) => e.into(),
            StaffError::Hash(e) => AppError::internal(e),
        }
    }
}
