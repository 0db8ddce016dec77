//! `patron bench care`: the care job (J2) over about a million scheduled steps (issue 15).
//! Loads `members` platinum members and `purchases` till receipts spread over the 300 days
//! before 2027-08-01 10:00 Beijing time, then, with the clock there, times one run of the job —
//! the intake (one schedule of seven steps per receipt, the member's older calls superseded)
//! and every step due by then made a task (messages queued or skipped, calls opened) — and a
//! second run, which finds nothing new (the minute's tick once caught up). Not a test.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{TimeZone, Utc};

use crate::areas::care::schedule;
use crate::bench::store::care as seed;
use crate::kernel::clock::ManualClock;
use crate::kernel::config::Secrets;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::Backend;
use crate::kernel::db::testing::TestBackend;

#[derive(Debug, Clone)]
pub struct CareBench {
    pub backend: TestBackend,
    pub members: u64,
    pub purchases: u64,
}

#[derive(Debug, Clone)]
pub struct CareReport {
    pub backend: &'static str,
    pub purchases: i64,
    pub load_secs: f64,
    pub schedules: i64,
    pub steps: i64,
    pub intake_secs: f64,
    pub tasks: i64,
    pub messages: i64,
    pub due_secs: f64,
    pub again_secs: f64,
}

impl std::fmt::Display for CareReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "patron bench care ({})", self.backend)?;
        writeln!(
            f,
            "loaded                    {} till receipts of platinum members in {:.1} s",
            self.purchases, self.load_secs
        )?;
        writeln!(
            f,
            "intake                    {:.2} s ({} schedules = {} scheduled steps)",
            self.intake_secs, self.schedules, self.steps
        )?;
        writeln!(
            f,
            "due steps made tasks      {:.2} s ({} tasks, {} messages queued)",
            self.due_secs, self.tasks, self.messages
        )?;
        write!(
            f,
            "the job again             {:.3} s (nothing new: every receipt and step done once)",
            self.again_secs
        )
    }
}

pub async fn run_care(b: &CareBench) -> anyhow::Result<CareReport> {
    let (_tdb, db, config) = crate::bench::database(b.backend).await?;
    let at = Utc
        .with_ymd_and_hms(2027, 8, 1, 2, 0, 0)
        .single()
        .context("clock")?;
    let app = App::new(
        db.clone(),
        Arc::new(ManualClock::new(at)),
        config,
        Secrets::generate(),
    );
    let cli = Ctx::new(
        app.clone(),
        Actor::Cli {
            os_user: "bench".into(),
        },
        None,
    );
    crate::bench::create_hq(&cli)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let pg = app.db.backend() == Backend::Postgres;
    let started = Instant::now();
    for sql in seed::load_statements(pg, b.members.max(1), b.purchases) {
        let t = Instant::now();
        app.db
            .write(move |tx| {
                let sql = sql.clone();
                Box::pin(async move { crate::bench::store::customers::execute(tx, &sql).await })
            })
            .await?;
        eprintln!("  {:.1} s  loaded", t.elapsed().as_secs_f64());
    }
    let load_secs = started.elapsed().as_secs_f64();
    let system = Ctx::new(app.clone(), Actor::System, None);
    let fail = |e: crate::areas::care::CareError| anyhow::anyhow!("{e}");

    let started = Instant::now();
    schedule::intake(&system).await.map_err(fail)?;
    let intake_secs = started.elapsed().as_secs_f64();
    let schedules = seed::count(&app.db, "care_schedules").await?;

    let started = Instant::now();
    schedule::work_due(&system).await.map_err(fail)?;
    let due_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let again = schedule::run(&system).await.map_err(fail)?;
    let again_secs = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        again.scheduled == 0 && again.tasks == 0,
        "the second run did something: {again:?}"
    );
    let report = CareReport {
        backend: if pg { "PostgreSQL" } else { "SQLite" },
        purchases: i64::try_from(b.purchases).unwrap_or(i64::MAX),
        load_secs,
        schedules,
        steps: schedules * 7,
        intake_secs,
        tasks: seed::count(&app.db, "care_tasks").await?,
        messages: seed::count(&app.db, "outbox").await?,
        due_secs,
        again_secs,
    };
    app.db.close().await;
    Ok(report)
}
