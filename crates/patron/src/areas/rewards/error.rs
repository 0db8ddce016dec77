//! The rewards area's errors: what can go wrong in its use cases, and the HTTP status and
//! stable code each becomes (`api/pos.md`: codes never change once published).

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error as codes;
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum RewardsError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The store has none of this gift left (nothing was written).
    #[error("{gift} is out of stock at {store}")]
    OutOfStock { gift: String, store: String },
    #[error("not found")]
    NotFound,
    /// A document is not in the state the step needs (a slip claimed or expired, a stock-take
    /// already decided, …); the text says which.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Points(#[from] crate::areas::points::PointsError),
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for RewardsError {
    fn from(e: sqlx::Error) -> Self {
        RewardsError::Db(e.into())
    }
}

impl WriteError for RewardsError {
    fn is_retryable(&self) -> bool {
        match self {
            RewardsError::Db(e) => e.is_retryable(),
            RewardsError::Points(crate::areas::points::PointsError::Db(e)) => e.is_retryable(),
            _ => false,
        }
    }
}

impl From<crate::areas::rewards::RewardsError> for AppError {
    fn from(e: crate::areas::rewards::RewardsError) -> Self {
        use crate::areas::rewards::RewardsError as R;
        let detail = e.to_string();
        match e {
            R::Invalid(i) => i.into(),
            R::OutOfStock { .. } => {
                AppError::new(crate::areas::gifts::error::OUT_OF_STOCK).detail(detail)
            }
            R::NotFound => AppError::not_found(),
            R::Conflict(_) => AppError::new(codes::CONFLICT).detail(detail),
            R::Points(p) => p.into(),
            R::Forbidden(f) => f.into(),
            R::Db(e) => e.into(),
        }
    }
}
