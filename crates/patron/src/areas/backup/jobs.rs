//! The scheduled backup (N2): once a day after the hour set in the console, when switched on;
//! then the scheduled backups beyond the newest N are removed.

use chrono::{NaiveDate, Timelike};

use crate::jobs::{Due, Job, JobError, JobFuture, Progress, RunReport};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "backup",
    what: "make and verify the daily backup, keep the newest N (N2)",
    due: Due::Daily {
        when: Some(switched_on_and_due),
    },
    run: backup,
}];

/// Due when the schedule is on and the hour set has come (store time zone).
fn switched_on_and_due(
    ctx: &Ctx,
    _today: NaiveDate,
) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + '_>> {
    Box::pin(async move {
        match super::store::settings(ctx.db()).await {
            Ok(s) => {
                s.enabled
                    && i64::from(ctx.now().with_timezone(&ctx.app.config.tz()).hour()) >= s.at_hour
            }
            Err(e) => {
                tracing::error!(error = %e, "backup settings unreadable");
                false
            }
        }
    })
}

fn backup(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        let area = |e: super::BackupError| JobError::Area(e.to_string());
        let made = super::back_up(ctx, super::Origin::Schedule, None)
            .await
            .map_err(area)?;
        let mut removed = 0;
        if made.verified {
            let keep = super::store::settings(ctx.db()).await?.keep;
            removed = super::prune(ctx, keep).await.map_err(area)?;
        }
        Ok(RunReport {
            job: "backup".into(),
            run_key: today.to_string(),
            processed: 1 + removed,
            seen: 1,
            already_done: false,
            failed: u64::from(!made.verified),
        })
    })
}
