//! Owner-only places on disk. The data directory holds the keys, the database (every member's
//! encrypted phone and ID next to their names, points and purchases) and the outbox file (the
//! texts of messages, a first password among them): none of it is for other users of the
//! machine, whatever the umask. Directories are made 0700 and files 0600; an existing one that
//! is more open is narrowed (never widened) when Patron opens it.

use std::path::Path;

/// Makes `dir` (and its missing parents) and leaves `dir` itself readable by its owner only.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    narrow(dir, 0o700)
}

/// Opens `path` for appending, creating it owner-only (0600) if it is missing.
pub fn append_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    narrow(path, 0o600)?;
    Ok(file)
}

/// Creates an empty owner-only file at `path` if there is none (SQLite takes an empty file for
/// a new database and gives its `-wal` and `-shm` files the database file's mode), and narrows
/// the database and those two files to 0600 where they exist.
pub fn private_sqlite(path: &Path) -> std::io::Result<()> {
    if !path.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(_) => {}
            // Another process made it in between: narrowed below like any existing one.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    narrow(path, 0o600)?;
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let side = Path::new(&name);
        if side.exists() {
            narrow(side, 0o600)?;
        }
    }
    Ok(())
}

/// Takes away every permission bit of `path` that `allowed` does not have.
fn narrow(path: &Path, allowed: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o7777;
        if mode & !allowed != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & allowed))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, allowed);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn a_directory_and_files_made_or_found_open_end_up_owner_only() {
        let root = std::env::temp_dir().join(format!("patron-files-{}", uuid::Uuid::new_v4()));
        let dir = root.join("data");
        private_dir(&dir).expect("dir");
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        private_dir(&dir).expect("dir again");
        assert_eq!(mode(&dir), 0o700);

        let db = dir.join("patron.db");
        private_sqlite(&db).expect("db");
        assert_eq!(mode(&db), 0o600);
        let wal = dir.join("patron.db-wal");
        std::fs::write(&wal, b"").expect("wal");
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        private_sqlite(&db).expect("db again");
        assert_eq!(mode(&wal), 0o600);

        let out = dir.join("2026-09-26.jsonl");
        drop(append_private(&out).expect("file"));
        assert_eq!(mode(&out), 0o600);
        std::fs::remove_dir_all(&root).ok();
    }
}
