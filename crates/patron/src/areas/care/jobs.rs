//! Timed work of care: the every-minute care job (J2) — new purchases of top members become
//! schedules, due steps become tasks (see `schedule.rs` for why it is safe to run twice).

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobError, JobFuture, Progress, RunReport};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "care-schedule",
    what: "schedule the 3-3-2-1-4-6-9 care steps of top members' purchases and make due steps tasks (J2)",
    due: Due::EveryMinute,
    run: care_schedule,
}];

fn care_schedule(ctx: &Ctx, _today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        let w = super::schedule::run(ctx)
            .await
            .map_err(|e| JobError::Area(e.to_string()))?;
        Ok(RunReport {
            processed: w.scheduled + w.tasks,
            seen: w.receipts + w.schedules_worked,
            ..Default::default()
        })
    })
}
