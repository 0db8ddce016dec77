//! The team view (A3): for a reviewer's store, each person's plan and summary of a period with
//! their standing, and the month's tally of daily plans and summaries missing or late. The team
//! is everyone holding a role (other than administrator) at the store.

use chrono::NaiveDate;
use patron_core::Permission;

use super::PlansError;
use super::periods::{Period, dues, owed, standing};
use super::store::{self, Member, PlanRow};
use crate::areas::calendar;
use crate::kernel::ctx::{Ctx, Forbidden};
use crate::kernel::stores::StoreInfo;

/// The month's count of daily papers a person owes or wrote late, up to today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub plans_missing: i64,
    pub plans_late: i64,
    pub summaries_missing: i64,
    pub summaries_late: i64,
}

impl Tally {
    pub fn any(&self) -> bool {
        self.plans_missing + self.plans_late + self.summaries_missing + self.summaries_late > 0
    }
}

/// One person in the team view.
#[derive(Debug, Clone)]
pub struct TeamRow {
    pub member: Member,
    pub plan: &'static str,
    pub summary: &'static str,
    pub tally: Tally,
}

pub struct TeamView {
    pub period: Period,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The month the tally counts (`2026-11`).
    pub month: String,
    pub rows: Vec<TeamRow>,
}

/// The staff member `id`, if they are in the team of a store where the reader reviews plans.
pub(super) async fn reviewable(ctx: &Ctx, id: i64) -> Result<i64, PlansError> {
    ctx.require(Permission::ReviewPlans)?;
    let stores = ctx.app.cache.stores(ctx.db()).await?;
    for s in stores.all() {
        if ctx.can_at(Permission::ReviewPlans, s.id)
            && store::team(ctx.db(), s.id)
                .await?
                .iter()
                .any(|m| m.id == id)
        {
            return Ok(id);
        }
    }
    Err(Forbidden(Permission::ReviewPlans).into())
}

/// The team of `store` for the period of `period` containing `date`.
pub async fn team_view(
    ctx: &Ctx,
    store: &StoreInfo,
    period: Period,
    date: NaiveDate,
) -> Result<TeamView, PlansError> {
    ctx.require_at(Permission::ReviewPlans, store.id)?;
    let db = ctx.db();
    let members = store::team(db, store.id).await?;
    let cal = calendar::load(db, calendar::OFFICE).await?;
    let tz = ctx.app.config.tz();
    let now = ctx.now();
    let start = period.start(date);
    let d = dues(&cal, tz, period, start);
    let papers = store::in_range(db, period.code(), start, start).await?;
    let month_start = Period::Month.start(date);
    let month_end = Period::Month.end(month_start).min(ctx.today());
    let days = store::in_range(db, "day", month_start, month_end).await?;
    let rows = members
        .into_iter()
        .map(|m| {
            let expected = d.expected && owed(m.created_at, tz, start);
            let written = |kind: &str| {
                papers
                    .iter()
                    .find(|p| p.staff_id == m.id && p.kind == kind)
                    .map(|p| p.late)
            };
            TeamRow {
                plan: standing(expected, d.plan_due, written("plan"), now),
                summary: standing(expected, d.summary_due, written("summary"), now),
                tally: tally(&cal, tz, &m, &days, (month_start, month_end), now),
                member: m,
            }
        })
        .collect();
    Ok(TeamView {
        period,
        starts_on: start,
        ends_on: period.end(start),
        month: crate::kernel::dates::month_key(month_start),
        rows,
    })
}

/// One person's daily papers from `from` to `to`, counted by standing.
fn tally(
    cal: &patron_core::calendar::BusinessCalendar,
    tz: chrono_tz::Tz,
    m: &Member,
    days: &[PlanRow],
    (from, to): (NaiveDate, NaiveDate),
    now: chrono::DateTime<chrono::Utc>,
) -> Tally {
    let mut t = Tally::default();
    let staff_id = m.id;
    for day in from.iter_days().take_while(|d| *d <= to) {
        let mut d = dues(cal, tz, Period::Day, day);
        d.expected = d.expected && owed(m.created_at, tz, day);
        let written = |kind: &str| {
            days.iter()
                .find(|p| p.staff_id == staff_id && p.starts_on == day && p.kind == kind)
                .map(|p| p.late)
        };
        match standing(d.expected, d.plan_due, written("plan"), now) {
            "missing" => t.plans_missing += 1,
            "late" => t.plans_late += 1,
            _ => {}
        }
        match standing(d.expected, d.summary_due, written("summary"), now) {
            "missing" => t.summaries_missing += 1,
            "late" => t.summaries_late += 1,
            _ => {}
        }
    }
    t
}
