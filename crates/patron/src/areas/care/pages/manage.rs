//! The manager's care pages: the settings (`/admin/care`: which tiers are cared for) and the
//! figures (`/care/figures`: completion per advisor, purchases after each step; CSV/xlsx).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Days, NaiveDate};
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::care::figures::{self, Figures};
use crate::areas::care::settings;
use crate::areas::points::settings::Loyalty;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Reshow, date_param, reshow};
use crate::web::layout::Page;

#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "care/settings.html")]
struct SettingsPage {
    page: Page,
    /// (code, name, chosen)
    tiers: Vec<(String, String, bool)>,
    r: Reshow,
}

async fn render_settings(
    c: &Console,
    flash: Option<&str>,
    r: Reshow,
) -> Result<Response, AppError> {
    c.ctx.require(Permission::ManageCare)?;
    let chosen = settings::load(c.ctx.db()).await?.tiers;
    let loyalty = c.ctx.app.cache.get::<Loyalty>(c.ctx.db()).await?;
    let page = Page::console(c, "care.settings_title").with_flash("success", flash);
    let tiers = loyalty
        .tiers
        .iter()
        .map(|t| {
            (
                t.code.clone(),
                t.name(page.lang).to_string(),
                chosen.contains(&t.code),
            )
        })
        .collect();
    let status = r.status();
    let mut res = SettingsPage { page, tiers, r }.into_response();
    *res.status_mut() = status;
    Ok(res)
}

pub(super) async fn settings_page(
    c: Console,
    Query(q): Query<OkQuery>,
) -> Result<Response, AppError> {
    render_settings(&c, q.ok.as_deref(), Reshow::default()).await
}

pub(super) async fn settings_submit(
    v: Verified<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let c = v.console;
    let tiers: Vec<String> = v
        .form
        .iter()
        .filter(|(k, _)| k == "tiers")
        .map(|(_, v)| v.clone())
        .collect();
    match settings::save(&c.ctx, &tiers).await {
        Ok(_) => Ok(Redirect::to("/admin/care?ok=flash.saved").into_response()),
        Err(e) => {
            let page = Page::console(&c, "care.settings_title");
            let values = v.form.into_iter().collect();
            match reshow(e, &page, "settings", values) {
                Ok(r) => render_settings(&c, None, r).await,
                Err(res) => Ok(*res),
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct FiguresQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

async fn load(c: &Console, q: &FiguresQuery) -> Result<Figures, AppError> {
    c.ctx.require(Permission::ManageCare)?;
    let to = date_param(q.to.as_deref(), c.ctx.today())?;
    let from = date_param(q.from.as_deref(), to - Days::new(30))?;
    Ok(figures::figures(&c.ctx, from, to).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "care/figures.html")]
struct FiguresPage {
    page: Page,
    f: Figures,
    query: String,
}

fn query(from: NaiveDate, to: NaiveDate) -> String {
    format!("from={from}&to={to}")
}

pub(super) async fn figures_page(
    c: Console,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, AppError> {
    let f = load(&c, &q).await?;
    Ok(FiguresPage {
        page: Page::console(&c, "care.figures_title"),
        query: query(f.from, f.to),
        f,
    }
    .into_response())
}

fn table(page: &Page, f: &Figures) -> Table {
    let data = f
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::time(page, &r.done_at),
                Cell::from(r.member_name.as_str()),
                Cell::from(page.label("care.step.", &r.step)),
                Cell::from(page.label("care.state.", &r.state)),
                Cell::from(if r.outcome.is_empty() {
                    String::new()
                } else {
                    page.label("care.outcome.", &r.outcome)
                }),
                Cell::from(r.done_by_name.clone().unwrap_or_default()),
                Cell::from(r.receipts_after),
                Cell::Money(r.spent_after_fen),
            ]
        })
        .collect();
    Table::new(
        "care-steps",
        page,
        &[
            "care.done_at",
            "care.member",
            "care.step",
            "care.state",
            "care.outcome",
            "care.done_by",
            "care.receipts_after",
            "care.spent_after",
        ],
        data,
    )
}

async fn export_figures(
    c: Console,
    q: FiguresQuery,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let f = load(&c, &q).await?;
    let page = Page::console(&c, "care.figures_title");
    export::respond(&table(&page, &f), format)
}

pub(super) async fn figures_csv(
    c: Console,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, AppError> {
    export_figures(c, q, ExportFormat::Csv).await
}

pub(super) async fn figures_xlsx(
    c: Console,
    Query(q): Query<FiguresQuery>,
) -> Result<Response, AppError> {
    export_figures(c, q, ExportFormat::Xlsx).await
}
