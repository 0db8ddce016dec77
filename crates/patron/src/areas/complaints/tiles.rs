//! What the dashboard shows of complaints (see `web::tiles`): the open cases at a store and how
//! many of them have a clock past due — only when there are open cases.

use patron_core::Permission;

use super::store;
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Tile, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[TileSource {
    permission: Permission::HandleComplaints,
    per_store: true,
    tiles: open_cases,
}];

fn open_cases<'a>(ctx: &'a Ctx, at: Option<&'a StoreInfo>, lang: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(at) = at else {
            return Ok(Vec::new());
        };
        let (open, late) = store::open_counts(ctx.db(), at.id, ctx.now()).await?;
        if open == 0 {
            return Ok(Vec::new());
        }
        let mut tile = Tile::waiting("complaints.tile_open", open, "/complaints");
        if late > 0 {
            tile = tile.with_note(format!(
                "{} {}",
                patron_core::money::grouped(late),
                lang.t("complaints.tile_late")
            ));
        }
        Ok(vec![tile])
    })
}
