//! The gifts area's timed work: the birthday greetings with their gift entitlements (L1, J3).

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobFuture, Progress};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "birthday-greetings",
    what: "queue a greeting for members whose birthday is today (L1, J3)",
    due: Due::Daily { when: None },
    run: birthday_greetings,
}];

fn birthday_greetings(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        let report = crate::areas::members::birthdays::greet(ctx, today).await?;
        // J3: the tier's birthday gift entitlement (unique per member and year).
        super::birthday::entitle(ctx, today).await?;
        Ok(report)
    })
}
