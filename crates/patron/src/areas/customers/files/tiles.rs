//! What the dashboard shows of this topic (see `web::tiles`): the reader's customers about to
//! return to the shared pool for want of contact, the soonest first.

use patron_core::Permission;

use super::{pool, store};
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Tile, TileLine, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[TileSource {
    permission: Permission::ManageCustomers,
    per_store: false,
    tiles: returning,
}];

fn returning<'a>(ctx: &'a Ctx, _: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(me) = ctx.actor.staff() else {
            return Ok(Vec::new());
        };
        let settings = store::settings(ctx.db()).await?;
        let tz = ctx.app.config.tz();
        let today = ctx.today();
        let mut soon: Vec<_> = store::held(ctx.db(), Some(me.id))
            .await?
            .into_iter()
            .map(|h| (pool::deadline(&h, &settings, tz), h))
            .filter(|(due, _)| (*due - today).num_days() <= settings.warn_days)
            .collect();
        soon.sort_by_key(|(due, h)| (*due, h.id));
        let lines = soon
            .iter()
            .take(5)
            .map(|(due, h)| TileLine {
                text: format!("{} · {due}", h.name),
                href: format!("/customers/{}", h.id),
            })
            .collect();
        // Nothing about to return: no tile (the dashboard then says nothing waits).
        if soon.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![
            Tile::waiting(
                "dash.customers.returning",
                i64::try_from(soon.len()).unwrap_or(i64::MAX),
                "/customers?tab=mine",
            )
            .with_lines(lines),
        ])
    })
}
