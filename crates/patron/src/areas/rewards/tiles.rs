//! What the dashboard shows of the reward desk (see `web::tiles`): slips waiting to be claimed
//! at the store, and those in their follow-up period (a call before they lapse).

use patron_core::Permission;

use super::{settings, slips};
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Tile, TileLine, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[TileSource {
    permission: Permission::ClaimRewards,
    per_store: true,
    tiles: desk,
}];

fn desk<'a>(ctx: &'a Ctx, store: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(store) = store else {
            return Ok(Vec::new());
        };
        let today = ctx.today_at(store);
        let claimable = slips::count_claimable(ctx.db(), store.id, today).await?;
        let rules = settings::load(ctx.db()).await?.rules;
        let due = slips::follow_up_due(ctx.db(), store.id, today, rules.follow_up_months).await?;
        let lines = due
            .iter()
            .take(5)
            .map(|s| TileLine {
                text: format!("{} · {} · {}", s.slip_no, s.name, s.valid_until),
                href: format!("/rewards/slips/{}", s.slip_no),
            })
            .collect();
        Ok(vec![
            Tile::waiting(
                "dash.reward.to_claim",
                claimable,
                "/rewards/slips?state=issued",
            ),
            Tile::waiting(
                "dash.reward.follow_up",
                i64::try_from(due.len()).unwrap_or(i64::MAX),
                "/rewards/follow-up",
            )
            .with_lines(lines),
        ])
    })
}
