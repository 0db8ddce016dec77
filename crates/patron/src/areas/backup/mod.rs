//! Backups (SPEC N2): a verified copy of the data, made on demand (`patron backup`, the console's
//! button) or on the schedule set in the console (the `backup` job, keeping the newest N), and
//! `patron restore` into a new data directory.
//!
//! A backup is a folder `patron-YYYYMMDD-HHMMSS` under the backups directory (default
//! `DATA_DIR/backups`) holding the database — SQLite: a `VACUUM INTO` copy made from a read
//! connection while Patron serves (a consistent snapshot; the writer is never held);
//! PostgreSQL: a `pg_dump` custom-format archive made by the server's own tool of a matching
//! version — the data folders that belong to the data (`documents/` when there is one) and
//! `manifest.json` (what, when, the migration version, each file's size and SHA-256, the
//! checks). It is written as `NAME.partial` and renamed only once verified: the copy is opened
//! (PostgreSQL: restored into a scratch database), SQLite's integrity check runs, the migration
//! version is compared, and `patron check`'s checks (audit chain, points balances, vouchers)
//! run on the copy. `secrets.toml` and `patron.toml` are never copied: the keys are stored
//! apart (without `pii_key` the encrypted phones and ID numbers cannot be read).

mod check;
pub mod error;
pub mod jobs;
pub mod messages;
pub mod pages;
mod pg;
mod restore;
pub mod store;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use patron_core::Permission;
use serde::{Deserialize, Serialize};

pub use check::{CheckLine, run_checks};
pub use error::BackupError;
pub use restore::{RestoreOptions, Restored, restore};

use crate::kernel::ctx::{App, Ctx};
use crate::kernel::db::{Backend, Db};

/// The data directory's folders that belong to the data and go into every backup.
pub const DATA_FOLDERS: &[&str] = &["documents"];
/// The manifest inside a backup folder.
pub const MANIFEST: &str = "manifest.json";
/// The SQLite copy inside a backup folder.
pub const SQLITE_FILE: &str = "patron.db";
/// The PostgreSQL archive inside a backup folder.
pub const PG_FILE: &str = "patron.dump";

/// How a backup was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Cli,
    Console,
    Schedule,
}

impl Origin {
    pub fn code(self) -> &'static str {
        match self {
            Origin::Cli => "cli",
            Origin::Console => "console",
            Origin::Schedule => "schedule",
        }
    }
}

/// One file of a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the backup folder, with `/`.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub made_at: DateTime<Utc>,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The newest migration the copy carries.
    pub migration: i64,
    /// Patron's version that made it.
    pub version: String,
    pub verified: bool,
    pub checks: Vec<CheckLine>,
    pub files: Vec<FileEntry>,
}

/// What a backup made.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub run_id: i64,
    pub path: PathBuf,
    pub bytes: u64,
    pub duration_ms: u64,
    pub verified: bool,
    pub migration: i64,
    pub checks: Vec<CheckLine>,
}

/// Where backups go unless told otherwise.
pub fn default_dir(app: &App) -> PathBuf {
    app.config.data_dir.join("backups")
}

fn backend_code(db: &Db) -> &'static str {
    match db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// Makes, verifies and records one backup into `to` (default: `default_dir`). A failure is
/// recorded too, and nothing half-made is left under a backup's name.
pub async fn back_up(
    ctx: &Ctx,
    origin: Origin,
    to: Option<&Path>,
) -> Result<BackupReport, BackupError> {
    ctx.require(Permission::ManageBackups)?;
    let run_id = start(ctx, origin).await?;
    finish(ctx, run_id, to).await
}

/// Records a backup as started (the console lists it as running).
async fn start(ctx: &Ctx, origin: Origin) -> Result<i64, BackupError> {
    let c = ctx.clone();
    let backend = backend_code(ctx.db());
    let staff_id = ctx.actor.staff().map(|s| s.id);
    ctx.db()
        .write(move |tx| {
            let c = c.clone();
            Box::pin(async move {
                Ok::<_, BackupError>(
                    store::start_run(tx, origin.code(), backend, staff_id, c.now()).await?,
                )
            })
        })
        .await
}

