//! The data-safety commands (SPEC N2, N3): `patron backup`, `patron restore BACKUP --dir NEWDIR`,
//! `patron import receipts FILE` and `patron import customers FILE`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::areas::backup::{self, Origin, RestoreOptions};
use crate::areas::members::import::BadRow;
use crate::web::i18n::Lang;

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `patron backup [--to DIR]`: makes, verifies and records a backup; fails unless verified.
pub async fn backup(dir: &Path, to: Option<&Path>) -> anyhow::Result<ExitCode> {
    let app = super::open(dir).await?;
    let ctx = super::cli_ctx(&app);
    let made = backup::back_up(&ctx, Origin::Cli, to).await;
    app.db.close().await;
    let made = made.map_err(|e| anyhow::anyhow!("backup failed: {e}"))?;
    for c in &made.checks {
        println!(
            "  {:<10} {}  {}",
            c.what,
            if c.ok { "ok " } else { "BAD" },
            c.detail
        );
    }
    println!(
        "backup {} ({:.1} MB in {:.1} s, migration {}): {}",
        made.path.display(),
        made.bytes as f64 / 1_048_576.0,
        made.duration_ms as f64 / 1000.0,
        made.migration,
        if made.verified {
            "verified"
        } else {
            "NOT verified"
        }
    );
    println!(
        "secrets.toml is not in the backup: keep it apart (without it the encrypted phones and ID numbers cannot be read)."
    );
    Ok(exit(made.verified))
}

/// `patron restore BACKUP --dir NEWDIR [--secrets FILE] [--database-url URL]`: then, with the
/// keys in place, `patron check`'s checks on the new directory.
pub async fn restore(
    from: &Path,
    dir: &Path,
    secrets: Option<PathBuf>,
    database_url: Option<String>,
) -> anyhow::Result<ExitCode> {
    let opts = RestoreOptions {
        secrets,
        database_url,
    };
    let done = backup::restore(from, dir, &opts)
        .await
        .map_err(|e| anyhow::anyhow!("restore refused: {e}"))?;
    println!(
        "restored a {} backup (migration {}, {} files) into {}",
        done.backend,
        done.migration,
        done.files,
        done.dir.display()
    );
    if !done.secrets_copied {
        println!(
            "copy the secrets.toml kept apart into {} (mode 600), then run `patron --dir {} check`",
            dir.display(),
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let app = super::open(dir).await?;
    let ok = super::audit_verify(&app).await?
        & super::points_verify(&app).await?
        & super::vouchers_verify(&app).await?;
    app.db.close().await;
    println!(
        "{}",
        if ok {
            "check: everything agrees"
        } else {
            "check: differences found"
        }
    );
    Ok(exit(ok))
}

/// Which import.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Receipts,
    Customers,
}

fn print_bad(bad: &[BadRow], rows: usize) {
    let en = Lang::En;
    for b in bad {
        println!("line {}: {}: {}", b.line, b.field, en.t(b.reason));
    }
    println!(
        "{} problems in {rows} rows: nothing was imported",
        bad.len()
    );
}

/// `patron import receipts|customers FILE`: the count imported, or every bad row.
pub async fn import(dir: &Path, file: &Path, store: &str, kind: Kind) -> anyhow::Result<ExitCode> {
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let name = file.to_string_lossy().to_string();
    let (header, rows) = crate::areas::members::import::read_file(&name, &bytes)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = super::open(dir).await?;
    let ctx = super::cli_ctx(&app);
    let ok = match kind {
        Kind::Receipts => {
            let r = crate::areas::points::import::import(&ctx, store, &header, &rows)
                .await
                .map_err(super::explain);
            let r = match r {
                Ok(r) => r,
                Err(e) => {
                    app.db.close().await;
                    return Err(e);
                }
            };
            if r.bad.is_empty() {
                println!(
                    "imported {} receipts ({} points) from {} rows; {} recorded before, left as they were",
                    r.imported, r.points, r.rows, r.repeats
                );
            } else {
                print_bad(&r.bad, r.rows);
            }
            r.bad.is_empty()
        }
        Kind::Customers => {
            let r = crate::areas::customers::files::import::import(&ctx, store, &header, &rows)
                .await
                .map_err(super::explain);
            let r = match r {
                Ok(r) => r,
                Err(e) => {
                    app.db.close().await;
                    return Err(e);
                }
            };
            if r.bad.is_empty() {
                println!("imported {} customers from {} rows", r.imported, r.rows);
            } else {
                print_bad(&r.bad, r.rows);
            }
            r.bad.is_empty()
        }
    };
    app.db.close().await;
    Ok(exit(ok))
}
