//! Timed jobs of this topic: the shared pool's returns and warnings, and linking group-buy sales
//! to customer files (F1, F2).

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobError, JobFuture, Progress};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[
    Job {
        name: "customers-pool-return",
        what: "return customers not contacted in time to the shared pool; warn their owners days before (F2)",
        due: Due::Daily { when: None },
        run: pool_return,
    },
    Job {
        name: "customers-link-sales",
        what: "link group-buy buyers recorded earlier to customer files by organisation name (F1)",
        due: Due::Daily { when: None },
        run: link_sales,
    },
];

fn pool_return(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        super::pool::return_to_pool(ctx, today)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}

fn link_sales(ctx: &Ctx, _today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        super::pool::link_sales(ctx)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}
