//! The staff area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use crate::auth::password::HashError;
use crate::kernel::ctx::Forbidden;
use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;
use codes::Code;

/// The codes this area answers with (besides the kernel's).
pub const LAST_ADMIN: Code = Code::new("last_admin", 409, "error.last_admin");
pub const CODES: &[Code] = &[LAST_ADMIN];

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
    Hash(#[from] HashError),
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
                ..AppError::new(codes::DUPLICATE).detail(format!("{field} is already taken"))
            },
            StaffError::NotFound => AppError::not_found(),
            StaffError::LastAdmin => AppError::new(LAST_ADMIN),
            StaffError::Forbidden(f) => f.into(),
            StaffError::Db(e) => e.into(),
            StaffError::Hash(e) => AppError::internal(e),
        }
    }
}
