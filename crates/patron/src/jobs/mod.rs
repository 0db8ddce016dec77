//! Timed work (DESIGN.md): each job is idempotent and resumable, recorded in `job_runs` under a
//! run key (the business date, or the year for the annual review), and runs from the scheduler
//! inside `serve` or by hand with `patron job run NAME`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::areas::points::PointsError;
use crate::kernel::ctx::{Actor, App, Ctx};
use crate::kernel::db::{DbError, ts};
use crate::{on_db, on_tx};

/// The jobs there are, with what each does.
pub const JOBS: &[(&str, &str)] = &[
    (
        "points-expiry",
        "zero the points of lots past their expiry date (C6)",
    ),
    (
        "expiry-reminders",
        "tell members of points expiring within the reminder period (C6)",
    ),
    (
        "tier-review",
        "the annual tier review: downgrade by the configured rule (B7)",
    ),
    (
        "birthday-greetings",
        "queue a greeting for members whose birthday is today (L1, J3)",
    ),
    ("outbox-send", "send queued notifications (L1)"),
    (
        "groupbuy-daily-report",
        "store each store's 17:00 group-buy report and notice (E7)",
    ),
    (
        "reward-month-end",
        "store the list of cards expiring next month that reached a reward threshold (D2)",
    ),
    (
        "reward-slips-expiry",
        "expire reward slips past their validity, returning points by the rule (D4)",
    ),
    (
        "partner-contract-reminders",
        "remind the responsible staff of partner contracts ending soon; expire ended ones (G2)",
    ),
];

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
    #[error(transparent)]
    Points(#[from] PointsError),
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

/// Runs `job` for the business date `today`.
pub async fn run(
    app: &App,
    job: &str,
    today: NaiveDate,
    progress: Option<Progress>,
) -> Result<RunReport, JobError> {
    let ctx = system(app);
    // The outbox is drained every minute; its messages carry their own state, so it keeps no
    // run record.
    if job == "outbox-send" {
        let report = crate::notify::send::send_due(&ctx, progress).await?;
        return Ok(RunReport {
            job: job.into(),
            run_key: today.to_string(),
            ..report
        });
    }
    let run_key = match job {
        "tier-review" => today.year().to_string(),
        "points-expiry" | "expiry-reminders" | "birthday-greetings" | "groupbuy-daily-report" => {
            today.to_string()
        }
        "reward-month-end" | "reward-slips-expiry" | "partner-contract-reminders" => {
            today.to_string()
        }
        other => return Err(JobError::Unknown(other.to_string())),
    };
    if finished(app, job, &run_key).await? {
        return Ok(RunReport {
            job: job.into(),
            run_key,
            already_done: true,
            ..Default::default()
        });
    }
    start(app, job, &run_key).await?;
    let report = match job {
        "points-expiry" => crate::areas::points::expiry::expire(&ctx, today, progress).await?,
        "expiry-reminders" => crate::areas::points::expiry::remind(&ctx, today, progress).await?,
        "birthday-greetings" => {
            let report = crate::areas::members::birthdays::greet(&ctx, today).await?;
            // J3: the tier's birthday gift entitlement (unique per member and year).
            crate::areas::rewards::birthday::entitle(&ctx, today).await?;
            report
        }
        "groupbuy-daily-report" => crate::areas::groupbuy::report::run(&ctx, today)
            .await
            .map_err(|e| JobError::Other(e.to_string()))?,
        // Builds the list of the month after `today` (the scheduler runs it on the last day
        // of a month; by hand it runs for any date given).
        "reward-month-end" => {
            let s = crate::areas::rewards::lists::build_month_end(&ctx, today)
                .await
                .map_err(|e| JobError::Other(e.to_string()))?;
            RunReport {
                processed: u64::try_from(s.rows).unwrap_or(0),
                seen: u64::try_from(s.rows).unwrap_or(0),
                ..Default::default()
            }
        }
        "reward-slips-expiry" => crate::areas::rewards::slips::expire_due(&ctx, today)
            .await
            .map_err(|e| JobError::Other(e.to_string()))?,
        "partner-contract-reminders" => crate::areas::partners::reminders::run(&ctx, today)
            .await
            .map_err(|e| JobError::Other(e.to_string()))?,
        _ => crate::areas::points::review::review(&ctx, today, progress).await?,
    };
    finish(app, job, &run_key, &report).await?;
    Ok(RunReport {
        job: job.into(),
        run_key,
        ..report
    })
}

async fn finished(app: &App, job: &str, run_key: &str) -> Result<bool, DbError> {
    let status: Option<String> = on_db!(app.db, |p| {
        sqlx::query_scalar("select status from job_runs where job = $1 and run_key = $2")
            .bind(job)
            .bind(run_key)
            .fetch_optional(p)
            .await?
    });
    Ok(status.as_deref() == Some("finished"))
}

async fn start(app: &App, job: &str, run_key: &str) -> Result<(), DbError> {
    let (job, run_key, now) = (job.to_string(), run_key.to_string(), ts(app.clock.now()));
    app.db
        .write(move |tx| {
            let (job, run_key) = (job.clone(), run_key.clone());
            Box::pin(async move {
                on_tx!(tx, |c| {
                    sqlx::query(
                        "insert into job_runs (job, run_key, status, started_at) values ($1, $2, 'running', $3) \
                         on conflict (job, run_key) do update set status = 'running', started_at = excluded.started_at",
                    )
                    .bind(&job)
                    .bind(&run_key)
                    .bind(now)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                Ok::<_, DbError>(())
            })
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
                on_tx!(tx, |c| {
                    sqlx::query(
                        "update job_runs set status = 'finished', finished_at = $1, processed = $2, detail = $3 \
                         where job = $4 and run_key = $5",
                    )
                    .bind(now)
                    .bind(processed)
                    .bind(&detail)
                    .bind(&job)
                    .bind(&run_key)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
                })?;
                Ok::<_, DbError>(())
            })
        })
        .await
}

/// The scheduler inside `serve`: every minute it runs what is due. Daily jobs run once per
/// business date (after 00:05), the annual review on 1 January, the outbox every minute.
pub fn spawn_scheduler(app: App, mut stop: tokio::sync::watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            let today = app.clock.now().with_timezone(&app.config.tz()).date_naive();
            for job in [
                "points-expiry",
                "expiry-reminders",
                "birthday-greetings",
                "reward-slips-expiry",
                "partner-contract-reminders",
                "outbox-send",
            ] {
                if let Err(e) = run(&app, job, today, None).await {
                    tracing::error!(job, error = %e, "job failed");
                }
            }
            // The 17:00 report runs once the configured time has passed (E7).
            let report_due = match app.cache.groupbuy(&app.db).await {
                Ok(s) => app.clock.now().with_timezone(&app.config.tz()).time() >= s.report_time(),
                Err(e) => {
                    tracing::error!(error = %e, "group-buy settings unreadable");
                    false
                }
            };
            if report_due && let Err(e) = run(&app, "groupbuy-daily-report", today, None).await {
                tracing::error!(job = "groupbuy-daily-report", error = %e, "job failed");
            }
            if crate::areas::rewards::lists::is_month_end(today)
                && let Err(e) = run(&app, "reward-month-end", today, None).await
            {
                tracing::error!(job = "reward-month-end", error = %e, "job failed");
            }
            if today.month() == 1
                && today.day() == 1
                && let Err(e) = run(&app, "tier-review", today, None).await
            {
                tracing::error!(job = "tier-review", error = %e, "job failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
                _ = stop.changed() => break,
            }
        }
    });
}
