//! The holiday campaigns: the list with each one's progress and a manager's "build now"; one
//! campaign's calls by day and salesperson (the caller's own, or everyone's for a manager),
//! with gift visits, what each call led to, and CSV/xlsx.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use patron_core::Permission;
use patron_core::calendar::FestivalCode;

use super::log::OkQuery;
use crate::areas::calendar;
use crate::areas::customers::CustomersError;
use crate::areas::customers::callbacks::campaigns::{self, CampaignView, FESTIVALS};
use crate::areas::customers::callbacks::store::{CallRow, CampaignRow};
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, Reshow, field, reshow};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "customers/callbacks/campaigns.html")]
struct CampaignsPage {
    page: Page,
    rows: Vec<CampaignRow>,
    can_build: bool,
    r: Reshow,
}

impl CampaignsPage {
    fn festivals(&self) -> Vec<&'static str> {
        FESTIVALS.iter().map(|f| f.code()).collect()
    }
}

async fn render_list(c: &Console, flash: Option<&str>, r: Reshow) -> Response {
    let rows = match campaigns::list(&c.ctx).await {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let status = r.status();
    let mut res = CampaignsPage {
        page: Page::console(c, "customers.campaigns.title").with_flash("success", flash),
        rows,
        can_build: c.ctx.can(Permission::AssignCustomers),
        r,
    }
    .into_response();
    *res.status_mut() = status;
    res
}

pub(super) async fn campaigns_page(c: Console, Query(q): Query<OkQuery>) -> Response {
    render_list(&c, q.ok.as_deref(), Reshow::default()).await
}

/// Builds the next campaign of the chosen festival now.
async fn build_next(c: &Console, festival: &str) -> Result<i64, CustomersError> {
    let code: FestivalCode = campaigns::festival_code(festival)?;
    let next = calendar::next_festival(c.ctx.db(), code, c.ctx.today())
        .await
        .map_err(|e| CustomersError::Conflict(e.to_string()))?;
    Ok(campaigns::build(&c.ctx, code, next.date.year())
        .await?
        .campaign_id)
}

pub(super) async fn build_submit(v: Verified<Form>) -> Response {
    let c = v.console;
    match build_next(&c, &field(&v.form, "festival")).await {
        Ok(id) => {
            Redirect::to(&format!("/customers/campaigns/{id}?ok=flash.saved")).into_response()
        }
        Err(e) => {
            let page = Page::console(&c, "customers.campaigns.title");
            match reshow(e, &page, "build", v.form) {
                Ok(r) => render_list(&c, None, r).await,
                Err(res) => *res,
            }
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "customers/callbacks/campaign.html")]
struct CampaignPage {
    page: Page,
    view: CampaignView,
    sales_after: i64,
    gift_visits: usize,
}

pub(super) async fn campaign_page(
    c: Console,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, AppError> {
    let view = campaigns::view(&c.ctx, id).await?;
    Ok(CampaignPage {
        page: Page::console(&c, "customers.campaigns.title").with_flash("success", q.ok.as_deref()),
        sales_after: view.calls.iter().map(|k| k.sales_after_fen).sum(),
        gift_visits: view
            .calls
            .iter()
            .filter(|k| k.gift_visit_on.is_some())
            .count(),
        view,
    }
    .into_response())
}

fn yes(page: &Page, b: bool) -> Cell {
    Cell::from(if b {
        page.t("customers.campaigns.yes")
    } else {
        ""
    })
}

fn calls_table(page: &Page, rows: &[CallRow]) -> Table {
    let data = rows
        .iter()
        .map(|k| {
            vec![
                Cell::from(k.call_on),
                Cell::from(k.owner_name.as_str()),
                Cell::from(k.list_no),
                Cell::from(k.customer_name.as_str()),
                Cell::from(page.label("customers.kind.", &k.kind)),
                Cell::from(page.label("customers.grade.", &k.grade)),
                Cell::from(k.purchases),
                Cell::from(page.plain_yuan(&k.last_holiday_fen)),
                Cell::from(k.gift_visit_on),
                Cell::from(k.called_on),
                yes(page, k.reached != 0),
                yes(page, k.intends != 0),
                Cell::from(page.plain_yuan(&k.expected_fen)),
                Cell::from(page.plain_yuan(&k.sales_after_fen)),
            ]
        })
        .collect();
    Table::new(
        "holiday-calls",
        page,
        &[
            "customers.campaigns.call_on",
            "customers.callbacks.owner",
            "customers.campaigns.list_no",
            "customers.callbacks.customer",
            "customers.campaigns.kind",
            "customers.callbacks.grade",
            "customers.campaigns.purchases",
            "customers.campaigns.last_holiday",
            "customers.campaigns.gift_visit",
            "customers.campaigns.called",
            "customers.campaigns.reached",
            "customers.campaigns.intends",
            "customers.campaigns.expected",
            "customers.campaigns.sales_after",
        ],
        data,
    )
}

async fn calls_export(c: Console, id: i64, format: ExportFormat) -> Result<Response, AppError> {
    let view = campaigns::view(&c.ctx, id).await?;
    let page = Page::console(&c, "customers.campaigns.title");
    export::respond(&calls_table(&page, &view.calls), format)
}

pub(super) async fn calls_csv(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    calls_export(c, id, ExportFormat::Csv).await
}

pub(super) async fn calls_xlsx(c: Console, Path(id): Path<i64>) -> Result<Response, AppError> {
    calls_export(c, id, ExportFormat::Xlsx).await
}
