//! The monthly complaint analysis (客户投诉分析报告, I5): a store's month — cases by category,
//! department and severity, breaches per clock and department, satisfaction at callback and the
//! share of resolutions called back. Shown with a chart, printed, exported (pages).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use patron_core::Permission;

use super::ComplaintError;
use super::store::analysis::{self, By, Counts};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::month_bounds;
use crate::kernel::stores::StoreInfo;
use crate::kernel::validation::Invalid;

/// One store's month.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub month: String,
    pub total: i64,
    pub by_category: Counts,
    pub by_department: Counts,
    pub by_severity: Counts,
    /// `(clock, department, count)`.
    pub breaches: Vec<(String, String, i64)>,
    pub satisfied: i64,
    pub unsatisfied: i64,
    pub resolved: i64,
    pub called_back: i64,
}

impl Analysis {
    /// Satisfied callbacks out of all, in percent (none without callbacks).
    pub fn satisfaction_percent(&self) -> Option<i64> {
        let all = self.satisfied + self.unsatisfied;
        (all > 0).then(|| self.satisfied * 100 / all)
    }

    /// Resolutions called back, in percent.
    pub fn callback_percent(&self) -> Option<i64> {
        (self.resolved > 0).then(|| self.called_back * 100 / self.resolved)
    }

    pub fn breach_total(&self) -> i64 {
        self.breaches.iter().map(|b| b.2).sum()
    }
}

fn start_of(store: &StoreInfo, day: NaiveDate) -> DateTime<Utc> {
    store
        .tz
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map_or_else(Utc::now, |d| d.with_timezone(&Utc))
}

/// The analysis of `month` (`2026-10`) at `store`.
pub async fn month(ctx: &Ctx, store: &StoreInfo, month: &str) -> Result<Analysis, ComplaintError> {
    ctx.require_at(Permission::ManageComplaints, store.id)?;
    let (first, last) =
        month_bounds(month).ok_or_else(|| Invalid::one("month", "invalid.month"))?;
    let from = start_of(store, first);
    let until = start_of(store, last.succ_opt().unwrap_or(last));
    let db = ctx.db();
    let by_category = analysis::counts(db, By::Category, store.id, from, until).await?;
    let (satisfied, unsatisfied) = analysis::counts(db, By::Satisfaction, store.id, from, until)
        .await?
        .into_iter()
        .fold((0, 0), |(s, u), (k, n)| {
            if k == "satisfied" {
                (s + n, u)
            } else {
                (s, u + n)
            }
        });
    let (resolved, called_back) = analysis::callback_rate(db, store.id, from, until).await?;
    Ok(Analysis {
        month: month.to_owned(),
        total: by_category.iter().map(|c| c.1).sum(),
        by_department: analysis::counts(db, By::Department, store.id, from, until).await?,
        by_severity: analysis::counts(db, By::Severity, store.id, from, until).await?,
        breaches: analysis::counts(db, By::Breach, store.id, from, until)
            .await?
            .into_iter()
            .map(|(k, n)| {
                let (clock, dept) = k.split_once('/').unwrap_or((&k, ""));
                (clock.to_owned(), dept.to_owned(), n)
            })
            .collect(),
        by_category,
        satisfied,
        unsatisfied,
        resolved,
        called_back,
    })
}
