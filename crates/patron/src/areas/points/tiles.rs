//! What the dashboard shows of points (see `web::tiles`): missed receipts (补积分) entered at the
//! store and still waiting for their approval, each linked to its member.

use patron_core::Permission;

use super::adjust::KIND_MISSED;
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Tile, TileLine, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[TileSource {
    permission: Permission::AdjustPoints,
    per_store: true,
    tiles: missed,
}];

fn missed<'a>(ctx: &'a Ctx, store: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(store) = store else {
            return Ok(Vec::new());
        };
        let waiting = crate::approvals::store::pending_at(ctx.db(), KIND_MISSED, store.id).await?;
        let lines = waiting
            .iter()
            .take(5)
            .map(|a| TileLine {
                text: a.summary.clone(),
                href: format!("/members/{}", a.subject_id),
            })
            .collect();
        // Those who decide go to the inbox; the desk sees each member's page.
        let href = if ctx.can(Permission::ViewApprovals) {
            "/approvals"
        } else {
            "/members"
        };
        Ok(vec![
            Tile::waiting(
                "dash.points.missed_waiting",
                i64::try_from(waiting.len()).unwrap_or(i64::MAX),
                href,
            )
            .with_lines(lines),
        ])
    })
}
