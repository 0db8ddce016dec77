//! Timed work of plans and targets: freezing the month before's actuals on the 1st (A4).

use chrono::{Datelike, NaiveDate};

use crate::jobs::{Due, Job, JobError, JobFuture, Progress};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "plans-freeze-targets",
    what: "freeze the month before's actuals against its targets at every store (A4, B1)",
    due: Due::Daily {
        when: Some(first_day_of_month),
    },
    run: freeze_targets,
}];

fn first_day_of_month(
    _ctx: &Ctx,
    today: NaiveDate,
) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + '_>> {
    Box::pin(async move { today.day() == 1 })
}

/// Freezes the month before `today`'s (the scheduler runs it on the 1st; by hand it runs for any
/// date given, and a month already frozen is left as it is).
fn freeze_targets(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        super::freeze(ctx, &crate::kernel::dates::previous_month(today))
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}
