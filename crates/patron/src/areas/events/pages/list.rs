//! The event list: filters, CSV and xlsx.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use patron_core::Permission;

use super::store_codes;
use crate::areas::events::{self, EventRow, ListFilter};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "events/list.html")]
struct ListPage {
    page: Page,
    f: ListFilter,
    rows: Vec<EventRow>,
    stores: Vec<(i64, String)>,
    can_manage: bool,
    query: String,
}

impl ListPage {
    fn kinds(&self) -> &'static [&'static str] {
        events::KINDS
    }

    fn states(&self) -> &'static [&'static str] {
        &["draft", "pending", "approved", "rejected", "closed"]
    }

    fn store_code(&self, id: &i64) -> String {
        self.stores
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, c)| c.clone())
            .unwrap_or_default()
    }
}

pub(super) async fn list_page(
    c: Console,
    Query(f): Query<ListFilter>,
) -> Result<Response, AppError> {
    let rows = events::list(&c.ctx, &f).await?;
    let query = serde_urlencoded::to_string([
        ("state", &f.state),
        ("kind", &f.kind),
        ("store", &f.store),
        ("month", &f.month),
        ("q", &f.q),
    ])
    .unwrap_or_default();
    Ok(ListPage {
        page: Page::console(&c, "ev.title"),
        stores: store_codes(&c.ctx).await?,
        can_manage: c.ctx.can(Permission::ManageEvents),
        f,
        rows,
        query,
    }
    .into_response())
}

async fn list_table(c: &Console, f: &ListFilter) -> Result<Table, AppError> {
    let rows = events::list(&c.ctx, f).await?;
    let page = Page::console(c, "ev.title");
    let stores = store_codes(&c.ctx).await?;
    let rows = rows
        .into_iter()
        .map(|e| {
            vec![
                Cell::Text(format!("EV{}", e.id)),
                e.theme.clone().into(),
                page.t(&format!("ev.kind.{}", e.kind)).into(),
                Cell::Text(
                    stores
                        .iter()
                        .find(|(i, _)| *i == e.store_id)
                        .map(|(_, c)| c.clone())
                        .unwrap_or_default(),
                ),
                Cell::time(&page, &e.starts_at),
                e.place.clone().into(),
                e.capacity.into(),
                e.signed_up.into(),
                Cell::Money(e.budget_fen),
                page.t(&format!("ev.state.{}", e.state)).into(),
            ]
        })
        .collect();
    Ok(Table::new(
        "events",
        &page,
        &[
            "ev.code",
            "ev.theme",
            "ev.kind",
            "ev.store",
            "ev.starts_at",
            "ev.place",
            "ev.capacity",
            "ev.signed_up",
            "ev.budget",
            "ev.state",
        ],
        rows,
    ))
}

pub(super) async fn list_csv(
    c: Console,
    Query(f): Query<ListFilter>,
) -> Result<Response, AppError> {
    export::respond(&list_table(&c, &f).await?, ExportFormat::Csv)
}

pub(super) async fn list_xlsx(
    c: Console,
    Query(f): Query<ListFilter>,
) -> Result<Response, AppError> {
    export::respond(&list_table(&c, &f).await?, ExportFormat::Xlsx)
}
