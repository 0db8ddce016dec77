//! The complaints area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/care.md`: codes never change once published).

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error::Code;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;

/// The step does not fit the case's state (routing before it is acknowledged, answering a case
/// that is not routed, a callback before resolution, …).
pub const COMPLAINT_WRONG_STATE: Code =
    Code::new("complaint_wrong_state", 409, "error.complaint_wrong_state");
/// A department code that is not on the list (or no longer active).
pub const UNKNOWN_DEPARTMENT: Code =
    Code::new("unknown_department", 422, "error.unknown_department");
/// The case was archived (older than the retention period): it is read-only.
pub const COMPLAINT_ARCHIVED: Code =
    Code::new("complaint_archived", 409, "error.complaint_archived");

/// The codes this area answers with (besides the kernel's).
pub const CODES: &[Code] = &[
    COMPLAINT_WRONG_STATE,
    UNKNOWN_DEPARTMENT,
    COMPLAINT_ARCHIVED,
];

#[derive(Debug, thiserror::Error)]
pub enum ComplaintError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    /// The step `step` is not possible while the case is `state`.
    #[error("the complaint is {state}: it cannot be {step}")]
    WrongState { state: String, step: &'static str },
    /// No active department has this code.
    #[error("no active department has the code {0:?}")]
    UnknownDepartment(String),
    #[error("the complaint is archived")]
    Archived,
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ComplaintError {
    fn from(e: sqlx::Error) -> Self {
        ComplaintError::Db(e.into())
    }
}

impl WriteError for ComplaintError {
    fn is_retryable(&self) -> bool {
        matches!(self, ComplaintError::Db(e) if e.is_retryable())
    }
}

impl From<ComplaintError> for AppError {
    fn from(e: ComplaintError) -> Self {
        let detail = e.to_string();
        match e {
            ComplaintError::Invalid(i) => i.into(),
            ComplaintError::NotFound => AppError::not_found(),
            ComplaintError::WrongState { .. } => {
                AppError::new(COMPLAINT_WRONG_STATE).detail(detail)
            }
            ComplaintError::UnknownDepartment(_) => AppError {
                fields: vec![FieldError {
                    field: "department".into(),
                    key: "error.unknown_department",
                }],
                ..AppError::new(UNKNOWN_DEPARTMENT).detail(detail)
            },
            ComplaintError::Archived => AppError::new(COMPLAINT_ARCHIVED).detail(detail),
            ComplaintError::Forbidden(f) => f.into(),
            ComplaintError::Db(e) => e.into(),
        }
    }
}
