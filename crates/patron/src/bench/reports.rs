//! `patron bench reports`: the reports over a large database (issue 17). Loads `members`
//! members over three stores (set-based SQL), `receipts` receipts over the first half of them
//! (the other half never buy: the dormant segment) and one points entry per receipt, then times
//! what the nightly and minute jobs do (the RFM figures, the points roll-up from nothing), each
//! report a manager opens (members by tier, store and month; the RFM segments; points by month
//! and store), an xlsx export of the dormant members (in a fresh process, `bench export-probe`,
//! which prints its peak resident set), and a verified backup. Not a test.

use std::sync::Arc;
use std::time::Instant;

use crate::areas::backup::{self, Origin};
use crate::areas::reports::exports::{self, SegmentExport};
use crate::areas::reports::{self, Params};
use crate::areas::staff::{self, StoreInput};
use crate::bench::store::backup::run as run_statement;
use crate::bench::store::reports as sql;
use crate::kernel::clock::SystemClock;
use crate::kernel::config::Secrets;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::Backend;
use crate::kernel::db::testing::TestBackend;
use crate::web::export::ExportFormat;
use crate::web::i18n::Lang;

#[derive(Debug, Clone)]
pub struct ReportsBench {
    pub backend: TestBackend,
    pub members: u64,
    pub receipts: u64,
    /// Skip the backup (it copies the whole database).
    pub no_backup: bool,
}

/// Rows per loading statement.
const CHUNK: u64 = 500_000;

