//! What the dashboard shows of members (see `web::tiles`): applications waiting for review or
//! for their correction, and the members who joined today.

use patron_core::Permission;

use super::store::tiles as store;
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Figure, Tile, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[
    TileSource {
        permission: Permission::ManageMembers,
        per_store: false,
        tiles: applications,
    },
    TileSource {
        permission: Permission::ReviewApplications,
        per_store: true,
        tiles: joined,
    },
];

fn applications<'a>(ctx: &'a Ctx, _: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let (submitted, rejected) = store::applications(ctx.db()).await?;
        Ok(vec![
            Tile::waiting(
                "dash.member.applications",
                submitted,
                "/members/applications",
            ),
            Tile::waiting(
                "dash.member.applications_rejected",
                rejected,
                "/members/applications",
            ),
        ])
    })
}

fn joined<'a>(ctx: &'a Ctx, store: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(store) = store else {
            return Ok(Vec::new());
        };
        let today = ctx.today_at(store);
        let n = store::joined(ctx.db(), store.id, today).await?;
        Ok(vec![Tile::figure(
            "dash.member.joined_today",
            Figure::Count(n),
            "/members",
        )])
    })
}
