//! Timed work of complaints: the clock check every minute (breaches recorded once, the store
//! told; cases unresolved after `escalate_days` made major) and the daily archive of closed
//! cases older than the retention period (two years by default).

use chrono::{Months, NaiveDate, TimeDelta};

use super::clocks::{self, Settings};
use super::{ComplaintError, steps, store};
use crate::jobs::{Due, Job, JobError, JobFuture, Progress, RunReport};
use crate::kernel::ctx::Ctx;

/// Clocks (or cases) handled per write.
const BATCH: i64 = 500;

pub const JOBS: &[Job] = &[
    Job {
        name: "complaints-clocks",
        what: "record each complaint clock that ran out (once) and tell the store; make cases unresolved after 10 days major (I2, I3)",
        due: Due::EveryMinute,
        run: clocks_job,
    },
    Job {
        name: "complaints-archive",
        what: "move closed complaints older than two years out of the working lists; breaches and the audit log stay (I5)",
        due: Due::Daily { when: None },
        run: archive_job,
    },
];

fn clocks_job(ctx: &Ctx, _today: NaiveDate, progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        check_clocks(ctx, progress)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}

fn archive_job(ctx: &Ctx, _today: NaiveDate, _progress: Option<Progress>) -> JobFuture<'_> {
    Box::pin(async move {
        archive(ctx)
            .await
            .map_err(|e| JobError::Area(e.to_string()))
    })
}

/// Records every breach due by now and escalates overdue cases. Safe to run twice or on two
/// instances at once: each breach is a guarded update plus a row keyed by its clock.
pub async fn check_clocks(
    ctx: &Ctx,
    progress: Option<Progress>,
) -> Result<RunReport, ComplaintError> {
    let mut report = RunReport::default();
    let now = ctx.now();
    let names: std::collections::HashMap<String, String> = store::departments(ctx.db())
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    let mut after = 0;
    loop {
        let due = store::due_clocks(ctx.db(), now, after, BATCH).await?;
        let Some(last) = due.last() else { break };
        after = last.0.id;
        report.seen += due.len() as u64;
        let words: Vec<(String, String)> = due
            .iter()
            .map(|(k, store_id)| {
                let tz = stores
                    .by_id(*store_id)
                    .map_or_else(|| ctx.app.config.tz(), |s| s.tz);
                let dept = k.department.as_ref().and_then(|d| names.get(d)).cloned();
                (
                    dept.unwrap_or_default(),
                    k.due_at
                        .with_timezone(&tz)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                )
            })
            .collect();
        let recorded = ctx
            .db()
            .write(move |tx| {
                let (due, words) = (due.clone(), words.clone());
                Box::pin(async move {
                    let mut n = 0u64;
                    for ((k, store_id), (dept, at)) in due.iter().zip(&words) {
                        if clocks::breach(tx, k, *store_id, (dept, at), now).await? {
                            n += 1;
                        }
                    }
                    Ok::<_, ComplaintError>(n)
                })
            })
            .await?;
        report.processed += recorded;
        if let Some(p) = &progress {
            p(report.seen, report.seen);
        }
    }
    let settings = Settings::load(ctx.db()).await?;
    let before = now - TimeDelta::days(settings.0.escalate_days);
    loop {
        let ids = store::overdue_minor(ctx.db(), before, BATCH).await?;
        if ids.is_empty() {
            break;
        }
        report.seen += ids.len() as u64;
        let (c, s) = (ctx.clone(), settings.clone());
        let n = ctx
            .db()
            .write(move |tx| {
                let (c, s, ids) = (c.clone(), s.clone(), ids.clone());
                Box::pin(async move {
                    let mut n = 0u64;
                    for id in ids {
                        if steps::escalate(tx, &c, &s, id).await? {
                            n += 1;
                        }
                    }
                    Ok::<_, ComplaintError>(n)
                })
            })
            .await?;
        report.processed += n;
        if n == 0 {
            break;
        }
    }
    Ok(report)
}

/// Archives closed cases received more than `archive_months` ago.
pub async fn archive(ctx: &Ctx) -> Result<RunReport, ComplaintError> {
    let settings = Settings::load(ctx.db()).await?;
    let now = ctx.now();
    let months = u32::try_from(settings.0.archive_months.max(1)).unwrap_or(24);
    let before = now.checked_sub_months(Months::new(months)).unwrap_or(now);
    let n = ctx
        .db()
        .write(move |tx| Box::pin(async move { store::archive(tx, before, now).await }))
        .await?;
    Ok(RunReport {
        processed: n,
        seen: n,
        ..Default::default()
    })
}
