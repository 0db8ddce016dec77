//! What the dashboard shows of callbacks (see `web::tiles`): a salesperson's overdue callbacks
//! and today's holiday calls (when there are any); the manager's open escalations.

use patron_core::Permission;

use super::{overdue, store};
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Tile, TileLine, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[
    TileSource {
        permission: Permission::ManageCustomers,
        per_store: false,
        tiles: salesperson,
    },
    TileSource {
        permission: Permission::AssignCustomers,
        per_store: false,
        tiles: manager,
    },
];

fn salesperson<'a>(ctx: &'a Ctx, _: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(me) = ctx.actor.staff().map(|s| s.id) else {
            return Ok(Vec::new());
        };
        let due = overdue::due_of(ctx, Some(me), 0).await?;
        let lines = due
            .iter()
            .take(3)
            .map(|d| TileLine {
                text: d.row.name.clone(),
                href: format!("/customers/{}/callbacks", d.row.customer_id),
            })
            .collect();
        let calls = store::calls_waiting(ctx.db(), me, ctx.today()).await?;
        // Only what waits: someone with no customers of their own (marketing) is told nothing
        // waits rather than shown zeros.
        let mut tiles = Vec::new();
        if !due.is_empty() {
            tiles.push(
                Tile::waiting(
                    "customers.callbacks.tile_overdue",
                    i64::try_from(due.len()).unwrap_or(i64::MAX),
                    "/customers/callbacks/overdue",
                )
                .with_lines(lines),
            );
        }
        if calls > 0 {
            tiles.push(Tile::waiting(
                "customers.campaigns.tile_today",
                calls,
                "/customers/campaigns",
            ));
        }
        Ok(tiles)
    })
}

fn manager<'a>(ctx: &'a Ctx, _: Option<&'a StoreInfo>, lang: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let (open, late) = store::open_escalation_counts(ctx.db(), ctx.today()).await?;
        let mut tile = Tile::waiting(
            "customers.escalations.tile_open",
            open,
            "/customers/escalations",
        );
        if late > 0 {
            tile = tile.with_note(format!(
                "{} {}",
                patron_core::money::grouped(late),
                lang.t("customers.escalations.late")
            ));
        }
        Ok(vec![tile])
    })
}
