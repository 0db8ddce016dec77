//! The events area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;
use codes::Code;

/// The codes this area answers with (besides the kernel's).
pub const EVENT_FULL: Code = Code::new("event_full", 409, "error.event_full").detail_hidden();
pub const EVENT_NOT_OPEN: Code =
    Code::new("event_not_open", 409, "error.event_not_open").detail_hidden();
pub const SIGNUP_NOT_OPEN: Code =
    Code::new("signup_not_open", 409, "error.signup_not_open").detail_hidden();
pub const SIGNUP_CLOSED: Code =
    Code::new("signup_closed", 409, "error.signup_closed").detail_hidden();
pub const NOT_IN_TARGET: Code =
    Code::new("not_in_target", 403, "error.not_in_target").detail_hidden();
pub const ALREADY_SIGNED_UP: Code =
    Code::new("already_signed_up", 409, "error.already_signed_up").detail_hidden();
pub const NOT_SIGNED_UP: Code =
    Code::new("not_signed_up", 409, "error.not_signed_up").detail_hidden();
pub const ALREADY_CHECKED_IN: Code =
    Code::new("already_checked_in", 409, "error.already_checked_in").detail_hidden();
pub const CODES: &[Code] = &[
    EVENT_FULL,
    EVENT_NOT_OPEN,
    SIGNUP_NOT_OPEN,
    SIGNUP_CLOSED,
    NOT_IN_TARGET,
    ALREADY_SIGNED_UP,
    NOT_SIGNED_UP,
    ALREADY_CHECKED_IN,
];

#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("not found")]
    NotFound,
    #[error("no member with this card")]
    MemberNotFound,
    /// The event is not in the state the step needs.
    #[error("{0}")]
    Conflict(String),
    #[error("the event is not approved: it takes no sign-ups or invitations")]
    NotApproved,
    #[error("the event is full")]
    Full,
    #[error("sign-up for this member's tier opens at {0}")]
    NotYetOpen(String),
    #[error("sign-up has closed: the event has started")]
    SignupClosed,
    #[error("the event is not for this member (tier or segment)")]
    NotInTarget,
    #[error("the member has signed up already")]
    AlreadySignedUp,
    #[error("the member has not signed up")]
    NotSignedUp,
    #[error("the member has checked in already")]
    AlreadyCheckedIn,
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Approvals(#[from] crate::approvals::ApprovalsError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for EventsError {
    fn from(e: sqlx::Error) -> Self {
        EventsError::Db(e.into())
    }
}

impl WriteError for EventsError {
    fn is_retryable(&self) -> bool {
        matches!(self, EventsError::Db(e) if e.is_retryable())
    }
}

impl From<crate::areas::points::PointsError> for EventsError {
    fn from(e: crate::areas::points::PointsError) -> Self {
        use crate::areas::points::PointsError as P;
        match e {
            P::Invalid(i) => EventsError::Invalid(i),
            P::Forbidden(f) => EventsError::Forbidden(f),
            P::Db(d) => EventsError::Db(d),
            P::MemberNotFound => EventsError::MemberNotFound,
            other => EventsError::Conflict(other.to_string()),
        }
    }
}

impl From<crate::areas::events::EventsError> for AppError {
    fn from(e: crate::areas::events::EventsError) -> Self {
        use crate::areas::events::EventsError as V;
        let detail = e.to_string();
        match e {
            V::Invalid(i) => i.into(),
            V::NotFound => AppError::not_found(),
            V::MemberNotFound => AppError::new(codes::MEMBER_NOT_FOUND),
            V::Conflict(_) => AppError::new(codes::CONFLICT).detail(detail),
            V::NotApproved => AppError::new(EVENT_NOT_OPEN).detail(detail),
            V::Full => AppError::new(EVENT_FULL).detail(detail),
            V::NotYetOpen(_) => AppError::new(SIGNUP_NOT_OPEN).detail(detail),
            V::SignupClosed => AppError::new(SIGNUP_CLOSED).detail(detail),
            V::NotInTarget => AppError::new(NOT_IN_TARGET).detail(detail),
            V::AlreadySignedUp => AppError::new(ALREADY_SIGNED_UP).detail(detail),
            V::NotSignedUp => AppError::new(NOT_SIGNED_UP).detail(detail),
            V::AlreadyCheckedIn => AppError::new(ALREADY_CHECKED_IN).detail(detail),
            V::Forbidden(f) => f.into(),
            V::Approvals(a) => a.into(),
            V::Db(e) => e.into(),
        }
    }
}
