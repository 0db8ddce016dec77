//! `patron restore BACKUP --dir NEWDIR`: a backup into a new data directory. It refuses a
//! directory that exists (nothing is touched) and a damaged backup (every file's size and
//! SHA-256 are compared with the manifest first). SQLite: the copy becomes NEWDIR/patron.db.
//! PostgreSQL: the archive is restored with `pg_restore` into the new, empty database
//! `--database-url` names. The keys are not in a backup: `--secrets` copies the secrets file
//! kept apart into the new directory.

use std::path::{Path, PathBuf};

use super::{BackupError, DATA_FOLDERS, MANIFEST, Manifest, PG_FILE, SQLITE_FILE, pg, store};
use crate::kernel::config::{CONFIG_FILE, SECRETS_FILE, Secrets, write_private};

/// What a restore is given besides the backup and the new directory.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// The secrets file kept apart (copied as NEWDIR/secrets.toml).
    pub secrets: Option<PathBuf>,
    /// PostgreSQL: the new, empty database to restore into.
    pub database_url: Option<String>,
}

/// What a restore made.
#[derive(Debug, Clone)]
pub struct Restored {
    pub dir: PathBuf,
    pub backend: String,
    pub migration: i64,
    pub files: usize,
    pub secrets_copied: bool,
}

/// Reads and checks a backup's manifest and files.
pub fn read_backup(backup: &Path) -> Result<Manifest, BackupError> {
    let text = std::fs::read_to_string(backup.join(MANIFEST))
        .map_err(|_| BackupError::NotABackup(backup.display().to_string()))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|_| BackupError::NotABackup(backup.display().to_string()))?;
    for f in &manifest.files {
        if f.path
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            return Err(BackupError::Damaged(f.path.clone()));
        }
        let (bytes, sha) = super::digest(&backup.join(&f.path))
            .map_err(|_| BackupError::Damaged(f.path.clone()))?;
        if bytes != f.bytes || sha != f.sha256 {
            return Err(BackupError::Damaged(f.path.clone()));
        }
    }
    Ok(manifest)
}

/// Restores `backup` into the new data directory `dir`.
pub async fn restore(
    backup: &Path,
    dir: &Path,
    opts: &RestoreOptions,
) -> Result<Restored, BackupError> {
    if dir.exists() {
        return Err(BackupError::TargetExists(dir.display().to_string()));
    }
    let manifest = read_backup(backup)?;
    let secrets = match &opts.secrets {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| BackupError::io(p, e))?),
        None => None,
    };
    let pg = manifest.backend == "postgres";
    let mut major = 0;
    if pg {
        let url = opts
            .database_url
            .as_deref()
            .ok_or(BackupError::NeedDatabaseUrl)?;
        let (tables, server_major) = store::pg_tables_at(url).await?;
        if tables > 0 {
            return Err(BackupError::TargetNotEmpty(
                pg::split_password(url).0,
                tables,
            ));
        }
        major = server_major;
    }
    crate::kernel::files::private_dir(dir).map_err(|e| BackupError::io(dir, e))?;
    let done = fill(backup, dir, &manifest, opts, secrets.as_deref(), major).await;
    if let Err(e) = done {
        // Only what this restore made is removed.
        let _ = std::fs::remove_dir_all(dir);
        return Err(e);
    }
    Ok(Restored {
        dir: dir.to_path_buf(),
        backend: manifest.backend.clone(),
        migration: manifest.migration,
        files: manifest.files.len(),
        secrets_copied: secrets.is_some(),
    })
}

async fn fill(
    backup: &Path,
    dir: &Path,
    manifest: &Manifest,
    opts: &RestoreOptions,
    secrets: Option<&str>,
    major: i64,
) -> Result<(), BackupError> {
    let config = match &opts.database_url {
        Some(url) if manifest.backend == "postgres" => {
            pg::restore_into(url, &backup.join(PG_FILE), major).await?;
            format!("database_url = \"{url}\"\n")
        }
        _ => {
            let to = dir.join(SQLITE_FILE);
            std::fs::copy(backup.join(SQLITE_FILE), &to).map_err(|e| BackupError::io(&to, e))?;
            crate::kernel::files::private_sqlite(&to).map_err(|e| BackupError::io(&to, e))?;
            String::new()
        }
    };
    for folder in DATA_FOLDERS {
        let from = backup.join(folder);
        if from.is_dir() {
            super::copy_tree(&from, &dir.join(folder))?;
        }
    }
    let text = format!(
        "# Patron configuration, written by `patron restore` from a backup made {}.\n\
         # Settings of the old patron.toml (listen, public_url, [notify], …) are not in a backup:\n\
         # set them again here.\n{config}",
        manifest.made_at.format("%Y-%m-%d %H:%M:%S UTC"),
    );
    let p = dir.join(CONFIG_FILE);
    write_private(&p, &text).map_err(|e| BackupError::io(&p, e))?;
    if let Some(s) = secrets {
        let p = dir.join(SECRETS_FILE);
        write_private(&p, s).map_err(|e| BackupError::io(&p, e))?;
        Secrets::load(dir).map_err(|e| BackupError::Secrets(e.to_string()))?;
    }
    Ok(())
}
