//! The group-buy desk's timed work: the 17:00 daily report (E7).

use chrono::NaiveDate;

use crate::jobs::{Due, Job, JobError, JobFuture, Progress};
use crate::kernel::ctx::Ctx;

pub const JOBS: &[Job] = &[Job {
    name: "groupbuy-daily-report",
    what: "store each store's 17:00 group-buy report and notice (E7)",
    due: Due::Daily {
        when: Some(report_time_passed),
    },
    run: daily_report,
}];

/// The report runs once the configured time of day has passed.
fn report_time_passed(
    ctx: &Ctx,
    _today: NaiveDate,
) -> std::pin::Pin<Box<dyn Future<Output = bool> + Send + '_>> {
    Box::pin(async move {
        match ctx
            .app
            .cache
            .get::<crate::areas::groupbuy::settings::GroupBuySettings>(ctx.db())
            .await
        {
            Ok(s) => ctx.now().with_timezone(&ctx.app.config.tz()).time() >= s.report_time(),
            Err(e) => {
                tracing::error!(error = %e, "group-buy settings unreadable");
                false
            }
        }
    })
}

fn daily_report(ctx: &Ctx, today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        super::report::run(ctx, today)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}
