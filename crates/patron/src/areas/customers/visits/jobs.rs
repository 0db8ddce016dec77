//! Timed jobs of this topic: opening the directory review round in February and August (F7).

use chrono::{Datelike, NaiveDate};

use crate::jobs::{Due, Job, JobError, JobFuture, Progress, RunReport};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "customers-directory-review",
    what: "open the half-year directory review round on 1 February and 1 August (F7)",
    due: Due::Daily {
        when: Some(review_month),
    },
    run: directory_review,
}];

fn review_month(
    _ctx: &Ctx,
    today: NaiveDate,
) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + '_>> {
    Box::pin(async move { matches!(today.month(), 2 | 8) })
}

/// Opens the round of `today`'s half-year when `today` is in February or August (a round is
/// opened once: a second run, or a manager's opening before it, changes nothing).
fn directory_review(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        if !matches!(today.month(), 2 | 8) {
            return Ok(RunReport::default());
        }
        let o = super::review::open_round(ctx, today)
            .await
            .map_err(|e| JobError::Area(e.to_string()))?;
        Ok(RunReport {
            processed: o.added,
            seen: o.added,
            ..Default::default()
        })
    })
}
