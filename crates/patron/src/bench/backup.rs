//! `patron bench backup`: a backup of a large database. Loads `members` members (the pos
//! bench's loader) and `receipts` receipts spread over them (set-based SQL, a year back), then
//! times `patron backup` — the copy (SQLite `VACUUM INTO`, PostgreSQL `pg_dump`), its
//! verification (integrity, migration version, `patron check`'s checks on the copy) and the
//! manifest's digests — and prints the size. Not a test.

use std::sync::Arc;
use std::time::Instant;

use crate::areas::backup::{self, Origin};
use crate::bench::store::backup as bench_store;
use crate::kernel::clock::SystemClock;
use crate::kernel::config::Secrets;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::Backend;
use crate::kernel::db::testing::TestBackend;

#[derive(Debug, Clone)]
pub struct BackupBench {
    pub backend: TestBackend,
    pub members: u64,
    pub receipts: u64,
}

#[derive(Debug, Clone)]
pub struct BackupReport {
    pub backend: &'static str,
    pub members: u64,
    pub receipts: u64,
    pub load_secs: f64,
    pub backup_secs: f64,
    pub bytes: u64,
    pub verified: bool,
    pub checks: Vec<String>,
}

impl std::fmt::Display for BackupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "patron bench backup ({})", self.backend)?;
        writeln!(
            f,
            "data        {} members, {} receipts (loaded in {:.1} s)",
            self.members, self.receipts, self.load_secs
        )?;
        writeln!(
            f,
            "backup      {:.1} s, {:.1} MB, verified: {}",
            self.backup_secs,
            self.bytes as f64 / 1_048_576.0,
            self.verified
        )?;
        for c in &self.checks {
            writeln!(f, "  {c}")?;
        }
        Ok(())
    }
}

pub async fn run_backup(b: &BackupBench) -> anyhow::Result<BackupReport> {
    let (tdb, db, config) = crate::bench::database(b.backend).await?;
    let app = App::new(
        db.clone(),
        Arc::new(SystemClock),
        config,
        Secrets::generate(),
    );
    let ctx = Ctx::new(
        app.clone(),
        Actor::Cli {
            os_user: "bench".into(),
        },
        None,
    );
    let store = crate::bench::create_hq(&ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    crate::bench::load_members(&app, store.id, b.members).await?;
    let pg = db.backend() == Backend::Postgres;
    let mut done = 0;
    while done < b.receipts {
        let n = (b.receipts - done).min(200_000);
        let sql = bench_store::receipts_statement(pg, store.id, b.members, done, n);
        db.write(move |tx| {
            let sql = sql.clone();
            Box::pin(async move { bench_store::execute(tx, &sql).await })
        })
        .await?;
        done += n;
    }
    let load_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let made = backup::back_up(&ctx, Origin::Cli, Some(&tdb.dir.join("backups")))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let backup_secs = started.elapsed().as_secs_f64();
    db.close().await;
    Ok(BackupReport {
        backend: if pg { "postgres" } else { "sqlite" },
        members: b.members,
        receipts: b.receipts,
        load_secs,
        backup_secs,
        bytes: made.bytes,
        verified: made.verified,
        checks: made
            .checks
            .iter()
            .map(|c| {
                format!(
                    "{:<10} {} {}",
                    c.what,
                    if c.ok { "ok " } else { "BAD" },
                    c.detail
                )
            })
            .collect(),
    })
}
