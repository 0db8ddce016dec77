//! The backup area's SQL: the settings row, the run records, and what a backup asks of a
//! database (SQLite's `VACUUM INTO` and integrity check, PostgreSQL's name, version and scratch
//! databases). It reads `_sqlx_migrations` (the migration version a copy carries).

use chrono::{DateTime, Utc};
use sqlx::Connection;

use crate::kernel::db::{Db, DbError, Reader, Tx, ts};
use crate::{on_db, on_tx};

/// The schedule (one row).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SettingsRow {
    pub enabled: bool,
    pub at_hour: i64,
    pub keep: i64,
}

pub async fn settings(db: &Db) -> Result<SettingsRow, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_as("select enabled, at_hour, keep from backup_settings where id = 1")
            .fetch_one(p)
            .await?
    }))
}

pub async fn save_settings(
    tx: &mut Tx,
    s: &SettingsRow,
    staff_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update backup_settings set enabled = $1, at_hour = $2, keep = $3, updated_by = $4, \
             updated_at = $5 where id = 1",
        )
        .bind(s.enabled)
        .bind(s.at_hour)
        .bind(s.keep)
        .bind(staff_id)
        .bind(ts(at))
        .execute(c)
        .await?;
    });
    Ok(())
}

/// A backup as recorded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub origin: String,
    pub state: String,
    pub name: String,
    pub folder: String,
    pub backend: String,
    pub bytes: i64,
    pub duration_ms: i64,
    pub verified: bool,
    pub migration: i64,
    pub note: String,
    pub removed_at: Option<DateTime<Utc>>,
}

const RUN_COLUMNS: &str = "id, started_at, finished_at, origin, state, name, folder, backend, \
     bytes, duration_ms, verified, migration, note, removed_at";

pub async fn start_run(
    tx: &mut Tx,
    origin: &str,
    backend: &str,
    staff_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<i64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into backup_runs (started_at, origin, backend, staff_id) \
             values ($1, $2, $3, $4) returning id",
        )
        .bind(ts(at))
        .bind(origin)
        .bind(backend)
        .bind(staff_id)
        .fetch_one(c)
        .await?
    }))
}

/// What a finished backup records.
pub struct Finished<'a> {
    pub id: i64,
    pub state: &'a str,
    pub name: &'a str,
    pub folder: &'a str,
    pub bytes: i64,
    pub duration_ms: i64,
    pub verified: bool,
    pub migration: i64,
    pub note: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn finish_run(tx: &mut Tx, f: &Finished<'_>) -> Result<(), DbError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update backup_runs set finished_at = $1, state = $2, name = $3, folder = $4, \
             bytes = $5, duration_ms = $6, verified = $7, migration = $8, note = $9 \
             where id = $10 and state = 'running'",
        )
        .bind(ts(f.at))
        .bind(f.state)
        .bind(f.name)
        .bind(f.folder)
        .bind(f.bytes)
        .bind(f.duration_ms)
        .bind(f.verified)
        .bind(f.migration)
        .bind(f.note)
        .bind(f.id)
        .execute(c)
        .await?;
    });
    Ok(())
}

/// The newest runs first.
pub async fn runs(db: &Db, limit: i64) -> Result<Vec<RunRow>, DbError> {
    let sql = format!("select {RUN_COLUMNS} from backup_runs order by id desc limit $1");
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(limit)
            .fetch_all(p)
            .await?
    }))
}

/// Verified scheduled backups still on disk, newest first (the keep-N rule's candidates).
pub async fn kept_scheduled(db: &Db) -> Result<Vec<RunRow>, DbError> {
    let sql = format!(
        "select {RUN_COLUMNS} from backup_runs where origin = 'schedule' and state = 'done' \
         and verified and removed_at is null order by id desc"
    );
    Ok(on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await?
    }))
}

pub async fn mark_removed(tx: &mut Tx, id: i64, at: DateTime<Utc>) -> Result<u64, DbError> {
    Ok(on_tx!(tx, |c| {
        sqlx::query("update backup_runs set removed_at = $1 where id = $2 and removed_at is null")
            .bind(ts(at))
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
    }))
}

/// The newest migration applied to `db`.
pub async fn migration_version(db: &Db) -> Result<i64, DbError> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar::<_, i64>(
            "select cast(coalesce(max(version), 0) as bigint) from _sqlx_migrations where success",
        )
        .fetch_one(p)
        .await?
    }))
}

/// A consistent copy of the SQLite database into the (new) file `target`, from a read
/// connection: the copy is the snapshot its read transaction sees, while the writer goes on.
pub async fn vacuum_into(db: &Db, target: &str) -> Result<(), DbError> {
    if let Reader::Sqlite(p) = db.reader() {
        sqlx::query("vacuum into $1")
            .bind(target)
            .execute(p)
            .await?;
    }
    Ok(())
}

/// SQLite's own check of every page and index: `ok`, or the problems it found.
pub async fn integrity_check(db: &Db) -> Result<Vec<String>, DbError> {
    match db.reader() {
        Reader::Sqlite(p) => Ok(sqlx::query_scalar::<_, String>("pragma integrity_check")
            .fetch_all(p)
            .await?),
        Reader::Pg(_) => Ok(vec!["ok".into()]),
    }
}

/// PostgreSQL: the database's name and the server's major version.
pub async fn pg_identity(db: &Db) -> Result<(String, i64), DbError> {
    let (name, num): (String, String) = on_db!(db, |p| {
        sqlx::query_as("select current_database(), current_setting('server_version_num')")
            .fetch_one(p)
            .await?
    });
    Ok((name, num.parse::<i64>().unwrap_or(0) / 10_000))
}

/// PostgreSQL: makes (`create`) or drops a scratch database of the same server. `name` is made
/// by the caller from letters, digits and underscores only.
pub async fn pg_database(db: &Db, name: &str, create: bool) -> Result<(), DbError> {
    let sql = if create {
        format!("create database {name}")
    } else {
        format!("drop database if exists {name} with (force)")
    };
    on_db!(db, |p| {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(p)
            .await?;
    });
    Ok(())
}

/// PostgreSQL: how many tables the database at `url` has in its public schema (a restore goes
/// only into an empty one), and the server's major version.
pub async fn pg_tables_at(url: &str) -> Result<(i64, i64), DbError> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let (n, num): (i64, String) = sqlx::query_as(
        "select count(*), current_setting('server_version_num') from information_schema.tables \
         where table_schema = 'public'",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    Ok((n, num.parse::<i64>().unwrap_or(0) / 10_000))
}
