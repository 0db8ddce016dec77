//! The reports' summaries, kept up by jobs: the points roll-up every minute (only the entries
//! since the last run) and the members' RFM figures once a day.

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobError, JobFuture, Progress, RunReport};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[
    Job {
        name: "reports-rollup",
        what: "count new points entries into the points-by-store-and-month figures (M2)",
        due: Due::EveryMinute,
        run: rollup,
    },
    Job {
        name: "reports-rfm",
        what: "make every member's recency, frequency and money figures for the RFM segments (M1)",
        due: Due::Daily { when: None },
        run: rfm,
    },
];

fn area(e: super::ReportError) -> JobError {
    JobError::Area(e.to_string())
}

fn rollup(ctx: &Ctx, today: NaiveDate, progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        let n = super::points::roll_up(ctx, progress).await.map_err(area)?;
        Ok(RunReport {
            job: "reports-rollup".into(),
            run_key: today.to_string(),
            processed: n,
            seen: n,
            already_done: false,
            failed: 0,
        })
    })
}

fn rfm(ctx: &Ctx, today: NaiveDate, progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        let (with, seen) = super::rfm::refresh(ctx, today, progress)
            .await
            .map_err(area)?;
        Ok(RunReport {
            job: "reports-rfm".into(),
            run_key: today.to_string(),
            processed: with,
            seen,
            already_done: false,
            failed: 0,
        })
    })
}
