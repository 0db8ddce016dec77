//! `patron bench rewards`: the month-end reward list (SPEC D2) over a database of many members.
//! Loads `members` members with active cards whose expiry dates are spread over two years and
//! whose balances are spread over 0–19,999 points (each with its opening entry and lot, so the
//! ledger agrees), then times the `reward-month-end` job for the last day of November 2026 —
//! the list of cards expiring in December that have reached a threshold. Not a test.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;

use crate::bench::store as bench_store;
use crate::kernel::clock::SystemClock;
use crate::kernel::config::Secrets;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::Backend;
use crate::kernel::db::testing::TestBackend;

#[derive(Debug, Clone)]
pub struct RewardsBench {
    pub backend: TestBackend,
    pub members: u64,
}

#[derive(Debug, Clone)]
pub struct RewardsReport {
    pub backend: &'static str,
    pub members: u64,
    pub load_secs: f64,
    pub expiring_next_month: i64,
    pub expected_listed: i64,
    pub job_secs: f64,
    pub job_processed: u64,
    pub listed: i64,
    pub repeat_secs: f64,
}

impl std::fmt::Display for RewardsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "patron bench rewards ({})", self.backend)?;
        writeln!(
            f,
            "members                    {} (loaded in {:.1} s)",
            self.members, self.load_secs
        )?;
        writeln!(
            f,
            "cards expiring next month  {} ({} at a threshold, counted by SQL here)",
            self.expiring_next_month, self.expected_listed
        )?;
        writeln!(
            f,
            "month-end list job         {:.2} s ({} rows stored, job reported {})",
            self.job_secs, self.listed, self.job_processed
        )?;
        write!(
            f,
            "the same job again         {:.3} s (a finished run is not repeated)",
            self.repeat_secs
        )
    }
}

pub async fn run_rewards(b: &RewardsBench) -> anyhow::Result<RewardsReport> {
    let (_tdb, db, config) = crate::bench::database(b.backend).await?;
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
    let pg = app.db.backend() == Backend::Postgres;

    let started = Instant::now();
    crate::bench::load_members(&app, store.id, b.members).await?;
    spread(&app, pg).await?;
    let load_secs = started.elapsed().as_secs_f64();
    eprintln!("loaded {} members in {load_secs:.1} s", b.members);

    let (expiring_next_month, expected_listed) = bench_store::cards_expiring(
        &app.db,
        NaiveDate::from_ymd_opt(2026, 12, 1),
        NaiveDate::from_ymd_opt(2026, 12, 31),
    )
    .await?;

    let month_end = NaiveDate::from_ymd_opt(2026, 11, 30).context("date")?;
    let started = Instant::now();
    let report = crate::app::jobs::run(&app, "reward-month-end", month_end, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let job_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    crate::app::jobs::run(&app, "reward-month-end", month_end, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let repeat_secs = started.elapsed().as_secs_f64();
    let listed = bench_store::reward_list_rows(&app.db).await?;
    app.db.close().await;
    Ok(RewardsReport {
        backend: if pg { "PostgreSQL" } else { "SQLite" },
        members: b.members,
        load_secs,
        expiring_next_month,
        expected_listed,
        job_secs,
        job_processed: report.processed,
        listed,
        repeat_secs,
    })
}

/// Spreads card expiry over 24 months from December 2026 and balances over 0–19,999 points,
/// with an opening ledger entry and one lot per member, in set-based statements.
async fn spread(app: &App, pg: bool) -> anyhow::Result<()> {
    for sql in bench_store::spread_statements(pg) {
        let t = Instant::now();
        app.db
            .write(move |tx| Box::pin(async move { bench_store::execute(tx, sql).await }))
            .await?;
        eprintln!(
            "  {:.1} s  {}",
            t.elapsed().as_secs_f64(),
            &sql[..40.min(sql.len())]
        );
    }
    Ok(())
}