/// Makes the backup of a started run and records how it ended.
async fn finish(ctx: &Ctx, run_id: i64, to: Option<&Path>) -> Result<BackupReport, BackupError> {
    let started = Instant::now();
    let made = make(ctx, to).await;
    let duration_ms = started.elapsed().as_millis() as u64;
    let (state, name, folder, bytes, verified, migration, note) = match &made {
        Ok(m) => (
            "done",
            file_name(&m.path),
            m.path
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            m.bytes,
            m.verified,
            m.migration,
            m.checks
                .iter()
                .filter(|c| !c.ok)
                .map(|c| format!("{}: {}", c.what, c.detail))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(e) => (
            "failed",
            String::new(),
            String::new(),
            0,
            false,
            0,
            e.to_string(),
        ),
    };
    let record = Arc::new((state, name.clone(), folder, note));
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, record) = (c.clone(), record.clone());
            Box::pin(async move {
                let (state, name, folder, note) = &*record;
                store::finish_run(
                    tx,
                    &store::Finished {
                        id: run_id,
                        state,
                        name,
                        folder,
                        bytes: bytes as i64,
                        duration_ms: duration_ms as i64,
                        verified,
                        migration,
                        note,
                        at: c.now(),
                    },
                )
                .await?;
                tx.audit(
                    c.audit("backup.made", "backup", run_id)
                        .after(&serde_json::json!({
                            "state": state, "name": name, "bytes": bytes, "verified": verified,
                        })),
                );
                Ok::<_, BackupError>(())
            })
        })
        .await?;
    let m = made?;
    Ok(BackupReport {
        run_id,
        duration_ms,
        ..m
    })
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A free folder name for a backup made now.
fn new_name(root: &Path, now: DateTime<Utc>, tz: chrono_tz::Tz) -> PathBuf {
    let base = format!("patron-{}", now.with_timezone(&tz).format("%Y%m%d-%H%M%S"));
    let mut n = 1;
    loop {
        let name = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let p = root.join(&name);
        if !p.exists() && !root.join(format!("{name}.partial")).exists() {
            return p;
        }
        n += 1;
    }
}

/// Copies, verifies and describes the data into a new folder under `to`.
async fn make(ctx: &Ctx, to: Option<&Path>) -> Result<BackupReport, BackupError> {
    let root = to
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_dir(&ctx.app));
    crate::kernel::files::private_dir(&root).map_err(|e| BackupError::io(&root, e))?;
    let path = new_name(&root, ctx.now(), ctx.app.config.tz());
    let partial = PathBuf::from(format!("{}.partial", path.display()));
    crate::kernel::files::private_dir(&partial).map_err(|e| BackupError::io(&partial, e))?;
    let result = fill(ctx, &partial).await;
    let (verified, migration, checks) = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    let files = describe(&partial)?;
    let bytes = files.iter().map(|f| f.bytes).sum();
    let manifest = Manifest {
        format: 1,
        made_at: ctx.now(),
        backend: backend_code(ctx.db()).into(),
        migration,
        version: env!("CARGO_PKG_VERSION").into(),
        verified,
        checks: checks.clone(),
        files,
    };
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    crate::kernel::config::write_private(&partial.join(MANIFEST), &text)
        .map_err(|e| BackupError::io(&partial, e))?;
    std::fs::rename(&partial, &path).map_err(|e| BackupError::io(&path, e))?;
    Ok(BackupReport {
        run_id: 0,
        path,
        bytes,
        duration_ms: 0,
        verified,
        migration,
        checks,
    })
}

/// Writes the database copy and the data folders into `dir`; verifies the copy.
async fn fill(ctx: &Ctx, dir: &Path) -> Result<(bool, i64, Vec<CheckLine>), BackupError> {
    let db = ctx.db();
    let migration = store::migration_version(db).await?;
    let checks = match db.backend() {
        Backend::Sqlite => {
            let file = dir.join(SQLITE_FILE);
            store::vacuum_into(db, &file.to_string_lossy()).await?;
            verify_sqlite(&file, migration).await?
        }
        Backend::Postgres => {
            let file = dir.join(PG_FILE);
            pg::dump(ctx, &file).await?;
            pg::verify(ctx, &file, migration).await?
        }
    };
    for folder in DATA_FOLDERS {
        let from = ctx.app.config.data_dir.join(folder);
        if from.is_dir() {
            copy_tree(&from, &dir.join(folder))?;
        }
    }
    let verified = !checks.is_empty() && checks.iter().all(|c| c.ok);
    Ok((verified, migration, checks))
}

/// Opens the SQLite copy and runs the checks on it.
async fn verify_sqlite(file: &Path, migration: i64) -> Result<Vec<CheckLine>, BackupError> {
    let copy = Db::open_sqlite(file).await?;
    let lines = check::on_copy(&copy, migration).await;
    copy.close().await;
    // The copy is closed: nothing of it may stay in a WAL beside it.
    for side in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{side}", file.display()));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| BackupError::io(&p, e))?;
        }
    }
    lines
}

