//! The points area's timed work (C6 expiry and reminders, B7 the annual tier review).

use chrono::NaiveDate;

use super::{expiry, review};
use crate::jobs::{Due, Job, JobError, JobFuture, Progress};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[
    Job {
        name: "points-expiry",
        what: "zero the points of lots past their expiry date (C6)",
        due: Due::Daily { when: None },
        run: points_expiry,
    },
    Job {
        name: "expiry-reminders",
        what: "tell members of points expiring within the reminder period (C6)",
        due: Due::Daily { when: None },
        run: expiry_reminders,
    },
    Job {
        name: "tier-review",
        what: "the annual tier review: downgrade by the configured rule (B7)",
        due: Due::Yearly,
        run: tier_review,
    },
];

fn points_expiry(ctx: &Ctx, today: NaiveDate, progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        expiry::expire(ctx, today, progress)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}

fn expiry_reminders(ctx: &Ctx, today: NaiveDate, progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        expiry::remind(ctx, today, progress)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}

fn tier_review(ctx: &Ctx, today: NaiveDate, progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        review::review(ctx, today, progress)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}
