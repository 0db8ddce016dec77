//! The members area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use crate::areas::points::PointsError;
use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{field} belongs to member {name} (#{member_id})")]
    Duplicate {
        field: &'static str,
        member_id: i64,
        name: String,
    },
    #[error("not found")]
    NotFound,
    #[error("the card is {0}")]
    CardState(String),
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Approvals(#[from] crate::approvals::ApprovalsError),
    #[error(transparent)]
    Points(#[from] PointsError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for MembersError {
    fn from(e: sqlx::Error) -> Self {
        MembersError::Db(e.into())
    }
}

impl WriteError for MembersError {
    fn is_retryable(&self) -> bool {
        matches!(self, MembersError::Db(e) if e.is_retryable())
    }
}

impl From<MembersError> for AppError {
    fn from(e: MembersError) -> Self {
        let detail = e.to_string();
        match e {
            MembersError::Invalid(i) => i.into(),
            MembersError::Duplicate { field, .. } => AppError {
                fields: vec![FieldError {
                    field: field.into(),
                    key: "invalid.duplicate",
                }],
                ..AppError::new(codes::DUPLICATE).detail(detail)
            },
            MembersError::NotFound => AppError::new(codes::MEMBER_NOT_FOUND),
            MembersError::CardState(_) => AppError::new(codes::CARD_INACTIVE).detail(detail),
            MembersError::Forbidden(f) => f.into(),
            MembersError::Approvals(a) => a.into(),
            MembersError::Points(p) => p.into(),
            MembersError::Db(e) => e.into(),
        }
    }
}
