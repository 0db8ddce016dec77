//! Timed work of plans and targets: freezing the month before's actuals (A4). The job is due
//! every day: on the 1st it freezes the month just ended, and if the server was down on the 1st
//! the next day's run does it (a month already frozen is left as it is, so the other days' runs
//! write nothing).

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobError, JobFuture, Progress};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "plans-freeze-targets",
    what: "freeze the month before's actuals against its targets at every store (A4, B1)",
    due: Due::Daily { when: None },
    run: freeze_targets,
}];

/// Freezes the month before `today`'s, at each store where it is not frozen yet (by hand it runs
/// for any date given).
fn freeze_targets(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        super::freeze(ctx, &crate::kernel::dates::previous_month(today))
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}
