//! The groupbuy area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use super::*;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum GroupBuyError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Vouchers of a range are not where the operation needs them (nothing was written).
    #[error("{detail}")]
    RangeState { field: String, detail: String },
    /// The sale breaks prepaid-card rules (E12); each names its rule.
    #[error("the sale breaks the prepaid-card rules")]
    Prepaid(Vec<Breach>),
    /// Unknown serial or wrong check code: one answer for both.
    #[error("no such voucher")]
    VoucherNotFound,
    #[error("voucher used at {store} till {till} on {at}")]
    VoucherUsed {
        at: DateTime<Utc>,
        store: String,
        till: String,
    },
    #[error("voucher expired on {0}")]
    VoucherExpired(NaiveDate),
    #[error("voucher is {0}, not sold")]
    VoucherNotSold(String),
    #[error("voucher is {0}")]
    VoucherVoid(String),
    #[error("too many wrong check codes from this till; wait a minute")]
    RateLimited,
    #[error("not found")]
    NotFound,
    /// A document is not in the state the step needs.
    #[error("{0}")]
    Conflict(String),
    #[error("{0} is closed: its reconciliation was signed by both sides")]
    MonthClosed(String),
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

impl From<sqlx::Error> for GroupBuyError {
    fn from(e: sqlx::Error) -> Self {
        GroupBuyError::Db(e.into())
    }
}

impl WriteError for GroupBuyError {
    fn is_retryable(&self) -> bool {
        matches!(self, GroupBuyError::Db(e) if e.is_retryable())
    }
}

impl From<crate::areas::points::PointsError> for GroupBuyError {
    fn from(e: crate::areas::points::PointsError) -> Self {
        use crate::areas::points::PointsError as P;
        match e {
            P::Invalid(i) => GroupBuyError::Invalid(i),
            P::WrongStore => GroupBuyError::WrongStore,
            P::Forbidden(f) => GroupBuyError::Forbidden(f),
            P::Db(d) => GroupBuyError::Db(d),
            other => GroupBuyError::Conflict(other.to_string()),
        }
    }
}

impl From<GroupBuyError> for AppError {
    fn from(e: GroupBuyError) -> Self {
        let detail = e.to_string();
        match e {
            GroupBuyError::Invalid(i) => i.into(),
            GroupBuyError::RangeState { field, .. } => AppError {
                fields: vec![FieldError {
                    field,
                    key: "error.voucher_state",
                }],
                ..AppError::new("voucher_state").detail(detail)
            },
            GroupBuyError::Prepaid(rules) => AppError {
                fields: rules
                    .iter()
                    .map(|b| FieldError {
                        field: b.field.into(),
                        key: b.rule,
                    })
                    .collect(),
                ..AppError::new("prepaid_rule")
                    .detail(rules.iter().map(|b| b.rule).collect::<Vec<_>>().join(", "))
            },
            GroupBuyError::VoucherNotFound => AppError::new("voucher_not_found"),
            GroupBuyError::VoucherUsed { .. } => AppError::new("voucher_used").detail(detail),
            GroupBuyError::VoucherExpired(_) => AppError::new("voucher_expired").detail(detail),
            GroupBuyError::VoucherNotSold(_) => AppError::new("voucher_not_sold").detail(detail),
            GroupBuyError::VoucherVoid(_) => AppError::new("voucher_void").detail(detail),
            GroupBuyError::RateLimited => AppError::new("rate_limited").detail(detail),
            GroupBuyError::AlreadyRecorded => AppError::new("receipt_conflict").detail(detail),
            GroupBuyError::NotFound => AppError::not_found(),
            GroupBuyError::Conflict(_) => AppError::new("conflict").detail(detail),
            GroupBuyError::MonthClosed(_) => AppError::new("month_closed").detail(detail),
            GroupBuyError::WrongStore => AppError::new("forbidden")
                .detail("the till key belongs to another store than store_code"),
            GroupBuyError::Forbidden(f) => f.into(),
            GroupBuyError::Approvals(a) => a.into(),
            GroupBuyError::Db(e) => e.into(),
        }
    }
}
