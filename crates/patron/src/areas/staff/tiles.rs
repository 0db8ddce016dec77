//! What the dashboard shows the administrator (see `web::tiles`): stores, accounts, live till
//! keys and the requests pending anywhere.

use patron_core::Permission;

use super::store as staff_store;
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Figure, Tile, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[TileSource {
    permission: Permission::ManageStaff,
    per_store: false,
    tiles: admin,
}];

fn admin<'a>(ctx: &'a Ctx, _: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let counts = staff_store::counts(ctx.db()).await?;
        Ok(vec![
            Tile::figure("dash.stores", Figure::Count(counts.stores), "/admin/stores"),
            Tile::figure("dash.staff", Figure::Count(counts.staff), "/admin/staff"),
            Tile::figure(
                "dash.tills",
                Figure::Count(counts.live_till_keys),
                "/admin/tills",
            ),
            Tile::figure(
                "dash.approvals",
                Figure::Count(counts.pending_approvals),
                "/approvals",
            ),
        ])
    })
}
