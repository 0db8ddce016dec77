//! Every area's dashboard tiles, one line per area (see `web::tiles`). The dashboard (工作台)
//! takes this list and shows each reader the tiles of the permissions they hold.

use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{TileSource, TilesFuture};

const AREAS: &[&[TileSource]] = &[
    APPROVALS,
    crate::areas::members::tiles::TILES,
    crate::areas::points::tiles::TILES,
    crate::areas::groupbuy::tiles::TILES,
    crate::areas::rewards::tiles::TILES,
    crate::areas::staff::tiles::TILES,
    crate::areas::pos::pages::TILES,
    crate::areas::customers::files::tiles::TILES,
    crate::areas::customers::callbacks::tiles::TILES,
    crate::areas::customers::visits::tiles::TILES,
    crate::areas::plans::tiles::TILES,
    crate::areas::complaints::tiles::TILES,
    crate::areas::care::tiles::TILES,
    crate::areas::reports::tiles::TILES,
];

/// The approvals waiting for the reader, decided through every area's kinds.
const APPROVALS: &[TileSource] = &[TileSource {
    permission: patron_core::Permission::DecideApprovals,
    per_store: false,
    tiles: approvals,
}];

fn approvals<'a>(ctx: &'a Ctx, _: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(crate::approvals::tiles::waiting(
        ctx,
        super::approvals::all(),
    ))
}

/// The tile sources of every area, in one list (built once).
pub fn all() -> &'static [TileSource] {
    static ALL: std::sync::LazyLock<Vec<TileSource>> = std::sync::LazyLock::new(|| {
        AREAS
            .iter()
            .flat_map(|sources| sources.iter().copied())
            .collect()
    });
    &ALL
}
