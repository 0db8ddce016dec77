//! The calendar area's errors.

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;

/// The codes this area answers with (besides the kernel's).
pub const CODES: &[codes::Code] = &[];

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    /// A year whose festivals cannot be computed (outside 1–9998).
    #[error("festival dates are not known for that year")]
    YearOutOfRange,
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for CalendarError {
    fn from(e: sqlx::Error) -> Self {
        CalendarError::Db(e.into())
    }
}

impl WriteError for CalendarError {
    fn is_retryable(&self) -> bool {
        matches!(self, CalendarError::Db(e) if e.is_retryable())
    }
}

impl From<CalendarError> for AppError {
    fn from(e: CalendarError) -> Self {
        match e {
            CalendarError::Invalid(i) => i.into(),
            CalendarError::NotFound => AppError::not_found(),
            CalendarError::YearOutOfRange => AppError {
                fields: vec![FieldError {
                    field: "year".into(),
                    key: "calendar.invalid.year",
                }],
                ..AppError::new(codes::VALIDATION)
            },
            CalendarError::Forbidden(f) => f.into(),
            CalendarError::Db(e) => e.into(),
        }
    }
}
