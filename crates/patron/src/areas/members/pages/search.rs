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
    today: chrono::NaiveDate,
    tiers: Vec<(String, String)>,
}

impl SearchPage {
    fn state(&self, m: &MemberRow) -> &'static str {
        self.page.t(super::card_state_key(m, self.today))
    }
    fn tier(&self, code: &str) -> String {
        tier_name(&self.tiers, code)
    }
}

fn tier_name(tiers: &[(String, String)], code: &str) -> String {
    tiers
        .iter()
        .find(|(c, _)| c == code)
        .map_or_else(|| code.to_string(), |(_, n)| n.clone())
}

/// Tier codes with their names in the reader's language, and today's business date.
async fn tiers_and_today(
    c: &Console,
) -> Result<(Vec<(String, String)>, chrono::NaiveDate), AppError> {
    let loyalty = c
        .ctx
        .app
        .cache
        .get::<crate::areas::points::settings::Loyalty>(c.ctx.db())
        .await?;
    let tiers = loyalty
        .tiers
        .iter()
        .map(|t| (t.code.clone(), t.name(c.lang).to_string()))
        .collect();
    let today = crate::kernel::dates::business_date(c.ctx.now(), c.ctx.app.config.tz());
    Ok((tiers, today))
}

pub(super) async fn search_page(c: Console, Query(q): Query<SearchQuery>) -> Response {
    let (tiers, today) = match tiers_and_today(&c).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    match crate::areas::members::search(&c.ctx, &q.q).await {
        Ok(results) => SearchPage {
            page: Page::console(&c, "member.search_title"),
            searched: !q.q.trim().is_empty(),
            q: q.q,
            results,
            today,
            tiers,
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
    let (tiers, today) = tiers_and_today(&c).await?;
    let rows = rows
        .into_iter()
        .map(|m| {
            let state = page.t(super::card_state_key(&m, today));
            vec![
                Cell::from(m.card_no.unwrap_or_default()),
                Cell::from(m.name),
                Cell::from(m.phone_masked.unwrap_or_default()),
                Cell::from(tier_name(&tiers, &m.tier_code)),
                Cell::from(m.points_balance),
                Cell::from(state.to_string()),
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
