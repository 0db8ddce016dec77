//! The points area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;
use crate::web::said::Said;
use chrono::NaiveDate;

#[derive(Debug, thiserror::Error)]
pub enum PointsError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("no member has this card or phone")]
    MemberNotFound,
    #[error("card {card_no} of {name} is frozen")]
    CardFrozen { card_no: String, name: String },
    #[error("card {card_no} of {name} expired on {expired_on}")]
    CardExpired {
        card_no: String,
        name: String,
        expired_on: NaiveDate,
    },
    #[error("card {card_no} of {name} is {state}")]
    CardInactive {
        card_no: String,
        name: String,
        state: String,
    },
    #[error("this number was already used with different content")]
    ReceiptConflict,
    #[error("no such receipt at this store")]
    ReceiptNotFound,
    /// A missed receipt that was credited before (C2): when, and with how many points.
    #[error("receipt {receipt_no} was credited at {credited_at} with {points} points")]
    AlreadyCredited {
        receipt_no: String,
        /// Local time of the store, `2026-09-25 16:42`.
        credited_at: String,
        points: i64,
    },
    /// A missed receipt already waiting for a supervisor's decision.
    #[error("receipt {receipt_no} is waiting for approval #{approval_id}")]
    MissedPending {
        receipt_no: String,
        approval_id: i64,
    },
    /// A receipt from before the card existed (C1: 不能补开卡前积分).
    #[error("the receipt of {on} is from before the card was issued on {joined_on}")]
    BeforeCard { on: NaiveDate, joined_on: NaiveDate },
    #[error("{available} points available")]
    InsufficientPoints { available: i64 },
    #[error("the key belongs to another store")]
    WrongStore,
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Approvals(#[from] crate::approvals::ApprovalsError),
    /// Inside a write: the natural key exists already; the caller reads the first answer.
    #[error("already recorded")]
    AlreadyRecorded,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for PointsError {
    fn from(e: sqlx::Error) -> Self {
        PointsError::Db(e.into())
    }
}

impl WriteError for PointsError {
    fn is_retryable(&self) -> bool {
        matches!(self, PointsError::Db(e) if e.is_retryable())
    }
}

impl From<PointsError> for AppError {
    fn from(e: PointsError) -> Self {
        let detail = e.to_string();
        match e {
            PointsError::Invalid(i) => i.into(),
            PointsError::MemberNotFound => AppError::new(codes::MEMBER_NOT_FOUND),
            PointsError::CardFrozen { .. } => AppError::new(codes::CARD_FROZEN).detail(detail),
            PointsError::CardExpired {
                card_no,
                name,
                expired_on,
            } => AppError::new(codes::CARD_EXPIRED).detail(detail).note(
                Said::new("points.card_expired_on")
                    .text("card_no", card_no)
                    .text("name", name)
                    .text("date", expired_on),
            ),
            PointsError::AlreadyCredited {
                receipt_no,
                credited_at,
                points,
            } => AppError::new(codes::RECEIPT_CONFLICT).detail(detail).note(
                Said::new("points.missed.already_credited")
                    .text("receipt", receipt_no)
                    .text("when", credited_at)
                    .text("points", patron_core::Points(points)),
            ),
            PointsError::MissedPending {
                receipt_no,
                approval_id,
            } => AppError::new(codes::RECEIPT_CONFLICT).detail(detail).note(
                Said::new("points.missed.pending")
                    .text("receipt", receipt_no)
                    .text("id", approval_id),
            ),
            PointsError::BeforeCard { on, joined_on } => AppError {
                fields: vec![FieldError {
                    field: "occurred_at".into(),
                    key: "invalid.before_card",
                }],
                ..AppError::new(codes::VALIDATION).detail(detail).note(
                    Said::new("points.missed.before_card")
                        .text("on", on)
                        .text("joined", joined_on),
                )
            },
            PointsError::CardInactive { .. } => AppError::new(codes::CARD_INACTIVE).detail(detail),
            PointsError::ReceiptConflict | PointsError::AlreadyRecorded => {
                AppError::new(codes::RECEIPT_CONFLICT).detail(detail)
            }
            PointsError::ReceiptNotFound => AppError::new(codes::RECEIPT_NOT_FOUND),
            PointsError::InsufficientPoints { available } => AppError {
                fields: vec![FieldError {
                    field: "points".into(),
                    key: "error.insufficient_points",
                }],
                ..AppError::new(codes::INSUFFICIENT_POINTS)
                    .detail(detail)
                    .note(
                        crate::web::said::Said::new("error.insufficient_points.have")
                            .text("available", patron_core::Points(available)),
                    )
            },
            PointsError::WrongStore => AppError::new(codes::FORBIDDEN)
                .detail("the till key belongs to another store than store_code"),
            PointsError::Forbidden(f) => f.into(),
            PointsError::Approvals(a) => a.into(),
            PointsError::Db(e) => e.into(),
        }
    }
}
