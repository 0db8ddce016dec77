//! The confidential customer register (phones masked, one shown in full on request, audited),
//! its exports and print view, and the daily 17:00 report.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate};
use patron_core::Permission;

use super::sales::{SalesFilter, date_or};
use crate::areas::groupbuy::report::{self, DailyReport};
use crate::areas::groupbuy::sales::{self, RegisterLine};
use crate::kernel::cache::StoreInfo;
use crate::web::error::AppError;
use crate::web::export::{self, Cell, ExportFormat, Table};
use crate::web::extract::{Console, Verified};
use crate::web::forms::{Form, StoreQuery, field, store_choice};
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
    /// The reader may see a full phone (and export them), each time audited.
    can_reveal: bool,
    /// The one sale whose buyer's phone was just shown in full.
    revealed: Option<(i64, String)>,
}

impl RegisterPage {
    fn pay(&self, code: &str) -> String {
        super::words::payment_label(self.page.lang, code)
    }

    fn is_revealed(&self, l: &RegisterLine) -> bool {
        matches!(&self.revealed, Some((id, _)) if *id == l.sale_id)
    }

    /// The phone of a line: in full if it was just revealed, otherwise masked.
    fn phone<'a>(&'a self, l: &'a RegisterLine) -> &'a str {
        match &self.revealed {
            Some((id, phone)) if *id == l.sale_id => phone,
            _ => &l.phone,
        }
    }
}

/// The register's address: store and dates; `full=1` asks an export for full phones.
#[derive(serde::Deserialize, Default)]
pub(super) struct RegisterQuery {
    pub store: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub full: Option<String>,
}

async fn register_filter(c: &Console, q: &RegisterQuery) -> Result<SalesFilter, Response> {
    let (store, stores) =
        store_choice(c, q.store.as_deref(), Permission::ViewBuyerRegister).await?;
    let today = c.ctx.today_at(&store);
    let from = date_or(
        q.from.as_deref(),
        today.checked_sub_days(Days::new(365)).unwrap_or(today),
    )
    .map_err(IntoResponse::into_response)?;
    let to = date_or(q.to.as_deref(), today).map_err(IntoResponse::into_response)?;
    Ok(SalesFilter {
        store,
        stores,
        state: String::new(),
        from,
        to,
    })
}

async fn register_rows(
    c: &Console,
    q: &RegisterQuery,
) -> Result<(SalesFilter, Vec<RegisterLine>), Response> {
    let f = register_filter(c, q).await?;
    let rows = sales::register(&c.ctx, &f.store.code, f.from, f.to)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    Ok((f, rows))
}

async fn render_register(
    c: &Console,
    q: &RegisterQuery,
    revealed: Option<(i64, String)>,
) -> Response {
    match register_rows(c, q).await {
        Ok((f, rows)) => RegisterPage {
            page: Page::console(c, "gb.register"),
            can_reveal: c.ctx.can_at(Permission::ViewPersonalData, f.store.id),
            store: f.store,
            stores: f.stores,
            rows,
            from: f.from,
            to: f.to,
            revealed,
        }
        .into_response(),
        Err(res) => res,
    }
}

pub(super) async fn register_page(c: Console, Query(q): Query<RegisterQuery>) -> Response {
    render_register(&c, &q, None).await
}

/// Shows one buyer's full phone, on this response only (audited; a role that may not see
/// personal data is refused).
pub(super) async fn reveal_submit(Path(sale_id): Path<i64>, v: Verified<Form>) -> Response {
    let c = v.console;
    match sales::reveal_phone(&c.ctx, sale_id).await {
        Ok(phone) => {
            let q = RegisterQuery {
                store: Some(field(&v.form, "store")),
                from: Some(field(&v.form, "from")).filter(|x| !x.is_empty()),
                to: Some(field(&v.form, "to")).filter(|x| !x.is_empty()),
                full: None,
            };
            render_register(&c, &q, Some((sale_id, phone))).await
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

async fn register_export(c: Console, q: RegisterQuery, format: ExportFormat) -> Response {
    let full = q.full.as_deref() == Some("1");
    let rows = if full {
        let f = match register_filter(&c, &q).await {
            Ok(f) => f,
            Err(res) => return res,
        };
        let what = match format {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        };
        match sales::register_with_phones(&c.ctx, &f.store.code, f.from, f.to, what).await {
            Ok(rows) => rows,
            Err(e) => return AppError::from(e).into_response(),
        }
    } else {
        match register_rows(&c, &q).await {
            Ok((_, rows)) => rows,
            Err(res) => return res,
        }
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
                Cell::from(super::words::payment_label(page.lang, &l.payment)),
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

pub(super) async fn register_csv(c: Console, Query(q): Query<RegisterQuery>) -> Response {
    register_export(c, q, ExportFormat::Csv).await
}

pub(super) async fn register_xlsx(c: Console, Query(q): Query<RegisterQuery>) -> Response {
    register_export(c, q, ExportFormat::Xlsx).await
}

/// The register on paper (客户资料登记表, A4), phones masked.
#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/print_register.html")]
struct RegisterPrint {
    p: super::print::Paper,
    rows: Vec<RegisterLine>,
    from: NaiveDate,
    to: NaiveDate,
}

impl RegisterPrint {
    fn pay(&self, code: &str) -> String {
        super::words::payment_label(self.p.lang, code)
    }
}

pub(super) async fn register_print(c: Console, Query(q): Query<RegisterQuery>) -> Response {
    match register_rows(&c, &q).await {
        Ok((f, rows)) => RegisterPrint {
            p: super::print::Paper::at(f.store),
            rows,
            from: f.from,
            to: f.to,
        }
        .into_response(),
        Err(res) => res,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "groupbuy/report.html")]
struct ReportPage {
    page: Page,
    store: StoreInfo,
    stores: Vec<StoreInfo>,
    rep: DailyReport,
    stored: bool,
    /// Cash of earlier days not paid in by day close, said for the desk (E5).
    unpaid: Vec<(String, bool)>,
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
    let page = Page::console(&c, "gb.daily_report");
    ReportPage {
        unpaid: super::words::unpaid_lines(page.lang, &rep.unpaid_cash),
        page,
        store,
        stores,
        rep,
        stored,
    }
    .into_response()
}
