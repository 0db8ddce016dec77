//! Timed work (DESIGN.md): each job is idempotent and resumable, recorded in `job_runs` under a
//! run key (the business date, or the year for the annual review), and runs from the scheduler
//! inside `serve` or by hand with `patron job run NAME`.

mod store;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::{DbError, ts};

/// A job's work, boxed so that a registry can hold every area's jobs in one list.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<RunReport, JobError>> + Send + 'a>>;

/// A check of whether a daily job is due yet on its business date (besides not having run).
pub type DueCheck =
    for<'a> fn(&'a Ctx, NaiveDate) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>>;

/// When the scheduler runs a job.
#[derive(Clone, Copy)]
pub enum Due {
    /// Every minute; it keeps no run record (its items carry their own state).
    EveryMinute,
    /// Once per business date (after 00:05), when `when` (if any) says it is due.
    Daily { when: Option<DueCheck> },
    /// Once a year, on 1 January; its run key is the year.
    Yearly,
}

/// A timed job an area declares in its `JOBS` list.
#[derive(Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    /// What it does, with the SPEC item (shown by `patron job list`).
    pub what: &'static str,
    pub due: Due,
    pub run: for<'a> fn(&'a Ctx, NaiveDate, Option<Progress>) -> JobFuture<'a>,
}

impl Job {
    fn run_key(&self, today: NaiveDate) -> String {
        match self.due {
            Due::Yearly => today.year().to_string(),
            Due::EveryMinute | Due::Daily { .. } => today.to_string(),
        }
    }
}

/// The job called `name` in `jobs`, or `JobError::Unknown`.
pub fn find<'j>(jobs: &'j [Job], name: &str) -> Result<&'j Job, JobError> {
    jobs.iter()
        .find(|j| j.name == name)
        .ok_or_else(|| JobError::Unknown(name.to_string()))
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    pub job: String,
    pub run_key: String,
    /// Items changed (lots expired, reminders queued, members moved, messages sent).
    pub processed: u64,
    /// Items looked at.
    pub seen: u64,
    /// The run had finished before: nothing was done.
    pub already_done: bool,
    pub failed: u64,
}

/// Progress callback: (done, total).
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("no job called {0:?}")]
    Unknown(String),
    /// An area's own error, as its message (each area converts its error enum).
    #[error("{0}")]
    Area(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Other(String),
}

impl From<sqlx::Error> for JobError {
    fn from(e: sqlx::Error) -> Self {
        JobError::Db(e.into())
    }
}

impl crate::kernel::db::WriteError for JobError {
    fn is_retryable(&self) -> bool {
        matches!(self, JobError::Db(e) if e.is_retryable())
    }
}

fn system(app: &App) -> Ctx {
    Ctx::new(app.clone(), Actor::System, None)
}

/// Runs the job called `name` of `jobs` for the business date `today`. An unknown name is an
/// error, never another job.
pub async fn run(
    app: &App,
    jobs: &[Job],
    name: &str,
    today: NaiveDate,
    progress: Option<Progress>,
) -> Result<RunReport, JobError> {
    let job = find(jobs, name)?;
    let ctx = system(app);
    let run_key = job.run_key(today);
    if matches!(job.due, Due::EveryMinute) {
        let report = (job.run)(&ctx, today, progress).await?;
        return Ok(RunReport {
            job: name.into(),
            run_key,
            ..report
        });
    }
    if finished(app, name, &run_key).await? {
        return Ok(RunReport {
            job: name.into(),
            run_key,
            already_done: true,
            ..Default::default()
        });
    }
    start(app, name, &run_key).await?;
    let report = (job.run)(&ctx, today, progress).await?;
    finish(app, name, &run_key, &report).await?;
    Ok(RunReport {
        job: name.into(),
        run_key,
        ..report
    })
}

async fn finished(app: &App, job: &str, run_key: &str) -> Result<bool, DbError> {
    let status = store::status(&app.db, job, run_key).await?;
    Ok(status.as_deref() == Some("finished"))
}

async fn start(app: &App, job: &str, run_key: &str) -> Result<(), DbError> {
    let (job, run_key, now) = (job.to_string(), run_key.to_string(), ts(app.clock.now()));
    app.db
        .write(move |tx| {
            let (job, run_key) = (job.clone(), run_key.clone());
            Box::pin(async move { store::mark_running(tx, &job, &run_key, now).await })
        })
        .await
}

async fn finish(app: &App, job: &str, run_key: &str, report: &RunReport) -> Result<(), DbError> {
    let (job, run_key, now) = (job.to_string(), run_key.to_string(), ts(app.clock.now()));
    let processed = i64::try_from(report.processed).unwrap_or(i64::MAX);
    let detail = serde_json::to_string(report).unwrap_or_default();
    app.db
        .write(move |tx| {
            let (job, run_key, detail) = (job.clone(), run_key.clone(), detail.clone());
            Box::pin(async move {
                store::mark_finished(tx, &job, &run_key, now, processed, &detail).await
            })
        })
        .await
}

/// The scheduler inside `serve`: every minute it runs what is due of `jobs`. Daily jobs run once
/// per business date (after 00:05), yearly ones on 1 January, the every-minute ones (the outbox)
/// last, so that what the others queued goes out in the same minute.
pub fn spawn_scheduler(
    app: App,
    jobs: &'static [Job],
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        loop {
            let today = app.clock.now().with_timezone(&app.config.tz()).date_naive();
            let ctx = system(&app);
            let mut due = Vec::new();
            for job in jobs {
                let now = match job.due {
                    Due::EveryMinute => false,
                    Due::Daily { when: None } => true,
                    Due::Daily { when: Some(check) } => check(&ctx, today).await,
                    Due::Yearly => today.month() == 1 && today.day() == 1,
                };
                if now {
                    due.push(job.name);
                }
            }
            due.extend(
                jobs.iter()
                    .filter(|j| matches!(j.due, Due::EveryMinute))
                    .map(|j| j.name),
            );
            for name in due {
                if let Err(e) = run(&app, jobs, name, today, None).await {
                    tracing::error!(job = name, error = %e, "job failed");
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
                _ = stop.changed() => break,
            }
        }
    });
}
