//! What the manager sees of care (J2): completion per advisor over a period (calls done,
//! reached, done on the day they fell due or later; open and overdue calls now) and the members'
//! purchases after each step (receipts after the step was done).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use patron_core::Permission;
use patron_core::care::Step;

use super::CareError;
use super::store::figures::{self as store, DoneRow};
use crate::kernel::ctx::Ctx;
use crate::kernel::dates::business_date;

/// One advisor's completion (`advisor_id` none: members with no advisor).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdvisorFigures {
    pub advisor_id: Option<i64>,
    pub name: Option<String>,
    /// Calls done in the period.
    pub done: i64,
    pub reached: i64,
    /// Calls done on a later business day than they fell due.
    pub late: i64,
    /// Open calls now, and how many fell due before today.
    pub open: i64,
    pub overdue: i64,
}

impl AdvisorFigures {
    /// Done of done and open, in percent (none when there was nothing).
    pub fn percent(&self) -> Option<i64> {
        let all = self.done + self.open;
        (all > 0).then(|| self.done * 100 / all)
    }
}

/// One step's figures over the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepFigures {
    pub step: &'static str,
    pub done: i64,
    pub skipped: i64,
    /// Members who bought after the step was done, their receipts and amount.
    pub bought_after: i64,
    pub receipts_after: i64,
    pub spent_after_fen: i64,
}

#[derive(Debug, Clone)]
pub struct Figures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub advisors: Vec<AdvisorFigures>,
    pub steps: Vec<StepFigures>,
    /// The steps done in the period with the purchases after each, the latest first.
    pub rows: Vec<DoneRow>,
}

/// The first moment of business day `d` in `tz`.
pub fn day_start(d: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
        .earliest()
        .map_or_else(
            || d.and_time(NaiveTime::MIN).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

/// The figures of the business days `from` to `to` (inclusive).
pub async fn figures(ctx: &Ctx, from: NaiveDate, to: NaiveDate) -> Result<Figures, CareError> {
    ctx.require(Permission::ManageCare)?;
    let tz = ctx.app.config.tz();
    let start = |d: NaiveDate| -> DateTime<Utc> { day_start(d, tz) };
    let rows =
        store::done_between(ctx.db(), start(from), start(to) + Duration::days(1), 20_000).await?;
    let today_start = start(ctx.today());
    let mut advisors: Vec<AdvisorFigures> = store::open_per_advisor(ctx.db(), today_start)
        .await?
        .into_iter()
        .map(|(id, name, open, overdue)| AdvisorFigures {
            advisor_id: id,
            name,
            open,
            overdue,
            ..AdvisorFigures::default()
        })
        .collect();
    for r in rows
        .iter()
        .filter(|r| r.state == "done" && r.step.starts_with("call"))
    {
        let i = match advisors.iter().position(|a| a.advisor_id == r.done_by) {
            Some(i) => i,
            None => {
                advisors.push(AdvisorFigures {
                    advisor_id: r.done_by,
                    name: r.done_by_name.clone(),
                    ..AdvisorFigures::default()
                });
                advisors.len() - 1
            }
        };
        let a = &mut advisors[i];
        a.done += 1;
        a.reached += i64::from(r.outcome == "reached");
        a.late += i64::from(business_date(r.done_at, tz) > business_date(r.due_at, tz));
    }
    advisors
        .sort_by(|a, b| (a.advisor_id.is_none(), &a.name).cmp(&(b.advisor_id.is_none(), &b.name)));
    let steps = Step::ALL
        .iter()
        .map(|s| {
            let of: Vec<&DoneRow> = rows.iter().filter(|r| r.step == s.code()).collect();
            let done: Vec<&&DoneRow> = of.iter().filter(|r| r.state == "done").collect();
            StepFigures {
                step: s.code(),
                done: done.len() as i64,
                skipped: (of.len() - done.len()) as i64,
                bought_after: done.iter().filter(|r| r.receipts_after > 0).count() as i64,
                receipts_after: done.iter().map(|r| r.receipts_after).sum(),
                spent_after_fen: done.iter().map(|r| r.spent_after_fen).sum(),
            }
        })
        .collect();
    Ok(Figures {
        from,
        to,
        advisors,
        steps,
        rows,
    })
}
