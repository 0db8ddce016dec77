//! The confidential customer register and the daily 17:00 report, with the register's exports.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate};
use patron_core::Permission;

use super::sales::{RangeQuery, SalesFilter, date_or};
use crate::areas::groupbuy::report::{self, DailyReport};
use crate::areas::groupbuy::sales::{self, RegisterLine};
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::Console;
use crate::web::forms::{StoreQuery, store_choice};
use crate::web::layout::Page;

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/register.html")]
struct RegisterPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    rows: Vec<RegisterLine>,
    from: NaiveDate,
    to: NaiveDate,
}

async fn register_rows(
    c: &Console,
    q: &RangeQuery,
) -> Result<(SalesFilter, Vec<RegisterLine>), Response> {
    let (store, stores) =
        store_choice(c, q.store.as_deref(), Permission::ViewBuyerRegister).await?;
    let today = c.ctx.today_at(&store);
    let from = date_or(
        q.from.as_deref(),
        today.checked_sub_days(Days::new(365)).unwrap_or(today),
    )
    .map_err(IntoResponse::into_response)?;
    let to = date_or(q.to.as_deref(), today).map_err(IntoResponse::into_response)?;
    let rows = sales::register(&c.ctx, &store.code, from, to)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    Ok((
        SalesFilter {
            store,
            stores,
            state: String::new(),
            from,
            to,
        },
        rows,
    ))
}

pub(super) async fn register_page(c: Console, Query(q): Query<RangeQuery>) -> Response {
    match register_rows(&c, &q).await {
        Ok((f, rows)) => RegisterPage {
            page: Page::console(&c, "gb.register"),
            store: f.store,
            stores: f.stores,
            rows,
            from: f.from,
            to: f.to,
        }
        .into_response(),
        Err(res) => res,
    }
}

async fn register_export(c: Console, q: RangeQuery, format: ExportFormat) -> Response {
    let rows = match register_rows(&c, &q).await {
        Ok((_, rows)) => rows,
        Err(res) => return res,
    };
    let page = Page::console(&c, "gb.register");
    let rows = rows
        .into_iter()
        .map(|l| {
            vec![
                Cell::from(l.date),
                Cell::from(l.sale_no),
                Cell::from(l.organisation),
                Cell::from(l.contact),
                Cell::from(l.phone),
                Cell::Money(l.amount_fen),
                Cell::from(l.payment),
                Cell::from(l.serials),
                Cell::from(l.expires_on),
            ]
        })
        .collect();
    export::respond(
        &Table::new(
            "customer-register",
            &page,
            &[
                "gb.date",
                "gb.doc_no",
                "gb.organisation",
                "gb.contact",
                "gb.phone",
                "gb.amount",
                "gb.payment",
                "gb.serials",
                "gb.expires_on",
            ],
            rows,
        ),
        format,
    )
    .unwrap_or_else(IntoResponse::into_response)
}

pub(super) async fn register_csv(c: Console, Query(q): Query<RangeQuery>) -> Response {
    register_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn register_xlsx(c: Console, Query(q): Query<RangeQuery>) -> Response {
    register_export(c, q, ExportFormat::Xlsx).await
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/report.html")]
struct ReportPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    rep: DailyReport,
    stored: bool,
}

impl ReportPage {
    fn pay(&self, code: &str) -> String {
        super::words::payment_label(self.page.lang, code)
    }

    fn buyer(&self, organisation: &str) -> String {
        super::words::buyer_label(self.page.lang, organisation)
    }
}

pub(super) async fn report_page(c: Console, Query(q): Query<StoreQuery>) -> Response {
    let (store, stores) = match store_choice(&c, q.store.as_deref(), Permission::ViewGroupBuy).await
    {
        Ok(x) => x,
        Err(res) => return res,
    };
    let day = match date_or(q.date.as_deref(), c.ctx.today_at(&store)) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let rep = match report::build(&c.ctx, &store, day).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let stored = matches!(report::stored(c.ctx.db(), store.id, day).await, Ok(Some(_)));
    ReportPage {
        page: Page::console(&c, "gb.daily_report"),
        store,
        stores,
        rep,
        stored,
    }
    .into_response()
}
