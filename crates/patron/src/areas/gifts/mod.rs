//! Gifts (奖品, SPEC D6, C7, J3): the gift list, gift stock per store with its delivery notes,
//! transfers and stock-takes, the points exchange catalogue, and birthday gifts per tier.
//!
//! Gifts and coupons are one list (`gifts`); their stock per store is `gift_stock`, changed only
//! through `take_in` / `put_in`, each of which writes one `gift_movements` row (append-only) in
//! the caller's transaction. An exchange, a birthday gift or a reward slip (the rewards area)
//! therefore takes its gift and its points in one transaction, or neither.

pub mod api;
pub mod birthday;
pub mod catalogue;
pub mod error;
pub mod exchange;
pub mod jobs;
pub mod messages;
pub mod pages;
pub mod stock;
pub mod stocktake;
pub mod store;

pub use error::GiftsError;
pub use store::movements::{Movement, on_hand, put_in, take_in};

use patron_core::Permission;

use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;

/// The staff member acting, for the columns that record who did what.
pub(crate) fn staff_id(ctx: &Ctx) -> Option<i64> {
    ctx.actor.staff().map(|s| s.id)
}

/// The store a request names, for staff holding `permission` there.
pub(crate) async fn store_at(
    ctx: &Ctx,
    store_code: &str,
    permission: Permission,
) -> Result<StoreInfo, GiftsError> {
    let store = crate::areas::points::store_for(ctx, store_code).await?;
    ctx.require_at(permission, store.id)?;
    Ok(store)
}

/// The gifts area's approval kinds: a gift stock-take is decided by the store manager (D6).
pub const APPROVALS: &[crate::approvals::ApprovalKind] = &[crate::approvals::ApprovalKind {
    kind: stocktake::KIND_STOCKTAKE,
    label: "approval.kind.gift_stocktake",
    deciders: &[patron_core::Role::Manager],
    decide: decide_boxed,
    record: |id| format!("/rewards/stock/docs/{id}/print"),
    record_permission: patron_core::Permission::ViewRewards,
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
) -> Result<crate::approvals::ApprovalRow, GiftsError> {
    let c = ctx.clone();
    let decision = std::sync::Arc::new(decision);
    ctx.db()
        .write(move |tx| {
            let (c, decision) = (c.clone(), decision.clone());
            Box::pin(async move {
                let row = crate::approvals::decide(&c, tx, id, &decision, APPROVALS).await?;
                match row.kind.as_str() {
                    stocktake::KIND_STOCKTAKE => stocktake::on_decided(&c, tx, &row).await?,
                    _ => return Err(GiftsError::NotFound),
                }
                Ok(row)
            })
        })
        .await
}
