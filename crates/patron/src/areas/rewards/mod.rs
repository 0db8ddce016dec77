//! Threshold rewards and the reward desk (返礼, 领奖, SPEC D1–D5), gift stock (D6), the points
//! exchange catalogue (C7) and birthday gifts (J3).
//!
//! Gifts and coupons are one list (`gifts`); their stock per store is `gift_stock`, changed only
//! through `gifts::take_in` / `gifts::put_in`, each of which writes one `gift_movements` row
//! (append-only) in the caller's transaction. A reward slip, an exchange or a birthday gift
//! therefore takes its gift and its points in one transaction, or neither.

pub mod api;
pub mod birthday;
pub mod catalogue;
mod error;
pub mod gift_api;
pub mod gift_pages;
pub mod gifts;
pub mod jobs;
pub mod lists;
pub mod messages;
pub mod pages;
pub mod print;
pub mod settings;
pub mod slips;
pub mod stock;

pub use error::RewardsError;

use crate::kernel::ctx::Ctx;
use crate::kernel::db::{DbError, WriteError};

/// The staff member acting, for the columns that record who did what.
pub(crate) fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

/// Whether an approval kind belongs to this area.
/// The reward desk's approval kinds: a gift stock-take is decided by the store manager (D6).
pub const APPROVALS: &[crate::approvals::ApprovalKind] = &[crate::approvals::ApprovalKind {
    kind: stock::KIND_STOCKTAKE,
    label: "approval.kind.gift_stocktake",
    deciders: &[patron_core::Role::Manager],
    decide: decide_boxed,
}];

fn decide_boxed(
    ctx: &Ctx,
    id: i64,
    decision: patron_core::approvals::Decision,
) -> crate::approvals::DecideFuture<'_> {
    Box::pin(async move { Ok(decide(ctx, id, decision).await?) })
}

/// Decides an approval of this area and carries out its consequence in the same transaction.
pub async fn decide(
    ctx: &Ctx,
    id: i64,
    decision: patron_core::approvals::Decision,
) -> Result<crate::approvals::ApprovalRow, RewardsError> {
    let c = ctx.clone();
    let decision = std::sync::Arc::new(decision);
    ctx.db()
        .write(move |tx| {
            let (c, decision) = (c.clone(), decision.clone());
            Box::pin(async move {
                let row = crate::approvals::decide(&c, tx, id, &decision, APPROVALS).await?;
                match row.kind.as_str() {
                    stock::KIND_STOCKTAKE => stock::on_decided(&c, tx, &row).await?,
                    _ => return Err(RewardsError::NotFound),
                }
                Ok(row)
            })
        })
        .await
}
