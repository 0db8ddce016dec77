//! What the dashboard shows of care (see `web::tiles`): the advisor's open calls (today's and
//! overdue), with the first few members; no tile when none wait.

use patron_core::Permission;

use super::figures::day_start;
use super::store::tasks as store;
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Tile, TileLine, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[TileSource {
    permission: Permission::CareForMembers,
    per_store: false,
    tiles: advisor,
}];

fn advisor<'a>(ctx: &'a Ctx, _: Option<&'a StoreInfo>, lang: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(me) = ctx.actor.staff().map(|s| s.id) else {
            return Ok(Vec::new());
        };
        let today = day_start(ctx.today(), ctx.app.config.tz());
        let (open, overdue) = store::open_count(ctx.db(), me, today).await?;
        if open == 0 {
            return Ok(Vec::new());
        }
        let first = store::open(
            ctx.db(),
            store::OpenFilter {
                advisor: Some(me),
                unassigned: false,
                limit: 3,
            },
        )
        .await?;
        let lines = first
            .iter()
            .map(|t| TileLine {
                text: format!(
                    "{} · {}",
                    t.member_name,
                    lang.t(&format!("care.step.{}", t.step))
                ),
                href: format!("/care/tasks/{}", t.id),
            })
            .collect();
        let mut tile = Tile::waiting("care.tile_tasks", open, "/care/tasks").with_lines(lines);
        if overdue > 0 {
            tile = tile.with_note(format!(
                "{} {}",
                patron_core::money::grouped(overdue),
                lang.t("care.tile_overdue")
            ));
        }
        Ok(vec![tile])
    })
}
