//! The reward desk's timed work: the month-end list (D2) and slip expiry (D4).

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobError, JobFuture, Progress, RunReport};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[
    Job {
        name: "reward-month-end",
        what: "store the list of cards expiring next month that reached a reward threshold (D2)",
        due: Due::Daily {
            when: Some(last_day_of_month),
        },
        run: month_end,
    },
    Job {
        name: "reward-slips-expiry",
        what: "expire reward slips past their validity, returning points by the rule (D4)",
        due: Due::Daily { when: None },
        run: slips_expiry,
    },
];

fn last_day_of_month(
    _ctx: &Ctx,
    today: NaiveDate,
) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + '_>> {
    Box::pin(async move { crate::kernel::dates::is_month_end(today) })
}

/// Builds the list of the month after `today` (the scheduler runs it on the last day of a
/// month; by hand it runs for any date given).
fn month_end(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        let s = super::lists::build_month_end(ctx, today)
            .await
            .map_err(|e| JobError::Area(e.to_string()))?;
        let rows = u64::try_from(s.rows).unwrap_or(0);
        Ok(RunReport {
            // A list another run built already is not this run's work.
            processed: if s.already_built { 0 } else { rows },
            seen: rows,
            ..Default::default()
        })
    })
}

fn slips_expiry(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        super::slips::expire_due(ctx, today)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}
