//! The partner desk's timed work: contract reminders and expiry (G2).

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobError, JobFuture, Progress};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "partner-contract-reminders",
    what: "remind the responsible staff of partner contracts ending soon; expire ended ones (G2)",
    due: Due::Daily { when: None },
    run: contract_reminders,
}];

fn contract_reminders(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        super::reminders::run(ctx, today)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}
