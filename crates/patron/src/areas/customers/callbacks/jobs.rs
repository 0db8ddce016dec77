//! Timed jobs of callbacks: the holiday call campaigns (F3).

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobError, JobFuture, Progress};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "customers-holiday-campaigns",
    what: "build the holiday call list and schedule of each festival 22 days before it (F3)",
    due: Due::Daily { when: None },
    run: holiday_campaigns,
}];

fn holiday_campaigns(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        super::campaigns::run(ctx, today)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}
