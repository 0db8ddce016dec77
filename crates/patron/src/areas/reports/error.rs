//! The reports area's errors.

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error::{Code, NOT_FOUND};
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;

/// An export could not be written (the detail says why, for the operator).
pub const EXPORT_FAILED: Code = Code::new("export_failed", 500, "reports.error.export_failed");
/// The export is still being written: its file is not there yet.
pub const EXPORT_NOT_READY: Code =
    Code::new("export_not_ready", 409, "reports.error.export_not_ready");

pub const CODES: &[Code] = &[EXPORT_FAILED, EXPORT_NOT_READY];

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("no report or export called {0:?}")]
    NotFound(String),
    #[error("the export is still being written")]
    NotReady,
    #[error("{path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("writing the spreadsheet: {0}")]
    Xlsx(String),
}

impl ReportError {
    pub fn io(path: &std::path::Path, cause: std::io::Error) -> ReportError {
        ReportError::Io {
            path: path.display().to_string(),
            cause,
        }
    }
}

impl From<sqlx::Error> for ReportError {
    fn from(e: sqlx::Error) -> Self {
        ReportError::Db(e.into())
    }
}

impl From<rust_xlsxwriter::XlsxError> for ReportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ReportError::Xlsx(e.to_string())
    }
}

impl WriteError for ReportError {
    fn is_retryable(&self) -> bool {
        matches!(self, ReportError::Db(e) if e.is_retryable())
    }
}

impl From<ReportError> for AppError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::Invalid(i) => i.into(),
            ReportError::Forbidden(f) => f.into(),
            ReportError::Db(e) => e.into(),
            ReportError::NotFound(what) => AppError::new(NOT_FOUND).detail(what),
            ReportError::NotReady => AppError::new(EXPORT_NOT_READY),
            other => AppError {
                cause: Some(other.to_string().into()),
                ..AppError::new(EXPORT_FAILED)
            },
        }
    }
}
