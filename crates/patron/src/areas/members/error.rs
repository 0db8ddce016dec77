//! The members area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use crate::areas::points::PointsError;
use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;
use crate::web::said::Said;

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

impl MembersError {
    /// What a page says where the error says more than its code: a duplicate names the member
    /// who already has the phone or ID number; a card's state is named.
    fn said(&self) -> Option<Said> {
        match self {
            MembersError::Duplicate {
                field,
                member_id,
                name,
            } => Some(if *member_id > 0 {
                let key = if *field == "id_no" {
                    "member.duplicate_id_no"
                } else {
                    "member.duplicate_phone"
                };
                Said::new(key).text("name", name).text("id", member_id)
            } else {
                Said::new("error.duplicate")
            }),
            MembersError::CardState(state) => Some(
                Said::new("member.card_state_refused")
                    .label("state", format!("card.state.{state}")),
            ),
            _ => None,
        }
    }
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
        let said = e.said();
        let err = match e {
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
            MembersError::Db(e) if e.is_import_claim() => {
                Invalid::one("phone", "member.being_imported").into()
            }
            MembersError::Db(e) => e.into(),
        };
        match said {
            Some(said) => err.note(said),
            None => err,
        }
    }
}
