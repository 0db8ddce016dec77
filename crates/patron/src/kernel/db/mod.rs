//! Databases: the `Db` handle over SQLite (default) or PostgreSQL, migrations, and the write path.
//!
//! Reads go to a read pool (`db.reader()` with `on_db!`). Every write goes through
//! `db.write(|tx| …)` (see `writer.rs`): one SQL text serves both backends (DESIGN.md, "Portable
//! SQL"), with `on_tx!` choosing the connection type.

pub mod audit;
pub mod testing;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

pub use writer::{Tx, WriteError, WriteStats};

/// Runs `$body` with `$p` bound to the read pool of whichever backend `$db` is.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db.reader() {
            $crate::kernel::db::Reader::Sqlite($p) => $body,
            $crate::kernel::db::Reader::Pg($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection (`&mut SqliteConnection` or
/// `&mut PgConnection`).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx.conn() {
            $crate::kernel::db::TxConn::Sqlite($c) => $body,
            $crate::kernel::db::TxConn::Pg($c) => $body,
        }
    };
}

pub use writer::TxConn;

/// Where a query runs: the read pool, or the transaction of the write in progress. A store
/// function that both reads and writes callers use takes `impl Into<Exec<'_>>` and one SQL text
/// (`on_exec!`), instead of a read-pool twin and an `_in` transaction twin. Pass `ctx.db()` to
/// read, `&mut *tx` inside a write.
pub enum Exec<'a> {
    Read(&'a Db),
    Write(&'a mut Tx),
}

impl<'a> From<&'a Db> for Exec<'a> {
    fn from(db: &'a Db) -> Self {
        Exec::Read(db)
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Exec::Write(tx)
    }
}

/// Runs `$body` with `$c` bound to the read pool or the transaction's connection of whichever
/// backend `$exec` (an `Exec`) is.
#[macro_export]
macro_rules! on_exec {
    ($exec:expr, |$c:ident| $body:expr) => {
        match $exec {
            $crate::kernel::db::Exec::Read(db) => match db.reader() {
                $crate::kernel::db::Reader::Sqlite($c) => $body,
                $crate::kernel::db::Reader::Pg($c) => $body,
            },
            $crate::kernel::db::Exec::Write(tx) => match tx.conn() {
                $crate::kernel::db::TxConn::Sqlite($c) => $body,
                $crate::kernel::db::TxConn::Pg($c) => $body,
            },
        }
    };
}

/// A database error as the rest of the application sees it.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("the write was abandoned (it panicked or was cancelled)")]
    Abandoned,
    #[error("the transaction this write was grouped in failed: {0}")]
    Batch(String),
}

impl DbError {
    /// Whether retrying the whole transaction may succeed (PostgreSQL serialization failure or
    /// deadlock).
    pub fn is_retryable(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => {
                matches!(e.code().as_deref(), Some("40001") | Some("40P01"))
            }
            _ => false,
        }
    }

    /// Whether a write was refused because the phone or ID number it gives a member is being
    /// brought in by a member import that is publishing (the `members_import_claim` triggers).
    pub fn is_import_claim(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => {
                e.message().contains("member.being_imported")
            }
            _ => false,
        }
    }

    /// Whether this is a unique-key violation (a duplicate), on either backend.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlx(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }
}

/// Which backend a `Db` runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The read side of a `Db`.
pub enum Reader<'a> {
    Sqlite(&'a SqlitePool),
    Pg(&'a PgPool),
}

enum Inner {
    Sqlite {
        read: SqlitePool,
        writer: writer::SqliteWriter,
        opts: Box<SqliteConnectOptions>,
    },
    Pg {
        pool: PgPool,
        writer: writer::PgWriter,
    },
}

/// The database: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

/// The SQLite file a database URL names (`sqlite://PATH`, `sqlite:PATH` or a bare path), or
/// `None` for PostgreSQL (`postgres://…`, `postgresql://…`).
pub fn sqlite_path(url: &str) -> Option<&str> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return None;
    }
    Some(
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url),
    )
}

/// The `values` list of a multi-row statement built at run time: `rows` copies of `template`
/// (say `(?, ?, 'active', ?)`) joined by commas, each `?` a parameter bound once, in order (a
/// value used twice is bound twice). On PostgreSQL the parameters are numbered `$1, $2, …`; on
/// SQLite they stay `?`: sqlx-sqlite finds a numbered parameter by walking a list as long as the
/// statement's parameters, which makes a 10,000-parameter insert quadratic, while `?` is bound by
/// its position. The template holds no `?` but its parameters.
pub fn values_rows(backend: Backend, rows: usize, template: &str) -> String {
    let mut s = String::with_capacity(rows * (template.len() + 8));
    let mut n = 0usize;
    for k in 0..rows {
        if k > 0 {
            s.push(',');
        }
        match backend {
            Backend::Sqlite => s.push_str(template),
            Backend::Postgres => {
                for (i, part) in template.split('?').enumerate() {
                    if i > 0 {
                        n += 1;
                        s.push('$');
                        s.push_str(&n.to_string());
                    }
                    s.push_str(part);
                }
            }
        }
    }
    s
}

