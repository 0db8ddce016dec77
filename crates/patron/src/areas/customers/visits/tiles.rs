//! What the dashboard shows of this topic (see `web::tiles`): visits whose minutes are overdue,
//! and the directory review's customers still to check (the caller's own, or everyone's for a
//! manager). Visits waiting for approval are in the approvals tile.

use patron_core::Permission;

use super::store;
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Tile, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[TileSource {
    permission: Permission::ManageCustomers,
    per_store: false,
    tiles: visits,
}];

fn visits<'a>(ctx: &'a Ctx, _store: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let today = ctx.today();
        // A manager sees everyone's; a salesperson their own.
        let owner = if ctx.can(Permission::AssignCustomers) {
            0
        } else {
            ctx.actor.staff().map(|s| s.id).unwrap_or(-1)
        };
        let overdue =
            store::visits::count_overdue(ctx.db(), today, (owner != 0).then_some(owner)).await?;
        let left = store::review::open_count(ctx.db(), owner).await?;
        // Only what waits: a tile with nothing to do is left out.
        let mut tiles = Vec::new();
        if overdue > 0 {
            tiles.push(Tile::waiting(
                "customers.visits.tile.minutes_overdue",
                overdue,
                "/customers/visits/overdue",
            ));
        }
        if left > 0 {
            tiles.push(Tile::waiting(
                "customers.visits.tile.review_left",
                left,
                "/customers/review",
            ));
        }
        Ok(tiles)
    })
}