/// Copies a folder and everything under it (owner-only).
pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<(), BackupError> {
    crate::kernel::files::private_dir(to).map_err(|e| BackupError::io(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| BackupError::io(from, e))? {
        let entry = entry.map_err(|e| BackupError::io(from, e))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else if src.is_file() {
            std::fs::copy(&src, &dst).map_err(|e| BackupError::io(&src, e))?;
        }
    }
    Ok(())
}

/// Every file under `dir` (the manifest aside) with its size and SHA-256, sorted by path.
pub(crate) fn describe(dir: &Path) -> Result<Vec<FileEntry>, BackupError> {
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.retain(|f| f.path != MANIFEST);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<FileEntry>) -> Result<(), BackupError> {
    for entry in std::fs::read_dir(dir).map_err(|e| BackupError::io(dir, e))? {
        let p = entry.map_err(|e| BackupError::io(dir, e))?.path();
        if p.is_dir() {
            walk(root, &p, out)?;
        } else {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            let (bytes, sha256) = digest(&p)?;
            out.push(FileEntry {
                path: rel,
                bytes,
                sha256,
            });
        }
    }
    Ok(())
}

/// A file's size and SHA-256 (hex).
pub(crate) fn digest(p: &Path) -> Result<(u64, String), BackupError> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(p).map_err(|e| BackupError::io(p, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| BackupError::io(p, e))?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((n, hex::encode(h.finalize())))
}

/// The schedule as set in the console.
pub async fn settings(ctx: &Ctx) -> Result<store::SettingsRow, BackupError> {
    ctx.require(Permission::ManageBackups)?;
    Ok(store::settings(ctx.db()).await?)
}

/// Saves the schedule: on or off, the hour after which the daily backup is due, how many
/// scheduled backups to keep.
pub async fn save_settings(
    ctx: &Ctx,
    enabled: bool,
    at_hour: &str,
    keep: &str,
) -> Result<(), BackupError> {
    ctx.require(Permission::ManageBackups)?;
    let mut bad = crate::kernel::validation::Invalid::new();
    let at_hour = at_hour
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (0..24).contains(h));
    if at_hour.is_none() {
        bad.add("at_hour", "backup.invalid.hour");
    }
    let keep = keep
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|k| (1..=365).contains(k));
    if keep.is_none() {
        bad.add("keep", "backup.invalid.keep");
    }
    bad.into_result()?;
    let new = store::SettingsRow {
        enabled,
        at_hour: at_hour.unwrap_or(2),
        keep: keep.unwrap_or(7),
    };
    let before = store::settings(ctx.db()).await?;
    let c = ctx.clone();
    ctx.db()
        .write(move |tx| {
            let (c, new, before) = (c.clone(), new.clone(), before.clone());
            Box::pin(async move {
                store::save_settings(tx, &new, c.actor.staff().map(|s| s.id), c.now()).await?;
                tx.audit(
                    c.audit("backup.settings", "backup", "settings")
                        .before(&serde_json::json!({
                            "enabled": before.enabled, "at_hour": before.at_hour, "keep": before.keep,
                        }))
                        .after(&serde_json::json!({
                            "enabled": new.enabled, "at_hour": new.at_hour, "keep": new.keep,
                        })),
                );
                Ok::<_, BackupError>(())
            })
        })
        .await
}

/// The newest backups as recorded.
pub async fn list(ctx: &Ctx, limit: i64) -> Result<Vec<store::RunRow>, BackupError> {
    ctx.require(Permission::ManageBackups)?;
    Ok(store::runs(ctx.db(), limit).await?)
}

/// Removes the verified scheduled backups beyond the newest `keep` (folders named as Patron
/// names them, under the folder recorded); how many were removed.
pub async fn prune(ctx: &Ctx, keep: i64) -> Result<u64, BackupError> {
    let kept = store::kept_scheduled(ctx.db()).await?;
    let mut removed = 0;
    for run in kept.into_iter().skip(keep.max(1) as usize) {
        if !run.name.starts_with("patron-")
            || run.name.contains(['/', '\\'])
            || run.folder.is_empty()
        {
            continue;
        }
        let path = Path::new(&run.folder).join(&run.name);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).map_err(|e| BackupError::io(&path, e))?;
        }
        let c = ctx.clone();
        let id = run.id;
        removed += ctx
            .db()
            .write(move |tx| {
                let c = c.clone();
                Box::pin(async move {
                    let n = store::mark_removed(tx, id, c.now()).await?;
                    tx.audit(c.audit("backup.removed", "backup", id));
                    Ok::<_, BackupError>(n)
                })
            })
            .await?;
    }
    Ok(removed)
}
