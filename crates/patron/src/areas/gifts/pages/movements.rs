//! The movement ledger of a store (of one gift or all) and its export.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use super::shared::{Q, fail};
use crate::areas::gifts::catalogue::{self, GiftRow};
use crate::areas::gifts::stock::{self, MovementRow};
use crate::kernel::cache::StoreInfo;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::forms::store_choice;
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "gifts/movements.html")]
struct MovementsPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    gifts: Vec<GiftRow>,
    gift: String,
    rows: Vec<MovementRow>,
}

async fn load_movements(
    c: &Console,
    q: &Q,
) -> Result<
    (
        StoreInfo,
        Vec<StoreInfo>,
        Vec<GiftRow>,
        String,
        Vec<MovementRow>,
    ),
    Response,
> {
    let (store, stores) = store_choice(c, q.store.as_deref(), Permission::ViewRewards).await?;
    let gifts = catalogue::list_gifts(c.ctx.db()).await.map_err(fail)?;
    let gift = q.gift.clone().unwrap_or_default().to_ascii_uppercase();
    let gift_id = gifts
        .iter()
        .find(|g| g.code == gift)
        .map(|g| g.id)
        .unwrap_or(0);
    let rows = stock::movements(c.ctx.db(), store.id, gift_id, 5000)
        .await
        .map_err(fail)?;
    Ok((store, stores, gifts, gift, rows))
}

pub(super) async fn movements_page(c: Console, Query(q): Query<Q>) -> Response {
    match load_movements(&c, &q).await {
        Ok((store, stores, gifts, gift, rows)) => MovementsPage {
            page: Page::console(&c, "gift.movements_title"),
            store,
            stores,
            gifts,
            gift,
            rows,
        }
        .into_response(),
        Err(res) => res,
    }
}

async fn movements_export(c: Console, q: Q, format: ExportFormat) -> Response {
    let (store, _, _, _, rows) = match load_movements(&c, &q).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let page = Page::console(&c, "gift.movements_title");
    let rows = rows
        .into_iter()
        .map(|m| {
            vec![
                Cell::time(&page, &m.at),
                store.code.clone().into(),
                m.gift_code.into(),
                page.t_or(&format!("gift.move.{}", m.kind), "gift.move.other")
                    .into(),
                Cell::Int(m.qty),
                Cell::Int(m.on_hand_after),
                m.doc_no.into(),
                m.note.into(),
            ]
        })
        .collect();
    let t = Table::new(
        "gift-movements",
        &page,
        &[
            "gift.at",
            "gift.store",
            "gift.code",
            "gift.movement",
            "gift.qty",
            "gift.on_hand_after",
            "gift.doc_no",
            "gift.note",
        ],
        rows,
    );
    export::respond(&t, format).unwrap_or_else(IntoResponse::into_response)
}

pub(super) async fn movements_csv(c: Console, Query(q): Query<Q>) -> Response {
    movements_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn movements_xlsx(c: Console, Query(q): Query<Q>) -> Response {
    movements_export(c, q, ExportFormat::Xlsx).await
}
