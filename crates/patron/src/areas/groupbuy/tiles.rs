//! What the dashboard shows of group-buy (see `web::tiles`): the desk's cheques due and the day's
//! sales; finance's requisitions to set vouchers aside for.

use patron_core::Permission;

use super::store::tiles as store;
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::said::Said;
use crate::web::tiles::{Figure, Tile, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[
    TileSource {
        permission: Permission::SellVouchers,
        per_store: true,
        tiles: desk,
    },
    TileSource {
        permission: Permission::ManageVoucherStock,
        per_store: true,
        tiles: finance,
    },
];

fn desk<'a>(ctx: &'a Ctx, store: Option<&'a StoreInfo>, lang: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(store) = store else {
            return Ok(Vec::new());
        };
        let today = ctx.today_at(store);
        let (due, pending, pending_fen) = store::cheques(ctx.db(), store.id, today).await?;
        let (sales, vouchers, amount) = store::sales_of_day(ctx.db(), store.id, today).await?;
        Ok(vec![
            Tile::waiting("dash.gb.cheques_due", due, "/groupbuy/sales?state=reserved").with_note(
                Said::new("dash.gb.cheques_pending")
                    .text("count", patron_core::money::grouped(pending))
                    .text("amount", patron_core::Fen(pending_fen).to_string())
                    .say(lang),
            ),
            Tile::figure(
                "dash.gb.sales_today",
                Figure::Money(amount),
                format!("/groupbuy/sales?from={today}&to={today}"),
            )
            .with_note(
                Said::new("dash.gb.sales_count")
                    .text("sales", patron_core::money::grouped(sales))
                    .text("vouchers", patron_core::money::grouped(vouchers))
                    .say(lang),
            ),
        ])
    })
}

fn finance<'a>(ctx: &'a Ctx, store: Option<&'a StoreInfo>, _: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let Some(store) = store else {
            return Ok(Vec::new());
        };
        let approved = store::requisitions_in(ctx.db(), store.id, "approved").await?;
        Ok(vec![Tile::waiting(
            "dash.gb.requisitions_to_prepare",
            approved,
            "/groupbuy/requisitions",
        )])
    })
}
