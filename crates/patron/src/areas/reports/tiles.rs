//! The dashboard's way in to the reports (see `web::tiles`): for everyone who may open at least
//! one report, a tile "统计报表" linking to `/reports`, with a line for each report they may open
//! (each report's permission decides, as on the index page, so no link leads to a refusal).

use patron_core::Permission;

use super::REPORTS;
use crate::kernel::ctx::Ctx;
use crate::kernel::stores::StoreInfo;
use crate::web::i18n::Lang;
use crate::web::tiles::{Figure, Tile, TileLine, TileSource, TilesFuture};

pub const TILES: &[TileSource] = &[TileSource {
    // Every role has a dashboard; the tile itself asks each report's permission.
    permission: Permission::ViewDashboard,
    per_store: false,
    tiles: reports,
}];

fn reports<'a>(ctx: &'a Ctx, _: Option<&'a StoreInfo>, lang: Lang) -> TilesFuture<'a> {
    Box::pin(async move {
        let lines: Vec<TileLine> = REPORTS
            .iter()
            .filter(|r| ctx.can(r.permission))
            .map(|r| TileLine {
                text: lang.t(r.title).to_string(),
                href: format!("/reports/{}", r.name),
            })
            .collect();
        // The index is for holders of `view_reports`; anyone else goes to their first report.
        let href = if ctx.can(Permission::ViewReports) {
            "/reports".to_string()
        } else {
            match lines.first() {
                Some(l) => l.href.clone(),
                None => return Ok(Vec::new()),
            }
        };
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![
            Tile::figure("reports.tile", Figure::None, href).with_lines(lines),
        ])
    })
}
