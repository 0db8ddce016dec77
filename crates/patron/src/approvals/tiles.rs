//! The dashboard's approvals tile (see `web::tiles`): the requests waiting for the reader's
//! decision — of a kind their role decides, at their store, not their own.

use super::{ApprovalKind, may_decide};
use crate::kernel::ctx::Ctx;
use crate::web::error::AppError;
use crate::web::tiles::{Tile, TileLine};

/// The tile of the requests `ctx` may decide, among `kinds`.
pub async fn waiting(ctx: &Ctx, kinds: &[ApprovalKind]) -> Result<Vec<Tile>, AppError> {
    let me = ctx.actor.staff().map(|s| s.id);
    let mine: Vec<_> = super::store::pending(ctx.db())
        .await?
        .into_iter()
        .filter(|r| me.is_none() || r.requested_by != me)
        .filter(|r| super::find(kinds, &r.kind).is_some_and(|k| may_decide(ctx, k, r.store_id)))
        .collect();
    let lines = mine
        .iter()
        .take(5)
        .map(|r| TileLine {
            text: r.summary.clone(),
            href: format!("/approvals#approval-{}", r.id),
        })
        .collect();
    Ok(vec![
        Tile::waiting(
            "dash.approvals_mine",
            i64::try_from(mine.len()).unwrap_or(i64::MAX),
            "/approvals",
        )
        .with_lines(lines),
    ])
}
