//! Work plans and summaries, targets and appraisal (A3, A4, B1): daily, weekly and monthly plans
//! and summaries with the team view and the missing and late ones; monthly targets per
//! department and person with actuals computed from Patron's own records, frozen at month end.
//!
//! The seed's flow (S0 会员组工作流程): 按计划整理安排工作 → … → 总结反省当日工作; the week and the
//! month go plan → carry out → summary → next plan. A summary opens from the plan it closes: it
//! marks each of the plan's items done or not, and what is not done (unless dropped) plus what
//! it names for next time carries into the next plan of that kind, which opens pre-filled with
//! it. Due times and lateness are in `periods.rs`; a paper's lateness is fixed when it is first
//! written and never changes.
//!
//! Targets (S0 团购部业绩工作考核流程: 分解月团购业绩任务 → … → 月终任务汇总,对比): a manager sets
//! the month's targets of a department (a store) and of each person; the actuals are never typed
//! — they are counted from group-buy sales, new members (by recruitment channel, B1) and
//! customer callbacks (see `store/actuals.rs`, the only reader of those areas' tables here). The
//! job `plans-freeze-targets` freezes a month's actuals on the 1st of the next: a frozen month
//! never changes again, whatever is recorded later.
//!
//! Files: `periods.rs` (periods and due times, pure), `papers.rs` (writing and reading plans and
//! summaries), `team.rs` (the team view), `targets.rs` (targets, actuals, freezing), `store/`
//! (its SQL), `pages/` (console), `api.rs` (JSON), `messages.rs`, `jobs.rs`, `tiles.rs`.

pub mod api;
pub mod error;
pub mod jobs;
pub mod messages;
pub mod pages;
mod papers;
pub mod periods;
pub mod store;
pub mod targets;
mod team;
pub mod tiles;

pub use error::PlansError;
pub use papers::{
    Item, Paper, PeriodView, PlanIn, SummaryIn, SummaryItemIn, period_view, write_plan,
    write_summary,
};
pub use periods::Period;
pub use targets::{Board, BoardRow, METRICS, TargetsIn, board, freeze, set_targets};
pub use team::{Tally, TeamRow, TeamView, team_view};

use crate::kernel::ctx::Ctx;

/// The staff member acting (plans are one's own; a script or the command line has none).
fn me(ctx: &Ctx, need: patron_core::Permission) -> Result<i64, PlansError> {
    ctx.require(need)?;
    ctx.actor
        .staff()
        .map(|s| s.id)
        .ok_or(PlansError::Forbidden(crate::kernel::ctx::Forbidden(need)))
}
