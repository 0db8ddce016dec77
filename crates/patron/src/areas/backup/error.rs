//! The backup area's errors.

use std::path::Path;

use crate::kernel::db::{DbError, WriteError};
use crate::kernel::error::Code;
use crate::kernel::validation::Invalid;
use crate::web::error::AppError;

/// A backup could not be made or restored (the detail says why, for the operator).
pub const BACKUP_FAILED: Code = Code::new("backup_failed", 500, "backup.error.failed");
/// A restore's target already exists: nothing was touched.
pub const RESTORE_TARGET_EXISTS: Code =
    Code::new("restore_target_exists", 409, "backup.error.target_exists");

pub const CODES: &[Code] = &[BACKUP_FAILED, RESTORE_TARGET_EXISTS];

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Forbidden(#[from] crate::kernel::ctx::Forbidden),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    /// No `pg_dump`/`pg_restore` of a version that can work with this server.
    #[error(
        "no {tool} for PostgreSQL {server_major} or newer was found (looked in PATRON_PG_BIN, \
         /usr/lib/postgresql/{server_major}/bin and PATH); install the server's client tools or \
         leave backups to the DBA (README, \"Backups and restore\")"
    )]
    NoPgTool {
        tool: &'static str,
        server_major: i64,
    },
    /// A PostgreSQL tool ran and failed.
    #[error("{tool} failed: {output}")]
    PgTool { tool: &'static str, output: String },
    #[error("{0} already exists: a restore makes a new data directory and never overwrites one")]
    TargetExists(String),
    #[error("{0} is not a Patron backup (no readable manifest.json)")]
    NotABackup(String),
    #[error("{0} in the backup does not match its manifest (size or SHA-256): the copy is damaged")]
    Damaged(String),
    #[error("a PostgreSQL backup is restored into a new, empty database: give --database-url")]
    NeedDatabaseUrl,
    #[error("the database {0} is not empty ({1} tables): restore into a new, empty database")]
    TargetNotEmpty(String, i64),
    #[error("the database URL: {0}")]
    Url(String),
    #[error("the secrets file: {0}")]
    Secrets(String),
}

impl BackupError {
    pub fn io(path: &Path, cause: std::io::Error) -> BackupError {
        BackupError::Io {
            path: path.display().to_string(),
            cause,
        }
    }
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Db(e.into())
    }
}

impl WriteError for BackupError {
    fn is_retryable(&self) -> bool {
        matches!(self, BackupError::Db(e) if e.is_retryable())
    }
}

impl From<BackupError> for AppError {
    fn from(e: BackupError) -> Self {
        match e {
            BackupError::Invalid(i) => i.into(),
            BackupError::Forbidden(f) => f.into(),
            BackupError::Db(e) => e.into(),
            BackupError::TargetExists(_) => AppError::new(RESTORE_TARGET_EXISTS),
            other => AppError {
                cause: Some(other.to_string().into()),
                ..AppError::new(BACKUP_FAILED)
            },
        }
    }
}
