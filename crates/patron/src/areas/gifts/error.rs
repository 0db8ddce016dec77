//! The gifts area's errors: what can go wrong in its use cases, and the HTTP status and stable
//! code each becomes (`api/pos.md`: codes never change once published).

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;
use codes::Code;

/// The codes this area answers with (besides the kernel's).
pub const OUT_OF_STOCK: Code = Code::new("out_of_stock", 409, "error.out_of_stock");
pub const CODES: &[Code] = &[OUT_OF_STOCK];

#[derive(Debug, thiserror::Error)]
pub enum GiftsError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The store has none of this gift left (nothing was written).
    #[error("{gift} is out of stock at {store}")]
    OutOfStock { gift: String, store: String },
    #[error("not found")]
    NotFound,
    /// A document is not in the state the step needs (a stock-take already decided, …); the
    /// text says which.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Points(#[from] crate::areas::points::PointsError),
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

impl From<sqlx::Error> for GiftsError {
    fn from(e: sqlx::Error) -> Self {
        GiftsError::Db(e.into())
    }
}

impl WriteError for GiftsError {
    fn is_retryable(&self) -> bool {
        match self {
            GiftsError::Db(e) => e.is_retryable(),
            GiftsError::Points(crate::areas::points::PointsError::Db(e)) => e.is_retryable(),
            _ => false,
        }
    }
}

impl From<crate::areas::gifts::GiftsError> for AppError {
    fn from(e: crate::areas::gifts::GiftsError) -> Self {
        use crate::areas::gifts::GiftsError as G;
        let detail = e.to_string();
        match e {
            G::Invalid(i) => i.into(),
            G::OutOfStock { .. } => AppError::new(OUT_OF_STOCK).detail(detail),
            G::NotFound => AppError::not_found(),
            G::Conflict(_) => AppError::new(codes::CONFLICT).detail(detail),
            G::Points(p) => p.into(),
            G::Forbidden(f) => f.into(),
            G::Approvals(a) => a.into(),
            G::AlreadyRecorded => AppError::new(codes::DUPLICATE).detail(detail),
            G::Db(e) => e.into(),
        }
    }
}
