//! `patron bench complaints`: the complaint clock job (`complaints-clocks`) over many open cases
//! (issue 15). Loads `complaints` open, routed cases at HQ with their acknowledge, route and
//! feedback clocks (every tenth acknowledge clock and every twentieth route clock past due and
//! unmet; every hundredth case received eleven days ago), then times the job's first run (each
//! breach recorded with its notice, the old cases made major) and a second run (nothing left to
//! do). Not a test.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, TimeZone, Utc};

use crate::areas::complaints::jobs::check_clocks;
use crate::areas::complaints::store::bench::{self as seed, BenchTimes};
use crate::kernel::clock::ManualClock;
use crate::kernel::config::Secrets;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::testing::TestBackend;

#[derive(Debug, Clone)]
pub struct ComplaintsBench {
    pub backend: TestBackend,
    pub complaints: u64,
}

#[derive(Debug, Clone)]
pub struct ComplaintsReport {
    pub backend: &'static str,
    pub complaints: i64,
    pub clocks: i64,
    pub load_secs: f64,
    pub first_secs: f64,
    pub first_done: u64,
    pub breaches: i64,
    pub second_secs: f64,
    pub second_done: u64,
}

impl std::fmt::Display for ComplaintsReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "patron bench complaints ({})", self.backend)?;
        writeln!(
            f,
            "loaded                 {} open complaints, {} clocks in {:.1} s",
            self.complaints, self.clocks, self.load_secs
        )?;
        writeln!(
            f,
            "clock job, first run   {:.2} s ({} breaches recorded or cases made major; {} breach rows)",
            self.first_secs, self.first_done, self.breaches
        )?;
        write!(
            f,
            "clock job, again       {:.3} s ({} changed: each breach is recorded once)",
            self.second_secs, self.second_done
        )
    }
}

pub async fn run_complaints(b: &ComplaintsBench) -> anyhow::Result<ComplaintsReport> {
    let (_tdb, db, config) = crate::bench::database(b.backend).await?;
    let now = Utc
        .with_ymd_and_hms(2026, 10, 16, 2, 0, 0)
        .single()
        .context("clock")?;
    let app = App::new(
        db.clone(),
        Arc::new(ManualClock::new(now)),
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
    let hq = crate::bench::create_hq(&cli)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .id;
    let times = BenchTimes {
        received: now - Duration::hours(2),
        old: now - Duration::days(11),
        due_past: now - Duration::minutes(30),
        met: now - Duration::minutes(100),
        due_future: now + Duration::hours(20),
    };
    let n = i64::try_from(b.complaints).unwrap_or(i64::MAX);
    let started = Instant::now();
    app.db
        .write(move |tx| {
            let times = times_copy(&times);
            Box::pin(async move { seed::load(tx, hq, n, &times).await })
        })
        .await?;
    let load_secs = started.elapsed().as_secs_f64();
    let (complaints, clocks) = app
        .db
        .write(|tx| {
            Box::pin(async move {
                Ok::<_, crate::kernel::db::DbError>((
                    seed::count(tx, "complaints").await?,
                    seed::count(tx, "complaint_clocks").await?,
                ))
            })
        })
        .await?;

    let started = Instant::now();
    let first = check_clocks(&cli, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let first_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let second = check_clocks(&cli, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let second_secs = started.elapsed().as_secs_f64();
    let breaches = app
        .db
        .write(|tx| Box::pin(async move { seed::count(tx, "complaint_breaches").await }))
        .await?;
    app.db.close().await;
    Ok(ComplaintsReport {
        backend: if app.db.backend() == crate::kernel::db::Backend::Postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        complaints,
        clocks,
        load_secs,
        first_secs,
        first_done: first.processed,
        breaches,
        second_secs,
        second_done: second.processed,
    })
}

fn times_copy(t: &BenchTimes) -> BenchTimes {
    BenchTimes {
        received: t.received,
        old: t.old,
        due_past: t.due_past,
        met: t.met,
        due_future: t.due_future,
    }
}
