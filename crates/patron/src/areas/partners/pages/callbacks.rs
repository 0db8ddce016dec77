//! The callbacks due and the callback log (with CSV/xlsx).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use patron_core::Permission;
use serde::Deserialize;

use crate::areas::partners::store::{self, CallbackRow, PartnerRow};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::layout::Page;

#[derive(Deserialize, Default)]
pub struct CallbackQuery {
    #[serde(default)]
    pub partner: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/callbacks.html")]
struct CallbacksPage {
    page: Page,
    due: Vec<PartnerRow>,
    log: Vec<CallbackRow>,
    today: NaiveDate,
    partner: String,
}

async fn callback_rows(c: &Console, q: &CallbackQuery) -> Result<Vec<CallbackRow>, AppError> {
    c.ctx.require(Permission::ViewPartners)?;
    let id = q.partner.trim().parse::<i64>().ok();
    Ok(store::callbacks(c.ctx.db(), id).await?)
}

pub(super) async fn callbacks_page(
    c: Console,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let log = callback_rows(&c, &q).await?;
    let today = c.ctx.today();
    Ok(CallbacksPage {
        page: Page::console(&c, "partners.callbacks_title"),
        due: store::callbacks_due(c.ctx.db(), today).await?,
        log,
        today,
        partner: q.partner,
    }
    .into_response())
}

fn callbacks_table(page: &Page, rows: &[CallbackRow]) -> Table {
    let data = rows
        .iter()
        .map(|r| {
            vec![
                Cell::from(r.on_date),
                Cell::from(r.partner_name.as_str()),
                Cell::from(r.caller.as_str()),
                Cell::from(page.t(&format!("partners.way.{}", r.way))),
                Cell::from(r.content.as_str()),
                Cell::from(r.issues.as_str()),
                Cell::from(r.follow_up.as_str()),
                Cell::from(r.next_due_on),
            ]
        })
        .collect();
    Table::new(
        "partner-callbacks",
        page,
        &[
            "partners.cb_date",
            "partners.name",
            "partners.caller",
            "partners.way",
            "partners.content",
            "partners.issues",
            "partners.follow_up",
            "partners.next_due_on",
        ],
        data,
    )
}

pub(super) async fn callbacks_csv(
    c: Console,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let rows = callback_rows(&c, &q).await?;
    let page = Page::console(&c, "partners.callbacks_title");
    export::respond(&callbacks_table(&page, &rows), ExportFormat::Csv)
}

pub(super) async fn callbacks_xlsx(
    c: Console,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, AppError> {
    let rows = callback_rows(&c, &q).await?;
    let page = Page::console(&c, "partners.callbacks_title");
    export::respond(&callbacks_table(&page, &rows), ExportFormat::Xlsx)
}