async fn timed<T, F: Future<Output = anyhow::Result<T>>>(
    lines: &mut Vec<String>,
    what: &str,
    f: F,
) -> anyhow::Result<T> {
    let started = Instant::now();
    let out = f.await?;
    lines.push(format!(
        "{what:<44} {:>8.2} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(out)
}

async fn load(ctx: &Ctx, b: &ReportsBench, lines: &mut Vec<String>) -> anyhow::Result<()> {
    let db = ctx.db();
    let pg = db.backend() == Backend::Postgres;
    let mut stores = [0i64; 3];
    for (i, (code, name)) in [("HQ", "总部"), ("WFJ", "王府井店"), ("XD", "西单店")]
        .iter()
        .enumerate()
    {
        stores[i] = staff::create_store(
            ctx,
            &StoreInput {
                code: (*code).into(),
                name: (*name).into(),
                time_zone: "Asia/Shanghai".into(),
                active: true,
                email: String::new(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .id;
    }
    let run = |statement: String| run_statement(db, statement);
    let started = Instant::now();
    let mut done = 0;
    while done < b.members {
        let n = (b.members - done).min(CHUNK);
        run(sql::members_statement(pg, stores, done, n)).await?;
        done += n;
    }
    let first: i64 = crate::bench::store::min_member_id(db).await?;
    let members_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut done = 0;
    while done < b.receipts {
        let n = (b.receipts - done).min(CHUNK);
        run(sql::receipts_statement(pg, first, b.members / 2, done, n)).await?;
        done += n;
    }
    let receipts_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut done = 0;
    while done < b.receipts {
        let n = (b.receipts - done).min(CHUNK);
        run(sql::entries_statement(done, n)).await?;
        done += n;
    }
    let mut done = 0;
    while done < b.members {
        let n = (b.members - done).min(CHUNK);
        run(sql::balances_statement(first, done, n)).await?;
        run(sql::lots_statement(first, done, n)).await?;
        done += n;
    }
    lines.push(format!(
        "loaded {} members in {members_secs:.1} s, {} receipts in {receipts_secs:.1} s, \
         {} points entries and the balances in {:.1} s",
        b.members,
        b.receipts,
        b.receipts,
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

pub async fn run_reports(b: &ReportsBench) -> anyhow::Result<String> {
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
    let backend = if db.backend() == Backend::Postgres {
        "postgres"
    } else {
        "sqlite"
    };
    let mut lines = vec![format!("patron bench reports ({backend})")];
    load(&ctx, b, &mut lines).await?;
    let today = ctx.today();
    let err = |e: reports::ReportError| anyhow::anyhow!("{e}");
    timed(&mut lines, "job: RFM figures of every member", async {
        reports::rfm::refresh(&ctx, today, None).await.map_err(err)
    })
    .await?;
    timed(&mut lines, "job: points roll-up from nothing", async {
        reports::points::roll_up(&ctx, None).await.map_err(err)
    })
    .await?;
    let cases: [(&str, &str, &str); 6] = [
        ("members", "tier", "report: members by tier"),
        ("members", "store", "report: members by store"),
        ("members", "month", "report: members by month (growth)"),
        ("rfm", "segment", "report: RFM segments"),
        ("points", "month", "report: points liability by month"),
        ("points", "store", "report: points liability by store"),
    ];
    for (name, by, what) in cases {
        let def = reports::find(name).map_err(err)?;
        let params = Params {
            from: Some("2025-10-01".into()),
            by: Some(by.into()),
            ..Default::default()
        };
        let rows = timed(&mut lines, what, async {
            let (_, sheet) = reports::run(&ctx, def, &params, Lang::ZhCn)
                .await
                .map_err(err)?;
            Ok(sheet.rows.len())
        })
        .await?;
        if let Some(last) = lines.last_mut() {
            last.push_str(&format!("  ({rows} rows)"));
        }
    }
    // The export in a fresh process, as `patron report` or the server's background job would
    // run it: this process holds the load's caches, which say nothing about the export.
    let child = std::process::Command::new(std::env::current_exe()?)
        .args(["bench", "export-probe", "--url", &tdb.url, "--dir"])
        .arg(&tdb.dir)
        .output()?;
    anyhow::ensure!(
        child.status.success(),
        "the export probe failed: {}",
        String::from_utf8_lossy(&child.stderr)
    );
    lines.extend(
        String::from_utf8_lossy(&child.stdout)
            .lines()
            .map(str::to_string),
    );
    if !b.no_backup {
        let made = timed(&mut lines, "backup (verified)", async {
            backup::back_up(&ctx, Origin::Cli, Some(&tdb.dir.join("backups")))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
        })
        .await?;
        lines.push(format!(
            "  {:.1} MB, verified: {}",
            made.bytes as f64 / 1_048_576.0,
            made.verified
        ));
        for c in made.checks.iter().filter(|c| !c.ok) {
            lines.push(format!("  check {}: {}", c.what, c.detail));
        }
    }
    db.close().await;
    Ok(lines.join("\n"))
}

/// `patron bench export-probe`: the dormant members' xlsx export over the bench database at
/// `url`, in this (fresh) process; its time, rows, size and the process's resident set before
/// and at its peak.
pub async fn export_probe(url: &str, dir: &std::path::Path) -> anyhow::Result<String> {
    let mut config = crate::kernel::config::Config::load_from(
        dir,
        figment::providers::Env::prefixed("PATRON_NONE_"),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    config.database_url = url.to_string();
    let db = crate::kernel::db::Db::open_url(url).await?;
    let app = App::new(
        db.clone(),
        Arc::new(SystemClock),
        config,
        Secrets::generate(),
    );
    let ctx = Ctx::new(
        app,
        Actor::Cli {
            os_user: "bench".into(),
        },
        None,
    );
    let err = |e: reports::ReportError| anyhow::anyhow!("{e}");
    let before = crate::bench::memory_mb("VmRSS:");
    let spec = SegmentExport {
        segment: "dormant".into(),
        store: String::new(),
    };
    let mut lines = Vec::new();
    let made = timed(
        &mut lines,
        "export: dormant members as xlsx (fresh process)",
        async {
            let id = exports::record(&ctx, &spec, ExportFormat::Xlsx, Lang::ZhCn)
                .await
                .map_err(err)?;
            exports::write(&ctx, id, &spec, None).await.map_err(err)
        },
    )
    .await?;
    lines.push(format!(
        "  {} rows, {:.1} MB file; process RSS {before:.0} MB before, peak {:.0} MB",
        made.rows_done,
        made.bytes as f64 / 1_048_576.0,
        crate::bench::memory_mb("VmHWM:")
    ));
    db.close().await;
    Ok(lines.join("\n"))
}
