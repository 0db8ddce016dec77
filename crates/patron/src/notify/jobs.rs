//! The outbox's timed work: send what is queued (L1).

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobFuture, Progress};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "outbox-send",
    what: "send queued notifications (L1)",
    due: Due::EveryMinute,
    run: outbox_send,
}];

/// The outbox is drained every minute; its messages carry their own state, so it keeps no run
/// record.
fn outbox_send(ctx: &Ctx, _today: NaiveDate, progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(super::send::send_due(ctx, progress))
}
