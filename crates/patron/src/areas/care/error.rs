//! The care area's errors: what can go wrong in its use cases, and the HTTP status and stable
//! code each becomes (codes never change once published).

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;
use codes::Code;

/// The task was done (or closed) already: nothing was written.
pub const CARE_TASK_CLOSED: Code = Code::new("care_task_closed", 409, "error.care_task_closed");
/// Only the member's current advisor (or a manager of care) may complete the member's task.
pub const NOT_MEMBER_ADVISOR: Code =
    Code::new("not_member_advisor", 403, "error.not_member_advisor");

/// The schedule was cancelled, finished or closed already: nothing was written.
pub const CARE_SCHEDULE_CLOSED: Code =
    Code::new("care_schedule_closed", 409, "error.care_schedule_closed");
/// The staff member named as advisor may not care for the member's store's members.
pub const NOT_AN_ADVISOR: Code = Code::new("not_an_advisor", 422, "error.not_an_advisor");

/// The codes this area answers with (besides the kernel's).
pub const CODES: &[Code] = &[
    CARE_TASK_CLOSED,
    NOT_MEMBER_ADVISOR,
    CARE_SCHEDULE_CLOSED,
    NOT_AN_ADVISOR,
];

#[derive(Debug, thiserror::Error)]
pub enum CareError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    /// No active member has that card.
    #[error("no active member has this card")]
    MemberNotFound,
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
    /// The task is no longer open (its state is given).
    #[error("the care task is {0}, not open")]
    TaskClosed(String),
    /// The caller is not the member's current advisor.
    #[error("only the member's advisor may complete this task")]
    NotAdvisor,
    /// The schedule is no longer active.
    #[error("the care schedule is no longer active")]
    ScheduleClosed,
    /// The staff member cannot be the member's advisor (unknown, disabled, or without the right
    /// to care for members at the member's store).
    #[error("{0} cannot be this member's advisor")]
    NotAnAdvisor(String),
    #[error(transparent)]
    Members(#[from] crate::areas::members::MembersError),
}

impl From<sqlx::Error> for CareError {
    fn from(e: sqlx::Error) -> Self {
        CareError::Db(e.into())
    }
}

impl WriteError for CareError {
    fn is_retryable(&self) -> bool {
        match self {
            CareError::Db(e) => e.is_retryable(),
            _ => false,
        }
    }
}

impl From<CareError> for AppError {
    fn from(e: CareError) -> Self {
        let detail = e.to_string();
        match e {
            CareError::Invalid(i) => i.into(),
            CareError::NotFound => AppError::not_found(),
            CareError::MemberNotFound => AppError::new(codes::MEMBER_NOT_FOUND).detail(detail),
            CareError::Forbidden(f) => f.into(),
            CareError::Db(e) => e.into(),
            CareError::TaskClosed(_) => AppError::new(CARE_TASK_CLOSED).detail(detail),
            CareError::NotAdvisor => AppError::new(NOT_MEMBER_ADVISOR).detail(detail),
            CareError::ScheduleClosed => AppError::new(CARE_SCHEDULE_CLOSED).detail(detail),
            CareError::NotAnAdvisor(_) => AppError {
                fields: vec![FieldError {
                    field: "advisor".into(),
                    key: "error.not_an_advisor",
                }],
                ..AppError::new(NOT_AN_ADVISOR).detail(detail)
            },
            CareError::Members(m) => m.into(),
        }
    }
}
