//! Member search, on the page and as a file.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::areas::members::store::MemberRow;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::layout::Page;

#[derive(Deserialize, Default)]
pub(super) struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/search.html")]
pub(super) struct SearchPage {
    page: Page,
    q: String,
    searched: bool,
    results: Vec<MemberRow>,
}

pub(super) async fn search_page(c: Console, Query(q): Query<SearchQuery>) -> Response {
    match crate::areas::members::search(&c.ctx, &q.q).await {
        Ok(results) => SearchPage {
            page: Page::console(&c, "member.search_title"),
            searched: !q.q.trim().is_empty(),
            q: q.q,
            results,
        }
        .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The search results as a file (the same query string as the page).
pub(super) async fn search_export(
    c: Console,
    q: SearchQuery,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let rows = crate::areas::members::search(&c.ctx, &q.q).await?;
    let page = Page::console(&c, "member.search_title");
    let rows = rows
        .into_iter()
        .map(|m| {
            vec![
                Cell::from(m.card_no.unwrap_or_default()),
                Cell::from(m.name),
                Cell::from(m.phone_masked.unwrap_or_default()),
                Cell::from(m.tier_code),
                Cell::from(m.points_balance),
                Cell::from(m.status),
            ]
        })
        .collect();
    export::respond(
        &Table::new(
            "members",
            &page,
            &[
                "member.card_no",
                "member.name",
                "member.phone",
                "member.tier",
                "member.points",
                "common.state",
            ],
            rows,
        ),
        format,
    )
}

pub(super) async fn search_csv(
    c: Console,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    search_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn search_xlsx(
    c: Console,
    Query(q): Query<SearchQuery>,
) -> Result<Response, AppError> {
    search_export(c, q, ExportFormat::Xlsx).await
}
