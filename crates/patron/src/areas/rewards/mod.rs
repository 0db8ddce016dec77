//! Threshold rewards and the reward desk (返礼, 领奖, SPEC D1–D5): the settings (thresholds and
//! slip rules), the month-end list with its 核分 and notices, reward slips and their claim,
//! follow-up and expiry.
//!
//! The gifts a threshold names, and their stock, belong to the gifts area: a claim takes its
//! gift with `gifts::take_in` in the claim's transaction (this area uses gifts, never the other
//! way round).

pub mod api;
pub mod error;
pub mod jobs;
pub mod lists;
pub mod messages;
pub mod pages;
pub mod settings;
pub mod slips;
pub mod store;
pub mod tiles;

pub use error::RewardsError;

use crate::kernel::ctx::Ctx;

/// The staff member acting, for the columns that record who did what.
pub(crate) fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}
