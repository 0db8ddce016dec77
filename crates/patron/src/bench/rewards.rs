//! `patron bench rewards`: the month-end reward list (SPEC D2) over a database of many members.
//! Loads `members` members with active cards whose expiry dates are spread over two years and
//! whose balances are spread over 0–19,999 points (each with its opening entry and lot, so the
//! ledger agrees), then times the `reward-month-end` job for the last day of November 2026 —
//! the list of cards expiring in December that have reached a threshold. Not a test.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;

use crate::kernel::clock::SystemClock;
use crate::kernel::config::{Config, Secrets};
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::testing::{TestBackend, TestDb};
use crate::kernel::db::{Backend, DbError};

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
    let tdb = TestDb::new(b.backend)
        .await
        .context("making the bench database (PostgreSQL needs PATRON_TEST_PG)")?;
    let db = tdb.open().await?;
    let mut config = Config::load_from(&tdb.dir, figment::providers::Env::prefixed("PATRON_NONE_"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    config.database_url = tdb.url.clone();
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
    let store = crate::areas::staff::create_store(
        &ctx,
        &crate::areas::staff::StoreInput {
            code: "HQ".into(),
            name: "总部".into(),
            time_zone: "Asia/Shanghai".into(),
            active: true,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let pg = app.db.backend() == Backend::Postgres;

    let started = Instant::now();
    crate::bench::load_members(&app, store.id, b.members).await?;
    spread(&app, pg).await?;
    let load_secs = started.elapsed().as_secs_f64();
    eprintln!("loaded {} members in {load_secs:.1} s", b.members);

    let (expiring_next_month, expected_listed): (i64, i64) = crate::on_db!(app.db, |p| {
        sqlx::query_as(
            "select CAST(COUNT(*) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN m.points_balance >= 5000 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             from cards c join members m on m.id = c.member_id \
             where c.state = 'active' and c.expires_on >= $1 and c.expires_on <= $2",
        )
        .bind(NaiveDate::from_ymd_opt(2026, 12, 1))
        .bind(NaiveDate::from_ymd_opt(2026, 12, 31))
        .fetch_one(p)
        .await?
    });

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
    let listed: i64 = crate::on_db!(app.db, |p| {
        sqlx::query_scalar("select CAST(COUNT(*) AS BIGINT) from reward_list_rows")
            .fetch_one(p)
            .await?
    });
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
    let expiry: &'static str = if pg {
        "update cards set expires_on = (date '2026-12-01' \
         + make_interval(months => CAST(member_id % 24 AS INT), days => CAST(member_id % 28 AS INT)))::date"
    } else {
        "update cards set expires_on = date('2026-12-01', '+' || (member_id % 24) || ' months', \
         '+' || (member_id % 28) || ' days')"
    };
    let statements: [&'static str; 5] = [
        expiry,
        "update members set points_balance = (id * 7919) % 20000",
        "insert into point_entries (member_id, at, kind, points, balance_after, store_id, source_ref, note) \
         select id, created_at, 'opening', points_balance, points_balance, store_id, 'bench', 'opening balance' \
         from members where points_balance > 0",
        "insert into point_lots (member_id, expires_on, earned, remaining) \
         select id, '2027-12-31', points_balance, points_balance from members where points_balance > 0",
        "analyze",
    ];
    for sql in statements {
        let t = Instant::now();
        app.db
            .write(move |tx| {
                Box::pin(async move {
                    crate::on_tx!(tx, |c| {
                        sqlx::query(sql)
                            .execute(&mut *c)
                            .await
                            .map(|r| r.rows_affected())
                    })?;
                    Ok::<_, DbError>(())
                })
            })
            .await?;
        eprintln!(
            "  {:.1} s  {}",
            t.elapsed().as_secs_f64(),
            &sql[..40.min(sql.len())]
        );
    }
    Ok(())
}
