//! The groupbuy area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::{FieldError, Invalid};
use crate::web::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use codes::Code;
use patron_core::vouchers::Breach;

/// The codes this area answers with (besides the kernel's).
pub const VOUCHER_NOT_FOUND: Code = Code::new("voucher_not_found", 404, "error.voucher_not_found");
pub const VOUCHER_USED: Code = Code::new("voucher_used", 409, "error.voucher_used");
pub const VOUCHER_EXPIRED: Code = Code::new("voucher_expired", 410, "error.voucher_expired");
pub const VOUCHER_NOT_SOLD: Code = Code::new("voucher_not_sold", 422, "error.voucher_not_sold");
pub const VOUCHER_VOID: Code = Code::new("voucher_void", 422, "error.voucher_void");
pub const VOUCHER_STATE: Code = Code::new("voucher_state", 422, "error.voucher_state");
pub const PREPAID_RULE: Code = Code::new("prepaid_rule", 422, "error.prepaid_rule").detail_hidden();
pub const MONTH_CLOSED: Code = Code::new("month_closed", 409, "error.month_closed");
pub const CASH_COUNT: Code = Code::new("cash_count_mismatch", 422, "error.cash_count_mismatch");
pub const CODES: &[Code] = &[
    VOUCHER_NOT_FOUND,
    VOUCHER_USED,
    VOUCHER_EXPIRED,
    VOUCHER_NOT_SOLD,
    VOUCHER_VOID,
    VOUCHER_STATE,
    PREPAID_RULE,
    MONTH_CLOSED,
    CASH_COUNT,
];

#[derive(Debug, thiserror::Error)]
pub enum GroupBuyError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Vouchers of a range are not where the operation needs them (nothing was written).
    #[error("{said}")]
    RangeState {
        field: String,
        said: crate::web::said::Said,
    },
    /// The sale breaks prepaid-card rules (E12); each names its rule.
    #[error("the sale breaks the prepaid-card rules")]
    Prepaid(Vec<Breach>),
    /// A cash sale whose counted money is not the vouchers' total (E5; nothing was written).
    #[error("the cash counted ({counted} fen) is not the vouchers' total ({amount} fen)")]
    CashCount { counted: i64, amount: i64 },
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
            // A page says what the range's vouchers are, with the numbers, after the code's
            // message.
            GroupBuyError::RangeState { field, said } => AppError {
                fields: vec![FieldError {
                    field,
                    key: "error.voucher_state",
                }],
                ..AppError::new(VOUCHER_STATE).detail(detail).note(
                    crate::web::said::Said::new("gb.range_refused")
                        .label("head", VOUCHER_STATE.key)
                        .list("said", vec![said]),
                )
            },
            GroupBuyError::Prepaid(rules) => AppError {
                fields: rules
                    .iter()
                    .map(|b| FieldError {
                        field: b.field.into(),
                        key: b.rule,
                    })
                    .collect(),
                ..AppError::new(PREPAID_RULE)
                    .detail(rules.iter().map(|b| b.rule).collect::<Vec<_>>().join(", "))
            },
            GroupBuyError::CashCount { counted, amount } => {
                let said = crate::web::said::Said::new("gb.refuse.counted")
                    .text("counted", patron_core::Fen(counted))
                    .text("amount", patron_core::Fen(amount))
                    .text("diff", patron_core::Fen((counted - amount).abs()))
                    .label(
                        "more_less",
                        if counted > amount {
                            "gb.counted_more"
                        } else {
                            "gb.counted_less"
                        },
                    );
                AppError {
                    fields: vec![FieldError {
                        field: "counted".into(),
                        key: "gb.invalid.counted_mismatch",
                    }],
                    ..AppError::new(CASH_COUNT)
                        .detail(said.to_string())
                        .note(said)
                }
            }
            GroupBuyError::VoucherNotFound => AppError::new(VOUCHER_NOT_FOUND),
            GroupBuyError::VoucherUsed { .. } => AppError::new(VOUCHER_USED).detail(detail),
            GroupBuyError::VoucherExpired(_) => AppError::new(VOUCHER_EXPIRED).detail(detail),
            GroupBuyError::VoucherNotSold(_) => AppError::new(VOUCHER_NOT_SOLD).detail(detail),
            GroupBuyError::VoucherVoid(_) => AppError::new(VOUCHER_VOID).detail(detail),
            GroupBuyError::RateLimited => AppError::new(codes::RATE_LIMITED).detail(detail),
            GroupBuyError::AlreadyRecorded => AppError::new(codes::RECEIPT_CONFLICT).detail(detail),
            GroupBuyError::NotFound => AppError::not_found(),
            GroupBuyError::Conflict(_) => AppError::new(codes::CONFLICT).detail(detail),
            GroupBuyError::MonthClosed(_) => AppError::new(MONTH_CLOSED).detail(detail),
            GroupBuyError::WrongStore => AppError::new(codes::FORBIDDEN)
                .detail("the till key belongs to another store than store_code"),
            GroupBuyError::Forbidden(f) => f.into(),
            GroupBuyError::Approvals(a) => a.into(),
            GroupBuyError::Db(e) => e.into(),
        }
    }
}