/// Timestamps are stored with microsecond precision on both backends.
pub fn ts(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// SQLite page cache of the write connection (negative: KiB), 32 MiB.
const WRITER_CACHE: &str = "-32768";
/// SQLite page cache of each of the eight read connections, 8 MiB.
const READER_CACHE: &str = "-8192";

impl Db {
    /// This open database's identity within the process (clones share it): what a per-database
    /// in-process signal is keyed by.
    pub fn instance(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    /// Opens (creating if needed) the SQLite database at `path`. The file (and its `-wal`/`-shm`) is owner-only (`kernel::files`).
    pub async fn open_sqlite(path: &Path) -> Result<Db, DbError> {
        crate::kernel::files::private_sqlite(path)
            .map_err(|e| DbError::Sqlx(sqlx::Error::Io(e)))?;
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", WRITER_CACHE);
        // Readers keep a small cache each: the operating system's page cache (not counted in the
        // process's memory) holds the file; eight large caches would hold the same pages eight
        // times over (issue 18: RSS at two million members under the till load).
        let read_opts = opts
            .clone()
            .read_only(true)
            .pragma("cache_size", READER_CACHE);
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(read_opts.clone())
            .await;
        // The read pool cannot open a database that does not exist yet: let the writer create it.
        let writer = writer::SqliteWriter::start(opts.clone()).await?;
        let read = match read {
            Ok(pool) => pool,
            Err(_) => {
                SqlitePoolOptions::new()
                    .max_connections(8)
                    .min_connections(1)
                    .connect_with(read_opts)
                    .await?
            }
        };
        Ok(Db {
            inner: Arc::new(Inner::Sqlite {
                read,
                writer,
                opts: Box::new(opts),
            }),
        })
    }

    /// Connects to PostgreSQL at `url`.
    pub async fn connect_pg(url: &str) -> Result<Db, DbError> {
        let opts = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await?;
        Ok(Db {
            inner: Arc::new(Inner::Pg {
                writer: writer::PgWriter::start(pool.clone()),
                pool,
            }),
        })
    }

    /// Opens the database a URL names: `sqlite://PATH` / `sqlite:PATH` or `postgres://…`.
    pub async fn open_url(url: &str) -> Result<Db, DbError> {
        match sqlite_path(url) {
            Some(path) => Db::open_sqlite(Path::new(path)).await,
            None => Db::connect_pg(url).await,
        }
    }

    pub fn backend(&self) -> Backend {
        match &*self.inner {
            Inner::Sqlite { .. } => Backend::Sqlite,
            Inner::Pg { .. } => Backend::Postgres,
        }
    }

    pub fn reader(&self) -> Reader<'_> {
        match &*self.inner {
            Inner::Sqlite { read, .. } => Reader::Sqlite(read),
            Inner::Pg { pool, .. } => Reader::Pg(pool),
        }
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match &*self.inner {
            // A connection of its own: the writer holds the write lock only inside a batch,
            // and nothing writes before migrations have run.
            Inner::Sqlite { opts, .. } => {
                let mut conn = SqliteConnection::connect_with(opts).await?;
                sqlx::migrate!("./migrations/sqlite").run(&mut conn).await?;
                conn.close().await?;
                Ok(())
            }
            Inner::Pg { pool, .. } => {
                sqlx::migrate!("./migrations/postgres").run(pool).await?;
                Ok(())
            }
        }
    }

    /// Counts of requests and commits on the write path since start.
    pub fn write_stats(&self) -> &WriteStats {
        match &*self.inner {
            Inner::Sqlite { writer, .. } => writer.stats(),
            Inner::Pg { writer, .. } => writer.stats(),
        }
    }

    /// Closes the pools and stops the writer after the writes already queued.
    pub async fn close(&self) {
        match &*self.inner {
            // Readers first: the last connection to close checkpoints the WAL into the
            // database file, and only the writer may.
            Inner::Sqlite { read, writer, .. } => {
                read.close().await;
                writer.stop().await;
            }
            Inner::Pg { pool, writer } => {
                writer.stop().await;
                pool.close().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_rows_numbers_parameters_on_postgres_and_keeps_them_positional_on_sqlite() {
        assert_eq!(
            values_rows(Backend::Postgres, 2, "(?, 'x', ?)"),
            "($1, 'x', $2),($3, 'x', $4)"
        );
        assert_eq!(
            values_rows(Backend::Sqlite, 2, "(?, 'x', ?)"),
            "(?, 'x', ?),(?, 'x', ?)"
        );
        assert_eq!(values_rows(Backend::Postgres, 0, "(?)"), "");
    }
}
