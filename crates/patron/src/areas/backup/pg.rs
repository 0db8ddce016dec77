//! PostgreSQL backups through the server's own tools: `pg_dump` (custom format, a consistent
//! snapshot while Patron serves) and `pg_restore`, of a major version at least the server's
//! (looked for in `PATRON_PG_BIN`, `/usr/lib/postgresql/<major>/bin`, then `PATH`). The
//! password of the database URL goes to the tools as `PGPASSWORD`, never on a command line.

use std::path::{Path, PathBuf};

use super::check::{self, CheckLine};
use super::{BackupError, store};
use crate::kernel::ctx::Ctx;
use crate::kernel::db::Db;

/// A URL without its password, and the password.
pub(super) fn split_password(url: &str) -> (String, Option<String>) {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let pw = u.password().map(percent_decode);
            let _ = u.set_password(None);
            (u.to_string(), pw)
        }
        Err(_) => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The major version a tool says it is (`pg_dump (PostgreSQL) 15.20 (Debian …)` → 15).
fn tool_major(path: &Path) -> Option<i64> {
    let out = std::process::Command::new(path)
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v = text
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    v.split('.').next()?.parse().ok()
}

/// The tool `name` that can work with a server of major version `server_major`.
pub(super) fn find_tool(name: &'static str, server_major: i64) -> Result<PathBuf, BackupError> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Ok(dir) = std::env::var("PATRON_PG_BIN")
        && !dir.is_empty()
    {
        candidates.push(Path::new(&dir).join(name));
    }
    candidates.push(PathBuf::from(format!(
        "/usr/lib/postgresql/{server_major}/bin/{name}"
    )));
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join(name)));
    }
    candidates
        .into_iter()
        .filter(|p| p.is_file())
        .find(|p| tool_major(p).is_some_and(|m| m >= server_major))
        .ok_or(BackupError::NoPgTool {
            tool: name,
            server_major,
        })
}

/// Runs a tool with the URL's password in its environment.
async fn run(
    tool: &'static str,
    path: &Path,
    args: Vec<String>,
    password: Option<String>,
) -> Result<String, BackupError> {
    let mut cmd = tokio::process::Command::new(path);
    cmd.args(&args);
    if let Some(pw) = password {
        cmd.env("PGPASSWORD", pw);
    }
    let out = cmd.output().await.map_err(|e| BackupError::io(path, e))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(BackupError::PgTool {
            tool,
            output: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// `pg_dump` of the database Patron runs on into `file`.
pub(super) async fn dump(ctx: &Ctx, file: &Path) -> Result<(), BackupError> {
    let (_, major) = store::pg_identity(ctx.db()).await?;
    let tool = find_tool("pg_dump", major)?;
    let (url, password) = split_password(&ctx.app.config.database_url());
    run(
        "pg_dump",
        &tool,
        vec![
            "--format=custom".into(),
            "--no-owner".into(),
            "--no-privileges".into(),
            format!("--file={}", file.display()),
            format!("--dbname={url}"),
        ],
        password,
    )
    .await?;
    Ok(())
}

/// `pg_restore` of `file` into the (empty) database at `url`.
pub(super) async fn restore_into(url: &str, file: &Path, major: i64) -> Result<(), BackupError> {
    let tool = find_tool("pg_restore", major)?;
    let (url, password) = split_password(url);
    run(
        "pg_restore",
        &tool,
        vec![
            "--no-owner".into(),
            "--no-privileges".into(),
            "--exit-on-error".into(),
            format!("--dbname={url}"),
            file.display().to_string(),
        ],
        password,
    )
    .await?;
    Ok(())
}

/// The archive is readable and lists the members' data; when a scratch database can be made on
/// the same server, the archive is restored there and checked like the live database.
pub(super) async fn verify(
    ctx: &Ctx,
    file: &Path,
    migration: i64,
) -> Result<Vec<CheckLine>, BackupError> {
    let db = ctx.db();
    let (name, major) = store::pg_identity(db).await?;
    let tool = find_tool("pg_restore", major)?;
    let list = run(
        "pg_restore",
        &tool,
        vec!["--list".into(), file.display().to_string()],
        None,
    )
    .await?;
    let mut lines = vec![CheckLine::new(
        "archive",
        list.contains("TABLE DATA public members"),
        format!(
            "{} entries",
            list.lines().filter(|l| !l.starts_with(';')).count()
        ),
    )];
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(30)
        .collect::<String>()
        .to_ascii_lowercase();
    let scratch = format!(
        "{safe}_verify_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    if let Err(e) = store::pg_database(db, &scratch, true).await {
        lines.push(CheckLine::new(
            "scratch",
            false,
            format!("no scratch database could be made to restore into ({e}); run the DBA's check"),
        ));
        return Ok(lines);
    }
    let checked = verify_in(ctx, file, &scratch, major, migration).await;
    store::pg_database(db, &scratch, false).await?;
    lines.extend(checked?);
    Ok(lines)
}

async fn verify_in(
    ctx: &Ctx,
    file: &Path,
    scratch: &str,
    major: i64,
    migration: i64,
) -> Result<Vec<CheckLine>, BackupError> {
    let mut url = url::Url::parse(&ctx.app.config.database_url())
        .map_err(|e| BackupError::Url(e.to_string()))?;
    url.set_path(&format!("/{scratch}"));
    restore_into(url.as_str(), file, major).await?;
    let copy = Db::connect_pg(url.as_str()).await?;
    let lines = check::on_copy(&copy, migration).await;
    copy.close().await;
    lines
}
